import { z } from 'zod';

/**
 * A pull met an order it could not read (even with the tolerant parsers). The rest of its page was
 * recorded; this event keeps what an operator needs to chase it — which store and pull, the
 * marketplace's order id, the reason (field names, never values) and a keyed hash of the payload
 * (HMAC: equal payloads have equal hashes, and the hash reveals nothing about the buyer). Every
 * later pull whose window holds the order reads it again; an unchanged payload appends nothing
 * (the event id derives from store, order and hash).
 */
export const OrderRejected = z.object({
  type: z.literal('OrderRejected'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string(),
    storeId: z.string(),
    pullId: z.string(),
    platform: z.enum(['amazon', 'walmart']),
    /** Null when the payload has no readable id either. */
    platformOrderId: z.string().nullable(),
    reason: z.string(),
    payloadHash: z.string(),
    rejectedAt: z.iso.datetime(),
  }),
});
export type OrderRejected = z.infer<typeof OrderRejected>;

/** One stream per store: its rejections in the order they were met ("rejections-" is no other stream's prefix). */
export const orderRejectionStreamId = (storeId: string) => `rejections-${storeId}`;
