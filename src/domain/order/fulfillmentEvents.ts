import { z } from 'zod';
import { BuyerDataViewed, FulfillmentOrderResent, OrderCancelledByOperator, OrderHeldByOperator, OrderReleasedByOperator, ShipToCorrected } from './operatorEvents.js';

/** One warehouse line: a system SKU and quantity, with where it came from (for audit). */
export const WarehouseLine = z.object({
  lineId: z.string(),
  sku: z.string(),
  quantity: z.number().int().positive(),
  source: z.object({
    platformSku: z.string(),
    platformLineId: z.string(),
    platformQuantity: z.number().int(),
    factor: z.number().int(),
    mappingVersion: z.number().int(),
  }),
});
export type WarehouseLine = z.infer<typeof WarehouseLine>;

const Base = { orderId: z.string(), tenantId: z.string(), storeId: z.string() };

/**
 * The order goes to the warehouse: merchant-fulfilled, shippable, every platform SKU mapped. The
 * lines are expanded with the mappings in force (their versions recorded), so history shows exactly
 * what was sent. `personalData` is the order's sealed ship-to, opened only by the feed.
 */
export const FulfillmentOrderReleased = z.object({
  type: z.literal('FulfillmentOrderReleased'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    lines: z.array(WarehouseLine).min(1),
    mappingVersions: z.record(z.string(), z.number()),
    orderVersion: z.number().int(),
    releasedAt: z.iso.datetime(),
    /** Units the marketplace had shipped before the release (outside OMS), by platform line id; absent when none. */
    shippedOutside: z.record(z.string(), z.number().int().positive()).optional(),
  }),
});

/** After release the marketplace changed the lines (partial cancellation): the whole new line set. */
export const FulfillmentOrderUpdated = z.object({
  type: z.literal('FulfillmentOrderUpdated'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, lines: z.array(WarehouseLine).min(1), mappingVersions: z.record(z.string(), z.number()), orderVersion: z.number().int(), updatedAt: z.iso.datetime() }),
});

/** After release the marketplace cancelled the order (or every line): the warehouse must stop. */
export const FulfillmentOrderCancelled = z.object({
  type: z.literal('FulfillmentOrderCancelled'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, reason: z.string(), orderVersion: z.number().int(), cancelledAt: z.iso.datetime() }),
});

/**
 * Why an order is held (operators see these codes):
 * - unmapped_sku: these platform SKUs have no mapping; a new mapping re-evaluates the order.
 * - address_incomplete: the ship-to lacks what a label needs (field names); a later pull with the address releases it.
 * - unknown_status / unknown_fulfillment: the marketplace wrote a status or fulfiller OMS does not know (or none).
 * - duplicate_order: the same marketplace order (platform, marketplace, order id) was released from
 *   another store (`ownerStoreId`), e.g. a second Walmart key of the seller; an operator may release it.
 * - cancellation_requested: the buyer asked to cancel these platform lines before OMS released the
 *   order; it waits for the marketplace to decide (cancelled: the hold is dropped; the request gone: released).
 */
export const HoldReason = z.discriminatedUnion('code', [
  z.object({ code: z.literal('unmapped_sku'), platformSkus: z.array(z.string()).min(1) }),
  z.object({ code: z.literal('address_incomplete'), missingFields: z.array(z.string()).min(1) }),
  z.object({ code: z.literal('unknown_status'), platformStatus: z.string() }),
  z.object({ code: z.literal('unknown_fulfillment') }),
  z.object({ code: z.literal('duplicate_order'), ownerStoreId: z.string(), ownerOrderId: z.string() }),
  z.object({ code: z.literal('cancellation_requested'), platformLineIds: z.array(z.string()).min(1) }),
  // A person held it (OrderHeldByOperator); a person releases it.
  z.object({ code: z.literal('operator_hold') }),
]);
export type HoldReason = z.infer<typeof HoldReason>;

/**
 * Not released, for the `reasons` given (since `heldSince`). Orders held before reasons were recorded
 * carry only `unmappedSkus` (their one reason then); `unmappedSkus` stays for them and for the SKU index.
 */
