import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Checkpoint, EventFilter, EventStore } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';
import { yieldToEventLoop } from '../../shared/yieldToEventLoop.js';
import { sqlLease } from '../feed/lease.js';
import { backoffDelay, sleep } from '../shared/timers.js';
import { batchSource } from './batchSource.js';
import { errorCode, type ProcessorState, type ProcessorStatus } from './processorStatus.js';
import { readAhead, type ReadAhead } from '../../shared/readAhead.js';
import type { LeaseHold, Prepared, Round, Sink } from './sink.js';

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
  /** Back-off between attempts: the first delay's bound and the largest (defaults 100 ms and 10 s). */
  backoff?: Readonly<{ baseMs?: number; maxMs?: number }>;
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
  /** performance.now() until which the lease is surely ours (measured from before the last renewal). */
  let leaseValidUntil = 0;
  let running: { controller: AbortController; done: Promise<void> } | null = null;

  /** Take the lease, standing by while another instance holds it; null once aborted. */
  const holdLease = async (signal: AbortSignal): Promise<LeaseHold | null> => {
    if (!lease) return null;
    for (;;) {
      const asked = performance.now();
      const epoch = await lease.acquire();
      if (epoch !== null) {
        if (leaseEpoch !== epoch) log.info({ processor: name, epoch }, 'lease taken: processing');
        leaseEpoch = epoch;
        leaseValidUntil = asked + lease.ttlMs;
        return { name: lease.name, holder: lease.holder, epoch, valid: () => performance.now() < leaseValidUntil };
      }
      state = 'standby';
      leaseEpoch = null;
      // Looked at again often enough to take over soon after a release (a stop gives it up at once).
      await sleep(Math.min(1000, Math.max(10, lease.ttlMs / 3)), signal);
      if (signal.aborted) return null;
    }
  };

  /**
   * Renew the lease while it is held (opening and rounds); when it changed hands, or could not be
   * renewed before it ran out, end the session at once.
   */
  const keepLease = async (hold: LeaseHold, session: AbortController, lost: () => void) => {
    while (!session.signal.aborted) {
      await sleep(Math.max(10, lease!.ttlMs / 3), session.signal);
      if (session.signal.aborted) return;
      const asked = performance.now();
      // A failed renewal (database away) is tried again while the lease surely lasts; the sink's
      // fenced checkpoint refuses a stale holder in any case.
      const kept = await lease!.renew(hold.epoch).catch(() => (performance.now() < leaseValidUntil ? 'retry' : false));
      if (kept === true) leaseValidUntil = asked + lease!.ttlMs;
      if (kept === false) {
        log.warn({ processor: name, epoch: hold.epoch }, 'lease lost: standing by');
        lost();
        session.abort();
      }
    }
  };

  /** Several batches already prepared go to the sink as one, when the sink takes groups. */
  const grouped = (first: Prepared<W>, ahead: ReadAhead<Prepared<W>>): Prepared<W> => {
    if (!sink.group) return first;
    const items = [first];
    for (let events = first.batch.events.length; events < sink.group.maxEvents; ) {
      const more = ahead.nextIfReady();
      if (!more) break;
      items.push(more);
      events += more.batch.events.length;
    }
    if (items.length === 1) return first;
    return {
      batch: { events: items.flatMap((i) => i.batch.events), checkpoint: items.at(-1)!.batch.checkpoint },
      work: sink.group.merge(items.map((i) => i.work)),
    };
  };

  const runRound = async (round: Round, hold: LeaseHold | null, signal: AbortSignal, leaseLost: () => boolean, stopped: AbortSignal): Promise<RoundEnd> => {
    const controller = new AbortController();
    const stop = () => controller.abort();
    // Stopped while the sink opened: a listener added now would never hear it.
    if (signal.aborted) controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    const maxBatch = round.maxBatch ?? opts.maxBatch ?? 500;
    const ahead = readAhead(batchSource(store, round, filter, maxBatch, controller.signal), round.readAhead ?? opts.readAhead ?? 1, (batch): Prepared<W> | Promise<Prepared<W>> => {
      const work = sink.prepare(batch);
      return work instanceof Promise ? work.then((w: W) => ({ batch, work: w })) : { batch, work };
    });
    buffered = ahead.buffered;
    const emptyEvery = opts.emptyCheckpointEveryMs ?? 0;
    let from = round.after;
    let lastEmptySave = 0;
    try {
      for (let next = await ahead.next(); next && !controller.signal.aborted; next = await ahead.next()) {
        const prepared = grouped(next, ahead);
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
      if (leaseLost()) return 'lease-lost';
      if (stopped.aborted) return 'stopped';
      return round.until === 'head' ? 'head' : 'ended';
    } finally {
      controller.abort();
      signal.removeEventListener('abort', stop);
      await ahead.close();
      buffered = () => 0;
    }
  };

  const run = async (signal: AbortSignal) => {
    let hold: LeaseHold | null = null;
    try {
      while (!signal.aborted) {
        try {
          hold = await holdLease(signal);
          if (lease && !hold) return;
          // The session: while the lease is held (opening included), renewed alongside.
          const session = new AbortController();
          const endSession = () => session.abort();
          if (signal.aborted) session.abort();
          signal.addEventListener('abort', endSession, { once: true });
          let leaseLost = false;
          const heartbeat = hold ? keepLease(hold, session, () => (leaseLost = true)) : null;
          let end: RoundEnd | 'open-failed';
          try {
            const round = await sink.open();
            if (round !== 'failed') {
              checkpoint = round.after;
              if (state !== 'retrying') state = 'ok';
            }
            end = round === 'failed' ? 'open-failed' : await runRound(round, hold, session.signal, () => leaseLost, signal);
          } finally {
            session.abort();
            signal.removeEventListener('abort', endSession);
            await heartbeat;
          }
          if (end === 'failed' || end === 'open-failed') {
            state = 'failed';
            return;
          }
          if (end === 'head' && !signal.aborted) await sink.reachedHead?.();
          if (end === 'lease-lost' || leaseLost) {
            state = 'standby';
            leaseEpoch = null;
          }
        } catch (error) {
          if (signal.aborted) return;
          attempt++;
          state = 'retrying';
          lastErrorCode = errorCode(error);
          opts.metrics?.onRetry?.(name, lastErrorCode);
          sink.interrupted?.(error, attempt);
          log.warn({ processor: name, kind: sink.kind, err: error, attempt }, 'processing interrupted; retrying');
          await sleep(backoffDelay(attempt, opts.backoff?.baseMs, opts.backoff?.maxMs), signal);
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
