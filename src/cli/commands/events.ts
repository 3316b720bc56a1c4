import { ERASED, erasureIn, SEALED } from '../../adapters/readModels/orderQueries.js';
import type { RecordedEvent } from '../../domain/ports/eventStore.js';
import type { CliContext } from '../context.js';
import { CliFailure, line, type CliIo } from '../io.js';

/**
 * Event data as an operator may see it: every `personalData` value (an order's sealed buyer name,
 * address, phone, e-mail) is replaced by `[sealed]`, wherever it sits — not even the ciphertext is
 * printed.
 */
export const redactSealed = (value: unknown, marker: string = SEALED): unknown => {
  if (Array.isArray(value)) return value.map((v) => redactSealed(v, marker));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'personalData' ? (v === null || v === undefined ? null : marker) : redactSealed(v, marker)]),
  );
};

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/** `marker` replaces sealed values: `[erased]` once the stream recorded BuyerDataErased. */
export const eventView = (e: RecordedEvent, marker: string = SEALED) => ({
  revision: e.revision,
  recordedAt: e.recordedAt,
  type: e.type,
  id: e.id,
  actor: text(e.metadata.actor),
  correlationId: text(e.metadata.correlationId),
  causationId: text(e.metadata.causationId),
  data: redactSealed(e.data, marker),
});

/** `oms events <streamId> [--json]`: a stream, oldest event first. */
export const eventsCommand = async (ctx: CliContext, io: CliIo, streamId: string, json: boolean): Promise<void> => {
  const events = await ctx.store.readStream(streamId);
  if (events.length === 0) throw new CliFailure(`stream ${streamId} has no events (no such stream?)`);
  const marker = erasureIn(events) ? ERASED : SEALED;
  const views = events.map((e) => eventView(e, marker));
  if (json) {
    line(io.stdout, JSON.stringify(views, null, 2));
    return;
  }
  line(io.stdout, `${streamId} — ${events.length} event${events.length === 1 ? '' : 's'}`);
  for (const v of views) {
    const who = [`actor=${v.actor ?? '-'}`, ...(v.correlationId ? [`correlation=${v.correlationId}`] : [])].join('  ');
    line(io.stdout);
    line(io.stdout, `#${v.revision}  ${v.recordedAt}  ${v.type}  ${who}`);
    line(io.stdout, JSON.stringify(v.data, null, 2).replace(/^/gm, '    '));
  }
};
