import { z } from 'zod';

/**
 * A warehouse message from Kafka that OMS could not apply (bad JSON, contract violation, or refused
 * by decideWarehouseMessage), recorded so the consumer can move on without losing sight of it.
 * Stream `warehouse-rejections-<tenantId>` (or `…-unknown` when the message names no usable tenant).
 *
 * Never the payload: only a SHA-256 of it (to match it with the WMS's own log) and what was readable
 * of the envelope (ids and type), so no buyer data or free text from the WMS ends up in the store.
 */
export const WAREHOUSE_REJECTIONS_PREFIX = 'warehouse-rejections-';
export const UNKNOWN_TENANT = 'unknown';

/** Reasons of a rejected message: the contract's own two plus every refusal code of the decider. */
export const MESSAGE_REJECTION_REASONS = ['invalid_json', 'invalid_message'] as const;

export const WarehouseMessageRejected = z.object({
  type: z.literal('WarehouseMessageRejected'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string().nullable(),
    messageId: z.string().nullable(),
    messageType: z.string().nullable(),
    orderId: z.string().nullable(),
    /** invalid_json, invalid_message, or a refusal code (order_not_found, line_not_released…). */
    reason: z.string(),
    detail: z.string(),
    payloadHash: z.string().regex(/^[0-9a-f]{64}$/),
    payloadBytes: z.number().int().min(0),
    source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
    rejectedAt: z.iso.datetime(),
  }),
});
export type WarehouseMessageRejected = z.infer<typeof WarehouseMessageRejected>;

/** The stream for a tenant id read from a message: only an id-shaped value names a stream. */
export const warehouseRejectionStreamId = (tenantId: string | null): string =>
  WAREHOUSE_REJECTIONS_PREFIX + (tenantId && /^[A-Za-z0-9_-]{1,100}$/.test(tenantId) ? tenantId : UNKNOWN_TENANT);
