import { z } from 'zod';

/**
 * What OMS told the marketplace about an order, and how it went (issue #15 items 2–4), on the
 * order's own stream `order-<orderId>`. Each names the warehouse fact it answers (`key`: the
 * shipmentId, the warehouse messageId, or `acknowledge`), which with the order id gives the event
 * a deterministic id: a repeated send records nothing twice.
 */
const Base = {
  orderId: z.string(),
  tenantId: z.string(),
  storeId: z.string(),
  platform: z.enum(['amazon', 'walmart']),
  platformOrderId: z.string(),
};

/** Platform lines (Amazon orderItemId, Walmart lineNumber) and units. */
export const PlatformUnits = z.object({ platformLineId: z.string(), quantity: z.number().int().positive() });
export type PlatformUnits = z.infer<typeof PlatformUnits>;

/** Walmart: the purchase order was acknowledged (the release committed the warehouse to it). */
export const MarketplaceOrderAcknowledged = z.object({
  type: z.literal('MarketplaceOrderAcknowledged'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, acknowledgedAt: z.iso.datetime() }),
});

/** The marketplace accepted a shipment of these platform lines with this carrier and tracking. */
export const MarketplaceShipmentConfirmed = z.object({
  type: z.literal('MarketplaceShipmentConfirmed'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    /** The warehouse shipment this confirms (its carrier and tracking were sent). */
    shipmentId: z.string(),
    /**
     * Every warehouse shipment this settles: this one, and earlier ones that completed no platform
     * line on their own (one component of a combination) and are confirmed with it.
     */
    coveredShipmentIds: z.array(z.string()).min(1),
    /** The carrier as the warehouse named it, and as the marketplace was told (code, or "other" + name). */
    carrier: z.object({ name: z.string(), marketplaceCode: z.string(), other: z.boolean() }),
    trackingNumber: z.string(),
    /** The tracking page sent with it (added within v1: absent when none was sent). */
    trackingUrl: z.string().optional(),
    shipMethod: z.string().nullable(),
    shippedAt: z.string(),
    lines: z.array(PlatformUnits).min(1),
    confirmedAt: z.iso.datetime(),
  }),
});

/** The marketplace cancelled these platform lines after the warehouse rejected or cancelled them. */
export const MarketplaceLinesCancelled = z.object({
  type: z.literal('MarketplaceLinesCancelled'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    /** The warehouse message (FulfillmentRejected / FulfillmentCancelled) this answers. */
    messageId: z.string(),
    /** The marketplace's reason code sent (Walmart cancellationReason, Amazon cancelReasonCode). */
    marketplaceReason: z.string(),
    lines: z.array(PlatformUnits).min(1),
    cancelledAt: z.iso.datetime(),
  }),
});

export const SyncAction = z.enum(['acknowledge', 'confirm', 'cancel']);
export type SyncAction = z.infer<typeof SyncAction>;

/**
 * A send failed. `permanent`: the marketplace refused it (its error code and message, sanitized) or
 * OMS cannot express it there; the sender stops trying this key. Otherwise a transient failure after
 * the adapter's own retries; the sender tries again later (`attempt` counts the failed rounds).
 * `lines`: what a confirmation or cancellation would have sent, so later ones do not send it again.
 */
export const MarketplaceSyncFailed = z.object({
  type: z.literal('MarketplaceSyncFailed'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    action: SyncAction,
    key: z.string(),
    attempt: z.number().int().positive(),
    permanent: z.boolean(),
    error: z.object({ code: z.string(), status: z.number().int().nullable(), message: z.string() }),
    lines: z.array(PlatformUnits),
    failedAt: z.iso.datetime(),
  }),
});

export const MarketplaceSyncEvent = z.discriminatedUnion('type', [
  MarketplaceOrderAcknowledged,
  MarketplaceShipmentConfirmed,
  MarketplaceLinesCancelled,
  MarketplaceSyncFailed,
]);
export type MarketplaceSyncEvent = z.infer<typeof MarketplaceSyncEvent>;
export const MARKETPLACE_SYNC_EVENT_TYPES = MarketplaceSyncEvent.options.map((o) => o.shape.type.value);
