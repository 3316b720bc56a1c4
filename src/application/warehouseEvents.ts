import { createHash } from 'node:crypto';
import { OrderPulled } from '../domain/order/events.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { WarehouseEvent, WAREHOUSE_EVENT_TYPES } from '../domain/order/warehouseEvents.js';
import type { EventMetadata, RecordedEvent } from '../domain/ports/eventStore.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { ConcurrencyError, DomainError } from '../domain/shared/errors.js';
import { decideWarehouseMessage, foldWarehouse, type WarehouseRefusalCode, type WarehouseStreamEvent } from '../domain/warehouse/warehouseDecision.js';
import { WarehouseEventMessage } from '../domain/warehouse/warehouseEventMessage.js';
import { warehouseRejectionStreamId, WarehouseMessageRejected } from '../domain/warehouse/warehouseRejection.js';
import type { AppDeps } from './context.js';
import { nameUuid } from './ids.js';
import { orderStreamId } from '../domain/order/streams.js';

/** HTTP statuses of the refusals (POST /v1/warehouse/events); docs/errors/<code>.md explains each. */
export const warehouseEventErrorStatuses = {
  // 422, not 404: the route exists; the order the body names does not (for this tenant).
  order_not_found: 422,
  order_not_released: 409,
  order_cancelled: 409,
  line_not_released: 422,
  quantity_exceeds_released: 422,
  nothing_outstanding: 409,
  tenant_mismatch: 403,
} as const satisfies Record<WarehouseRefusalCode | 'tenant_mismatch', number>;

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeWarehouse = decodeWith(WarehouseEvent);
const FULFILLMENT_TYPES = new Set<string>(FulfillmentEvent.options.map((o) => o.shape.type.value));
const WAREHOUSE_TYPES = new Set<string>(WAREHOUSE_EVENT_TYPES);

/** The order stream's events this decision reads; others (e.g. marketplace confirmations) are skipped. */
const decodeOrderStream = (recorded: readonly RecordedEvent[]): WarehouseStreamEvent[] =>
  recorded.flatMap((r): WarehouseStreamEvent[] => {
    if (r.type === 'OrderPulled') return [decodePulled(r)];
    if (FULFILLMENT_TYPES.has(r.type)) return [decodeFulfillment(r)];
    if (WAREHOUSE_TYPES.has(r.type)) return [decodeWarehouse(r)];
    return [];
  });

export type WarehouseMessageResult = Readonly<{ outcome: 'recorded' | 'duplicate'; orderId: string; messageId: string; eventType: string | null }>;

/**
 * Applies one (schema-valid) warehouse message to its order: load the order stream, decide, append
 * with the expected revision. The event id is derived from order and messageId, and a messageId
 * already in the order's history is a duplicate — so a re-delivery (Kafka after a crash, an HTTP
 * retry), even a concurrent one, records nothing twice. Refusals throw DomainError with the code.
 */
export const warehouseEvents = (deps: AppDeps) => {
  const record = async (message: WarehouseEventMessage, metadata: EventMetadata): Promise<WarehouseMessageResult> => {
    const streamId = orderStreamId(message.orderId);
    for (let attempt = 0; ; attempt++) {
      const recorded = await deps.store.readStream(streamId);
      const decision = decideWarehouseMessage(foldWarehouse(decodeOrderStream(recorded)), message, deps.clock.now().toISOString());
      if (decision.outcome === 'refused') throw new DomainError(decision.refusal.code, decision.refusal.detail, { orderId: message.orderId, messageId: message.messageId });
      if (decision.outcome === 'duplicate') return { outcome: 'duplicate', orderId: message.orderId, messageId: message.messageId, eventType: null };
      const events = decision.events.map((e, i) => ({
        id: nameUuid(`warehouse-message/${message.orderId}/${message.messageId}/${i}`),
        type: e.type,
        data: e.data,
        metadata: { ...metadata, schemaVersion: e.schemaVersion, warehouseMessageId: message.messageId },
      }));
      try {
        const result = await deps.store.append(streamId, events, recorded.length - 1);
        // appended=false: these ids were in the stream already (a concurrent twin won): a duplicate.
        return { outcome: result.appended ? 'recorded' : 'duplicate', orderId: message.orderId, messageId: message.messageId, eventType: events[0]?.type ?? null };
      } catch (error) {
        // The order moved on (a pull, a release, the same message from another consumer): decide again.
        if (error instanceof ConcurrencyError && attempt < 5) continue;
        throw error;
      }
    }
  };

  /**
   * A raw Kafka message: parsed, checked and recorded; anything that cannot apply is recorded as
   * WarehouseMessageRejected instead (its id derived from topic, partition and offset, so a
   * re-delivery records it once). Throws only for infrastructure failures — the caller retries
   * those and does not commit the offset.
   */
  const consume = async (
    raw: Buffer | null,
    source: Readonly<{ topic: string; partition: number; offset: string }>,
    metadata: EventMetadata,
  ): Promise<Readonly<{ outcome: 'recorded' | 'duplicate' } | { outcome: 'rejected'; reason: string }>> => {
    const bytes = raw ?? Buffer.alloc(0);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      return reject(bytes, source, metadata, 'invalid_json', 'the message value is not JSON', null);
    }
    const parsed = WarehouseEventMessage.safeParse(json);
    if (!parsed.success) {
      // Paths and zod's messages only (they name types and options, never the received values).
      const detail = parsed.error.issues
        .slice(0, 20)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      return reject(bytes, source, metadata, 'invalid_message', detail.slice(0, 2000), json);
    }
    try {
      const result = await record(parsed.data, metadata);
      return { outcome: result.outcome };
    } catch (error) {
      if (error instanceof DomainError && error.code in warehouseEventErrorStatuses) {
        return reject(bytes, source, metadata, error.code, error.message, json);
      }
      throw error;
    }
  };

  const envelopeField = (json: unknown, key: string): string | null => {
    if (!json || typeof json !== 'object') return null;
    const v = (json as Record<string, unknown>)[key];
    return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null;
  };

  const reject = async (
    bytes: Buffer,
    source: Readonly<{ topic: string; partition: number; offset: string }>,
    metadata: EventMetadata,
    reason: string,
    detail: string,
    json: unknown,
  ) => {
    const tenantId = envelopeField(json, 'tenantId');
    const event = WarehouseMessageRejected.parse({
      type: 'WarehouseMessageRejected',
      schemaVersion: 1,
      data: {
        tenantId,
        messageId: envelopeField(json, 'messageId'),
        messageType: envelopeField(json, 'type'),
        orderId: envelopeField(json, 'orderId'),
        reason,
        detail,
        payloadHash: createHash('sha256').update(bytes).digest('hex'),
        payloadBytes: bytes.length,
        source,
        rejectedAt: deps.clock.now().toISOString(),
      },
    });
    await deps.store.append(
      warehouseRejectionStreamId(tenantId),
      [{ id: nameUuid(`warehouse-rejection/${source.topic}/${source.partition}/${source.offset}`), type: event.type, data: event.data, metadata: { ...metadata, schemaVersion: 1 } }],
      'any',
    );
    return { outcome: 'rejected' as const, reason };
  };

  return { record, consume };
};
export type WarehouseEventsService = ReturnType<typeof warehouseEvents>;
