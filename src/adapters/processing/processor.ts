import type { Logger } from 'pino';
import type { Checkpoint, EventFilter, EventStore } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';
import { yieldToEventLoop } from '../../shared/yieldToEventLoop.js';
import { sqlLease } from '../feed/lease.js';
import { backoffDelay, sleep } from '../shared/timers.js';
import { batchSource } from './batchSource.js';
import { errorCode, type ProcessorState, type ProcessorStatus } from './processorStatus.js';
import { readAhead } from '../../shared/readAhead.js';
import type { LeaseHold, Round, Sink } from './sink.js';

/**
 * The one event-processing runtime: open (the sink says where from) → subscribe → read ahead
 * (bounded) → hand each batch to the sink, which stores the checkpoint → again. Errors back off and
 * resume from the stored checkpoint; a sink that reports `failed` stops the processor; `superseded`
 * reopens. With a lease, only the instance holding it processes (the others stand by) and the sink
 * gets the lease's epoch to fence its checkpoint. See docs/processing.md.
 */
export type ProcessorMetrics = Readonly<{
  /** A batch was handed over: its events and how long the sink took. */
  onBatch?: (name: string, events: number, ms: number) => void;
  /** An attempt failed and will be retried (error code, never the message). */
  onRetry?: (name: string, code: string) => void;
}>;

export type ProcessorLease = Readonly<{
  db: Sql;
  /** Unique per running instance. */
  holder: string;
  ttlMs: number;
  /** Lease name; the processor's name by default. */
  name?: string;
}>;

export type ProcessorOptions<W> = Readonly<{
  name: string;
  store: EventStore;
  filter: EventFilter;
  sink: Sink<W>;
  log: Logger;
  /** Largest batch handed to the sink (a round may override it). */
  maxBatch?: number;
  /** Batches read (and prepared) ahead of the one being handled: the back-pressure bound. */
  readAhead?: number;
  /** In live rounds, a batch without events (it only moves the checkpoint) is handed over at most this often. */
  emptyCheckpointEveryMs?: number;
  lease?: ProcessorLease;
  metrics?: ProcessorMetrics;
  now?: () => number;
}>;

type RoundEnd = 'head' | 'ended' | 'stopped' | 'lease-lost' | 'superseded' | 'failed';

