import { z } from 'zod';

/** `sweep`: the periodic reconciliation re-read of the last 2 days (or the initial look-back). */
const Window = z.object({ kind: z.enum(['created', 'updated']), from: z.iso.datetime(), to: z.iso.datetime(), sweep: z.boolean().optional() });
const Base = { pullId: z.string(), storeId: z.string(), tenantId: z.string() };

/** A pull of one store began (trigger: the schedule, a manual sync, or the initial look-back). */
export const PullStarted = z.object({
  type: z.literal('PullStarted'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, trigger: z.enum(['initial', 'schedule', 'manual']), window: Window, resumed: z.boolean(), startedAt: z.iso.datetime() }),
});

/** Every page was read; `watermark` is where the next pull may start (it never moves on failure). */
export const PullCompleted = z.object({
  type: z.literal('PullCompleted'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    window: Window,
    pages: z.number().int(),
    ordersNew: z.number().int(),
    ordersChanged: z.number().int(),
    ordersUnchanged: z.number().int(),
    watermark: z.iso.datetime(),
    completedAt: z.iso.datetime(),
    /** The resume point was refused (e.g. an expired pagination token) and the window was read again from its start. */
    restarted: z.object({ reason: z.string(), detail: z.string() }).optional(),
  }),
});

/** The pull stopped (rate limits, marketplace errors, revoked access); it resumes from its last page. */
export const PullFailed = z.object({
  type: z.literal('PullFailed'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, window: Window, pages: z.number().int(), reason: z.string(), detail: z.string(), resumable: z.boolean(), failedAt: z.iso.datetime() }),
});

export const PullEvent = z.discriminatedUnion('type', [PullStarted, PullCompleted, PullFailed]);
export type PullEvent = z.infer<typeof PullEvent>;
export const pullStreamId = (storeId: string) => `pulls-${storeId}`;
