import { z } from 'zod';

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
  data: z.object({ ...Base, lines: z.array(WarehouseLine).min(1), mappingVersions: z.record(z.string(), z.number()), orderVersion: z.number().int(), releasedAt: z.iso.datetime() }),
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

/** Not released: these platform SKUs have no mapping (since `heldSince`). A new mapping re-evaluates it. */
export const OrderHeld = z.object({
  type: z.literal('OrderHeld'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, unmappedSkus: z.array(z.string()).min(1), heldSince: z.iso.datetime(), orderVersion: z.number().int() }),
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

export const FulfillmentEvent = z.discriminatedUnion('type', [
  FulfillmentOrderReleased,
  FulfillmentOrderUpdated,
  FulfillmentOrderCancelled,
  OrderHeld,
  OrderHoldDropped,
  OrderFulfilledByMarketplace,
]);
export type FulfillmentEvent = z.infer<typeof FulfillmentEvent>;
export const FEED_EVENT_TYPES = ['FulfillmentOrderReleased', 'FulfillmentOrderUpdated', 'FulfillmentOrderCancelled'] as const;