export const eventProcessor = <W>(opts: ProcessorOptions<W>) => {
  const { name, store, filter, sink, log } = opts;
  const now = opts.now ?? Date.now;
  const lease = opts.lease ? sqlLease({ db: opts.lease.db, name: opts.lease.name ?? name, holder: opts.lease.holder, ttlMs: opts.lease.ttlMs }) : null;
  let state: ProcessorState = 'starting';
  let checkpoint: Checkpoint | null = null;
  let processed = 0;
  let batches = 0;
  let attempt = 0;
  let lastErrorCode: string | null = null;
  let leaseEpoch: number | null = null;
  let buffered: () => number = () => 0;
  let running: { controller: AbortController; done: Promise<void> } | null = null;

  /** Take the lease, standing by while another instance holds it; null once aborted. */
  const holdLease = async (signal: AbortSignal): Promise<LeaseHold | null> => {
    if (!lease) return null;
    for (;;) {
      const epoch = await lease.acquire();
      if (epoch !== null) {
        if (leaseEpoch !== epoch) log.info({ processor: name, epoch }, 'lease taken: processing');
        leaseEpoch = epoch;
        return { name: lease.name, holder: lease.holder, epoch };
      }
      state = 'standby';
      leaseEpoch = null;
      // Looked at again often enough to take over soon after a release (a stop gives it up at once).
      await sleep(Math.min(1000, Math.max(10, lease.ttlMs / 3)), signal);
      if (signal.aborted) return null;
    }
  };

  /** Renew the lease during a round; when it changed hands, end the round at once. */
  const keepLease = async (hold: LeaseHold, round: AbortController, lost: () => void) => {
    while (!round.signal.aborted) {
      await sleep(Math.max(10, lease!.ttlMs / 3), round.signal);
      if (round.signal.aborted) return;
      // A failed renewal (database away) is tried again; if the lease expires meanwhile, the next
      // renewal says so, and the sink's fenced checkpoint already refuses a stale holder.
      const kept = await lease!.renew(hold.epoch).catch(() => true);
      if (!kept) {
        log.warn({ processor: name, epoch: hold.epoch }, 'lease lost: standing by');
        lost();
        round.abort();
      }
    }
  };

  const runRound = async (round: Round, hold: LeaseHold | null, signal: AbortSignal): Promise<RoundEnd> => {
    const controller = new AbortController();
    const stop = () => controller.abort();
    // Stopped while the sink opened: a listener added now would never hear it.
    if (signal.aborted) controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    let leaseLost = false;
    const heartbeat = hold ? keepLease(hold, controller, () => (leaseLost = true)) : null;
    const maxBatch = round.maxBatch ?? opts.maxBatch ?? 500;
    const ahead = readAhead(batchSource(store, round, filter, maxBatch, controller.signal), round.readAhead ?? opts.readAhead ?? 1, (batch) => ({
      batch,
      work: sink.prepare(batch),
    }));
    buffered = ahead.buffered;
    const emptyEvery = opts.emptyCheckpointEveryMs ?? 0;
    let from = round.after;
    let lastEmptySave = 0;
    try {
      for (let prepared = await ahead.next(); prepared && !controller.signal.aborted; prepared = await ahead.next()) {
        const { batch } = prepared;
        if (batch.events.length === 0 && round.until === 'live' && emptyEvery > 0) {
          if (now() - lastEmptySave < emptyEvery) continue;
          lastEmptySave = now();
        }
        const started = now();
        const outcome = await sink.handle(prepared, from, hold);
        if (outcome !== 'applied') return outcome;
        from = checkpoint = batch.checkpoint;
        processed += batch.events.length;
        batches++;
        attempt = 0;
        state = 'ok';
        lastErrorCode = null;
        opts.metrics?.onBatch?.(name, batch.events.length, now() - started);
        // Let timers and I/O in between batches: embedded PGlite answers on this thread without
        // leaving the microtask queue (a long catch-up held /healthz for minutes, #14.7).
        await yieldToEventLoop();
      }
      if (leaseLost) return 'lease-lost';
      if (signal.aborted) return 'stopped';
      return round.until === 'head' ? 'head' : 'ended';
    } finally {
      controller.abort();
      signal.removeEventListener('abort', stop);
      await ahead.close();
      buffered = () => 0;
      await heartbeat;
    }
  };

  const run = async (signal: AbortSignal) => {
    let hold: LeaseHold | null = null;
    try {
      while (!signal.aborted) {
        try {
          hold = await holdLease(signal);
          if (lease && !hold) return;
          const round = await sink.open();
          if (round === 'failed') {
            state = 'failed';
            return;
          }
          checkpoint = round.after;
          if (state !== 'retrying') state = 'ok';
          const end = await runRound(round, hold, signal);
          if (end === 'failed') {
            state = 'failed';
            return;
          }
          if (end === 'head' && !signal.aborted) await sink.reachedHead?.();
          if (end === 'lease-lost') state = 'standby';
        } catch (error) {
          if (signal.aborted) return;
          attempt++;
          state = 'retrying';
          lastErrorCode = errorCode(error);
          opts.metrics?.onRetry?.(name, lastErrorCode);
          log.warn({ processor: name, kind: sink.kind, err: error, attempt }, 'processing interrupted; retrying');
          await sleep(backoffDelay(attempt), signal);
        }
      }
    } finally {
      if (state !== 'failed') state = 'stopped';
      // Give the lease up, so another instance takes over without waiting for it to expire.
      if (lease && hold) await lease.release(hold.epoch).catch(() => undefined);
      leaseEpoch = null;
    }
  };

  return {
    name,
    /** Start processing (again, after stop or failure); a no-op while running. */
    start: () => {
      if (running) return;
      const controller = new AbortController();
      if (state !== 'retrying') state = 'starting';
      const done = run(controller.signal)
        .catch((error: unknown) => log.error({ processor: name, err: error }, 'processor crashed'))
        .finally(() => {
          if (running?.controller === controller) running = null;
        });
      running = { controller, done };
    },
    /** Stop after the batch being handled; resolves once the loop has ended and the lease is released. */
    stop: async () => {
      const r = running;
      if (!r) return;
      r.controller.abort();
      await r.done;
    },
    isRunning: () => running !== null,
    status: (): ProcessorStatus => ({ name, state, checkpoint, processed, batches, buffered: buffered(), attempt, lastErrorCode, leaseEpoch }),
  };
};

export type EventProcessor = ReturnType<typeof eventProcessor>;
