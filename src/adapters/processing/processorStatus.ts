import type { Checkpoint, EventFilter, EventStore } from '../../domain/ports/eventStore.js';

/**
 * `starting` until the first round opens; `ok` while batches are handled (or none are waiting);
 * `retrying` after an error, during the back-off; `standby` while another instance holds the lease;
 * `failed` once the sink stopped on an event; `stopped` after stop().
 */
export type ProcessorState = 'starting' | 'ok' | 'retrying' | 'standby' | 'failed' | 'stopped';

export type ProcessorStatus = Readonly<{
  name: string;
  state: ProcessorState;
  /** The last checkpoint this instance stored or started from. */
  checkpoint: Checkpoint | null;
  /** Events and batches handed over by this instance since it was created. */
  processed: number;
  batches: number;
  /** Batches read ahead and waiting for the sink (at most the read-ahead depth). */
  buffered: number;
  /** Consecutive failed attempts (0 while healthy). */
  attempt: number;
  /** Code of the last error (SQLSTATE, node or domain code, else the error's name); never its message. */
  lastErrorCode: string | null;
  leaseEpoch: number | null;
}>;

/** A stable, data-free label for an error: its code when it has one (SQLSTATE, ECONNRESET, domain code). */
export const errorCode = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code) return code;
  return error instanceof Error ? error.name : 'unknown';
};

/** Age of the oldest matching event after `checkpoint` (0 when caught up): the lag a consumer shows. */
export const oldestUnhandledAgeMs = async (store: EventStore, checkpoint: Checkpoint | null, filter: EventFilter, nowMs: number): Promise<number> => {
  const oldest = (await store.readAll(checkpoint, { maxCount: 1, filter })).events[0];
  return oldest ? Math.max(0, nowMs - Date.parse(oldest.recordedAt)) : 0;
};

/**
 * Matching events after `checkpoint`, counted up to `cap` (null where the store cannot count). With
 * `committed`, events committed but not readable yet (PostgreSQL's visibility horizon) count too.
 */
export const eventsBehind = (store: EventStore, checkpoint: Checkpoint | null, filter: EventFilter, cap: number, committed = false): Promise<number | null> =>
  store.countAfter(checkpoint, cap, filter, committed ? { committed: true } : undefined);

/** How far a consumer is behind: matching events not handled (capped) and the age of the oldest. */
export const lagOf = async (
  store: EventStore,
  checkpoint: Checkpoint | null,
  filter: EventFilter,
  nowMs: number,
  cap = 100_000,
): Promise<{ eventsBehind: number | null; lagMs: number }> => {
  const [behind, lagMs] = await Promise.all([eventsBehind(store, checkpoint, filter, cap), oldestUnhandledAgeMs(store, checkpoint, filter, nowMs)]);
  return { eventsBehind: behind, lagMs };
};
