import { z } from 'zod';

/**
 * The inbound WMS contract (DESIGN §3, issue #15 item 1): what the warehouse reports about a released
 * order, the same JSON on Kafka topic `oms.warehouse-events.v1` and on `POST /v1/warehouse/events`.
 * docs/warehouse-event.schema.json is generated from this schema (scripts/gen-schema.ts).
 *
 * `lineId` and `quantity` are those of the released message (system SKUs), not marketplace lines.
 * Within schemaVersion 1 fields may be added; unknown fields are ignored (stripped).
 */
export const WAREHOUSE_EVENT_SCHEMA_VERSION = 1;
export const WAREHOUSE_MESSAGE_TYPES = ['ShipmentConfirmed', 'FulfillmentRejected', 'FulfillmentCancelled'] as const;
export type WarehouseMessageType = (typeof WAREHOUSE_MESSAGE_TYPES)[number];

const Id = z.string().min(1).max(200);
const Timestamp = z.iso.datetime({ offset: true });
const Text = z.string().min(1).max(500);
// Walmart passes it to the buyer: a web page, nothing else (no javascript: or data: links).
const TrackingUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).max(2048);

export const WarehouseMessageLine = z.object({
  lineId: Id.describe('lineId of the released (or last updated) fulfilment message'),
  quantity: z.int().min(1).describe('Units of the line’s system SKU'),
});
export type WarehouseMessageLine = z.infer<typeof WarehouseMessageLine>;

const uniqueLines = (lines: readonly WarehouseMessageLine[]) => new Set(lines.map((l) => l.lineId)).size === lines.length;
const Lines = z.array(WarehouseMessageLine).refine(uniqueLines, { message: 'lineId must be unique within a message' });

const Envelope = {
  messageId: Id.describe('Unique per message and the same on every re-delivery: OMS de-duplicates on it'),
  schemaVersion: z.literal(WAREHOUSE_EVENT_SCHEMA_VERSION),
  occurredAt: Timestamp.describe('When it happened in the warehouse'),
  tenantId: Id.describe('The seller the order belongs to (as in the released message)'),
  orderId: Id.describe('The OMS order id (order.orderId of the released message)'),
};

export const ShipmentConfirmedMessage = z.object({
  ...Envelope,
  type: z.literal('ShipmentConfirmed'),
  shipment: z.object({
    shipmentId: Id.describe('The warehouse’s id of this parcel/shipment'),
    carrier: z.string().min(1).max(100).describe('Carrier name as the warehouse knows it (e.g. UPS, FedEx, USPS, DHL)'),
    trackingNumber: z.string().min(1).max(100),
    shipMethod: z.string().min(1).max(100).nullish().describe('Carrier service (e.g. Ground); optional'),
    trackingUrl: TrackingUrl.nullish().describe(
      'The carrier’s tracking page for this parcel (http or https); optional. Passed on to Walmart, which confirms a carrier not on its list only with one',
    ),
    shippedAt: Timestamp,
    lines: Lines.min(1).describe('What left the warehouse in this shipment'),
  }),
});

const stopped = <T extends string>(type: T, what: string) =>
  z.object({
    ...Envelope,
    type: z.literal(type),
    reason: Text.describe(`Why the warehouse ${what}`),
    lines: Lines.default([]).describe('The lines (and quantities) that will not ship; empty or absent = everything not yet shipped'),
  });

export const FulfillmentRejectedMessage = stopped('FulfillmentRejected', 'cannot ship (no stock, damaged…)');
export const FulfillmentCancelledMessage = stopped('FulfillmentCancelled', 'stopped the order');

export const WarehouseEventMessage = z
  .discriminatedUnion('type', [ShipmentConfirmedMessage, FulfillmentRejectedMessage, FulfillmentCancelledMessage])
  .meta({
    title: 'OMS warehouse event (WMS → OMS)',
    description:
      'Kafka topic oms.warehouse-events.v1 (key = orderId recommended) and POST /v1/warehouse/events. ' +
      'De-duplicated on messageId (a repeat changes nothing). A message about an unknown or foreign order, a line never ' +
      'released, more quantity than released and not yet shipped or stopped, or a cancelled order is refused ' +
      '(HTTP 4xx with a code; on Kafka recorded as a rejected warehouse message and skipped).',
  });
export type WarehouseEventMessage = z.infer<typeof WarehouseEventMessage>;
export type WarehouseEventMessageInput = z.input<typeof WarehouseEventMessage>;

/** The published JSON Schema, for the input side (unknown fields allowed, `lines` of a stop optional). */
export const warehouseEventJsonSchema = (): Record<string, unknown> =>
  z.toJSONSchema(WarehouseEventMessage, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
