import { z } from 'zod';
import type { EventFilter, RecordedEvent } from '../ports/eventStore.js';

/**
 * The WMS contract (DESIGN §3): one message per release, update or cancellation, keyed by order id,
 * the same on Kafka and on the HTTP feed. docs/warehouse-message.schema.json is generated from this
 * schema (scripts/gen-schema.ts) for consumers.
 *
 * Evolution: within schemaVersion 1 fields may be added (consumers must ignore unknown fields);
 * removing a field or changing a meaning is a new schemaVersion on a new topic.
 * Semantics are state-based, so a duplicate or a re-read message is harmless:
 * - FulfillmentOrderReleased: `lines` is the whole line set to ship.
 * - FulfillmentOrderUpdated: `lines` is the whole new line set; it replaces the previous one. A
 *   marketplace cancelling some lines (or part of a quantity) arrives as an update without them.
 * - FulfillmentOrderCancelled: the whole order is withdrawn; `lines` repeats the line set that was
 *   last sent (what the warehouse should stop), so the message stands on its own.
 * - FulfillmentOrderCancellationRequested: the buyer asked to cancel some platform lines
 *   (`cancellationRequest`); `lines` are the warehouse lines expanded from them, as last sent. Nothing
 *   is cancelled yet: the warehouse may stop them before shipping; the marketplace's decision follows
 *   as an Updated (lines cancelled) or a Cancelled (the whole order).
 */
export const FEED_SCHEMA_VERSION = 1;

export const FEED_MESSAGE_TYPES = ['FulfillmentOrderReleased', 'FulfillmentOrderUpdated', 'FulfillmentOrderCancelled', 'FulfillmentOrderCancellationRequested'] as const;
export type FeedMessageType = (typeof FEED_MESSAGE_TYPES)[number];

const Id = z.string().min(1).max(200);
const Timestamp = z.iso.datetime({ offset: true });
const Text = z.string().max(500);

export const FeedShipTo = z
  .object({
    name: Text.nullable(),
    addressLine1: Text.nullable(),
    addressLine2: Text.nullable(),
    addressLine3: Text.nullable(),
    city: Text.nullable(),
    stateOrRegion: Text.nullable(),
    postalCode: z.string().max(40).nullable(),
    countryCode: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .nullable()
      .describe('ISO 3166-1 alpha-2'),
    phone: z.string().max(100).nullable(),
  })
  .describe(
    'Where to ship. A field is null when the marketplace does not provide it (restricted buyer data, or erased after delivery).',
  );
export type FeedShipTo = z.infer<typeof FeedShipTo>;

export const FeedLine = z
  .object({
    lineId: Id.describe('Stable id of this line within the order, so an update can be matched line by line'),
    sku: Id.describe('System SKU (the warehouse product)'),
    quantity: z.int().min(1).describe('Units of `sku` to ship: source.platformQuantity × source.factor'),
    source: z
      .object({
        platformSku: Id,
        platformLineId: Id,
        platformQuantity: z.int().min(1),
        factor: z.int().min(1).describe('Units of `sku` per unit of the platform SKU, from the mapping in force at release'),
      })
      .describe('The marketplace line this line was expanded from'),
  })
  .refine((l) => l.quantity === l.source.platformQuantity * l.source.factor, {
    message: 'quantity must equal source.platformQuantity × source.factor',
    path: ['quantity'],
  });
export type FeedLine = z.infer<typeof FeedLine>;

export const FeedOrder = z.object({
  orderId: Id.describe('The OMS order id (also the Kafka key)'),
  storeId: Id,
  platform: z.enum(['amazon', 'walmart']),
  marketplaceId: Id,
  platformOrderId: Id,
  purchasedAt: Timestamp,
  shipBy: Timestamp.nullable().describe('Latest ship date promised to the buyer, when the marketplace gives one'),
  serviceLevel: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .describe('Shipping service level as the marketplace names it (Amazon: Standard, Expedited, NextDay…; Walmart: STANDARD, EXPRESS…)'),
  shipTo: FeedShipTo,
  lines: z
    .array(FeedLine)
    .min(1)
    .refine((lines) => new Set(lines.map((l) => l.lineId)).size === lines.length, { message: 'lineId must be unique within an order' }),
});
export type FeedOrder = z.infer<typeof FeedOrder>;