export const OrderHeld = z.object({
  type: z.literal('OrderHeld'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    unmappedSkus: z.array(z.string()),
    reasons: z.array(HoldReason).min(1).optional(),
    heldSince: z.iso.datetime(),
    orderVersion: z.number().int(),
  }),
});

/** The reasons of a hold, for holds recorded before reasons were. */
export const reasonsOf = (held: z.infer<typeof OrderHeld>['data']): HoldReason[] =>
  held.reasons ?? [{ code: 'unmapped_sku', platformSkus: held.unmappedSkus }];

/**
 * An operator released a held duplicate (`duplicate_order`) on purpose, with a reason: the order
 * may now go to the warehouse although another store's copy went already. Other holds still apply.
 */
export const OrderReleaseAuthorized = z.object({
  type: z.literal('OrderReleaseAuthorized'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, actor: z.string(), reason: z.string().min(1), authorizedAt: z.iso.datetime() }),
});

/** The store was revoked while the order was held: it will never be released (terminal). */
export const OrderWithdrawn = z.object({
  type: z.literal('OrderWithdrawn'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, reason: z.literal('store_revoked'), withdrawnAt: z.iso.datetime() }),
});

/** A held order stopped needing the warehouse (cancelled or shipped elsewhere before release). */
export const OrderHoldDropped = z.object({
  type: z.literal('OrderHoldDropped'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, reason: z.string(), droppedAt: z.iso.datetime() }),
});

/** Fulfilled by the marketplace (FBA, WFS): recorded, never sent to the warehouse. */
export const OrderFulfilledByMarketplace = z.object({
  type: z.literal('OrderFulfilledByMarketplace'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, recordedAt: z.iso.datetime() }),
});

/**
 * After release the buyer asked to cancel these platform lines (Amazon cancellationRequest, Walmart
 * intentToCancel): not a cancellation yet — the marketplace decides — but the warehouse may stop
 * them before shipping. Sent once per line; `reason` is the marketplace's code when it gives one.
 */
export const FulfillmentOrderCancellationRequested = z.object({
  type: z.literal('FulfillmentOrderCancellationRequested'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    lines: z.array(z.object({ platformLineId: z.string(), reason: z.string().nullable() })).min(1),
    orderVersion: z.number().int(),
    requestedAt: z.iso.datetime(),
  }),
});

/**
 * The order's buyer data key was destroyed (crypto-shredding, docs/retention.md): everything sealed
 * with it — name, address, phone, e-mail — is unreadable from now on; the events stay. `trigger` is
 * what made the order terminal and when; erasure follows `retentionDays` later.
 */
export const BuyerDataErased = z.object({
  type: z.literal('BuyerDataErased'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    trigger: z.enum(['shipped', 'cancelled']),
    terminalAt: z.iso.datetime(),
    retentionDays: z.number().int().min(0),
    erasedAt: z.iso.datetime(),
  }),
});

export const FulfillmentEvent = z.discriminatedUnion('type', [
  FulfillmentOrderReleased,
  FulfillmentOrderUpdated,
  FulfillmentOrderCancelled,
  OrderHeld,
  OrderHoldDropped,
  OrderFulfilledByMarketplace,
  OrderReleaseAuthorized,
  OrderWithdrawn,
  FulfillmentOrderCancellationRequested,
  BuyerDataErased,
  // People's actions on the order (operatorEvents.ts): the order stream's other events.
  OrderHeldByOperator,
  OrderReleasedByOperator,
  OrderCancelledByOperator,
  FulfillmentOrderResent,
  ShipToCorrected,
  BuyerDataViewed,
]);
export type FulfillmentEvent = z.infer<typeof FulfillmentEvent>;
export const FEED_EVENT_TYPES = ['FulfillmentOrderReleased', 'FulfillmentOrderUpdated', 'FulfillmentOrderCancelled', 'FulfillmentOrderCancellationRequested'] as const;
