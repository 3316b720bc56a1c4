import { z } from 'zod';

/**
 * What the warehouse reported about a released order (issue #15 item 1), appended to the order's own
 * stream `order-<orderId>` once the inbound message passed decideWarehouseMessage. Each carries the
 * `messageId` of the warehouse message it came from: the order's history is its de-dup record.
 * Lines are warehouse lines (the `lineId` and system-SKU quantity of the released message).
 */
export const WarehouseEventLine = z.object({ lineId: z.string(), quantity: z.number().int().positive() });
export type WarehouseEventLine = z.infer<typeof WarehouseEventLine>;

const Base = { orderId: z.string(), tenantId: z.string(), storeId: z.string(), messageId: z.string() };

/** The warehouse shipped these lines (all or part of what was released) with this carrier and tracking. */
export const WarehouseShipmentRecorded = z.object({
  type: z.literal('WarehouseShipmentRecorded'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    shipment: z.object({
      shipmentId: z.string(),
      carrier: z.string(),
      trackingNumber: z.string(),
      shipMethod: z.string().nullable(),
      /** Added within v1: absent on shipments recorded before 2026-12-05, and when the warehouse gave none. */
      trackingUrl: z.string().optional(),
      shippedAt: z.iso.datetime({ offset: true }),
      lines: z.array(WarehouseEventLine).min(1),
    }),
    /** When the warehouse says it happened. */
    occurredAt: z.iso.datetime({ offset: true }),
    /** When OMS recorded it. */
    recordedAt: z.iso.datetime(),
  }),
});
export type WarehouseShipmentRecorded = z.infer<typeof WarehouseShipmentRecorded>;

const StoppedData = z.object({
  ...Base,
  reason: z.string(),
  /** The lines (and quantities) that will not ship; empty = everything not yet shipped. */
  lines: z.array(WarehouseEventLine),
  occurredAt: z.iso.datetime({ offset: true }),
  recordedAt: z.iso.datetime(),
});

/** The warehouse cannot ship these lines (no stock, damaged…): they will not ship. */
export const WarehouseFulfillmentRejected = z.object({
  type: z.literal('WarehouseFulfillmentRejected'),
  schemaVersion: z.literal(1),
  data: StoppedData,
});
export type WarehouseFulfillmentRejected = z.infer<typeof WarehouseFulfillmentRejected>;

/** The warehouse stopped these lines (e.g. after a buyer's cancellation request): they will not ship. */
export const WarehouseFulfillmentCancelled = z.object({
  type: z.literal('WarehouseFulfillmentCancelled'),
  schemaVersion: z.literal(1),
  data: StoppedData,
});
export type WarehouseFulfillmentCancelled = z.infer<typeof WarehouseFulfillmentCancelled>;

export const WarehouseEvent = z.discriminatedUnion('type', [WarehouseShipmentRecorded, WarehouseFulfillmentRejected, WarehouseFulfillmentCancelled]);
export type WarehouseEvent = z.infer<typeof WarehouseEvent>;
export const WAREHOUSE_EVENT_TYPES = ['WarehouseShipmentRecorded', 'WarehouseFulfillmentRejected', 'WarehouseFulfillmentCancelled'] as const;