export const FeedMessage = z
  .object({
    messageId: z.guid().describe('Unique per message and the same on every re-delivery: de-duplicate on it'),
    type: z.enum(FEED_MESSAGE_TYPES),
    schemaVersion: z.literal(FEED_SCHEMA_VERSION),
    occurredAt: Timestamp.describe('When the OMS decided the release, update or cancellation'),
    tenantId: Id.describe('The seller the order belongs to'),
    order: FeedOrder,
    cancellationRequest: z
      .object({
        requestedBy: z.literal('buyer'),
        lines: z
          .array(
            z.object({
              platformLineId: Id,
              reason: Text.nullable().describe("The marketplace's reason code (Amazon cancelReason, Walmart cancellation reason), when it gives one"),
            }),
          )
          .min(1),
      })
      .optional()
      .describe('FulfillmentOrderCancellationRequested only: the platform lines the buyer asked to cancel'),
  })
  .meta({
    title: 'OMS warehouse fulfilment message',
    description:
      'Kafka topic oms.fulfillment-orders.v1 (key = order.orderId; headers message-id, message-type, schema-version, ' +
      'tenant-id) and GET /v1/warehouse/feed. At-least-once: de-duplicate on messageId; messages of one order arrive in ' +
      'order. Released and Updated carry the whole line set to ship; Cancelled withdraws the whole order and repeats the ' +
      'lines last sent; a partial cancellation is an Updated. CancellationRequested: the buyer asked to cancel the lines ' +
      'in cancellationRequest (order.lines are their warehouse lines as last sent); stop them before shipping if you can, ' +
      "the marketplace's decision follows. Unknown fields may be added within schemaVersion 1: ignore them.",
  });
export type FeedMessage = z.infer<typeof FeedMessage>;

/** Kafka headers of a message: what a consumer needs to route and de-duplicate without parsing the value. */
export const FEED_HEADERS = (message: FeedMessage): Record<'message-id' | 'message-type' | 'schema-version' | 'tenant-id', string> => ({
  'message-id': message.messageId,
  'message-type': message.type,
  'schema-version': String(message.schemaVersion),
  'tenant-id': message.tenantId,
});

/**
 * Where feed messages come from: the events to read and a mapping of one event to its messages
 * (usually none or one). The mapping must be deterministic — the same event always gives the same
 * messages with the same ids (e.g. messageId = event id) — because a re-delivery after a crash, and
 * the HTTP feed, map the event again. It may be async, for a mapping that reads what the event does
 * not carry (the order's sealed ship-to, its earlier events — only those before this one, so a later
 * change never alters a re-delivered message); events of one batch are mapped concurrently, and
 * their messages are still sent in event order.
 */
export type FeedSource = Readonly<{
  name: string;
  filter: EventFilter;
  toMessages: (event: RecordedEvent) => readonly FeedMessage[] | Promise<readonly FeedMessage[]>;
}>;

/** The mapping produced something the contract refuses: a bug to fix, never a message to skip. */
export class FeedMappingError extends Error {
  override readonly name = 'FeedMappingError';
  constructor(
    readonly eventId: string,
    readonly eventType: string,
    readonly issues: string,
  ) {
    super(`feed mapping of event ${eventId} (${eventType}) broke the message contract: ${issues}`);
  }
}

/** The event's messages, checked against the contract (unknown fields stripped, so nothing extra leaks out). */
export const feedMessagesOf = async (source: FeedSource, event: RecordedEvent): Promise<FeedMessage[]> =>
  (await source.toMessages(event)).map((m) => {
    const parsed = FeedMessage.safeParse(m);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new FeedMappingError(event.id, event.type, issues);
    }
    return parsed.data;
  });

/**
 * The JSON Schema published for consumers. Generated for the input side, so it does not forbid
 * additional properties: fields added later in schemaVersion 1 must not break a validating consumer.
 */
export const feedMessageJsonSchema = (): Record<string, unknown> =>
  z.toJSONSchema(FeedMessage, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
