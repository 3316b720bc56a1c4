import type { AmazonRegion } from '../authorization/events.js';
import type { MarketplaceCarrier } from '../marketplaceSync/carriers.js';
import type { PlatformUnits } from '../marketplaceSync/events.js';
import type { MarketplaceErrorCode } from './marketplaces.js';

/** Which marketplace order, and as which authorization. */
export type FulfillmentTarget = Readonly<{
  authorizationId: string;
  platform: 'amazon' | 'walmart';
  /** Amazon only: the region endpoint. */
  region: AmazonRegion | null;
  marketplaceId: string;
  platformOrderId: string;
}>;

export type ShipmentToConfirm = Readonly<{
  /** Amazon packageReferenceId: a positive number, unique within the order (the shipment's ordinal). */
  packageReferenceId: string;
  carrier: MarketplaceCarrier;
  trackingNumber: string;
  shipMethod: string | null;
  /** The carrier's tracking page, when the warehouse gave one (Walmart: required with a carrier not on its list). */
  trackingUrl?: string | null;
  shippedAt: string;
  lines: readonly PlatformUnits[];
  /** Lines of `lines` the buyer asked to cancel (shipped anyway; Walmart US wants intentToCancelOverride). */
  cancelRequestedLines?: readonly string[];
}>;

export type LinesToCancel = Readonly<{
  /** The warehouse rejected (cannot ship) or cancelled (stopped) them. */
  cause: 'rejected' | 'cancelled';
  /** The buyer asked to cancel these lines first. */
  buyerRequested: boolean;
  /** Every unit of the order not shipped (Amazon cancels whole orders only). */
  wholeOrder: boolean;
  lines: readonly PlatformUnits[];
}>;

/**
 * Telling the marketplace what happened to an order. Calls are safe to repeat (the sender decides
 * what to send from the order's stream; an identical repeat is accepted or answered as done).
 * Rate limits, back-off and token refresh are the adapter's; what still fails throws a
 * MarketplaceError, `permanent` or not (see isPermanentFailure).
 */
export interface MarketplaceFulfillment {
  /** Walmart: acknowledge the purchase order. Amazon: nothing to do. */
  acknowledge(target: FulfillmentTarget, signal?: AbortSignal): Promise<void>;
  confirmShipment(target: FulfillmentTarget, shipment: ShipmentToConfirm, signal?: AbortSignal): Promise<void>;
  /** Returns the marketplace's reason code sent. */
  cancelLines(target: FulfillmentTarget, cancellation: LinesToCancel, signal?: AbortSignal): Promise<string>;
}

/** Failures worth another round later; anything else is the marketplace's (or OMS's) final word. */
const TRANSIENT: ReadonlySet<MarketplaceErrorCode> = new Set(['rate_limited', 'server_error', 'timeout', 'malformed_response']);
export const isTransientFailure = (code: MarketplaceErrorCode): boolean => TRANSIENT.has(code);
