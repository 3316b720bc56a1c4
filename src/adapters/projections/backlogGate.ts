import type { Logger } from 'pino';
import type { EventFilter, EventStore } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { loadCheckpointStates } from '../processing/checkpoints.js';
import { eventsBehind } from '../processing/processorStatus.js';
import { sleep } from '../shared/timers.js';

/**
 * Back-pressure for the pull: before a page of orders is recorded, wait while a consumer downstream
 * (the release policy) has more than `maxBacklog` matching events it has not handled yet. A pull can
 * record orders several times faster than the policy decides them on the same two cores; without
 * the gate a large backlog (a new seller's look-back, a catch-up after downtime) queues inside OMS
 * and every order in it waits for the whole queue before it reaches the warehouse. With it, orders
 * wait at the marketplace instead, and each one recorded is handed over within about
 * `maxBacklog` ÷ (the policy's rate) seconds.
 *
 * The gate never stops ingestion for long: it lets the page through once the consumer, with work
 * waiting, has not moved for `stallMs` (stopped, failed, or on another instance that died), or
 * after `maxWaitMs` for one page. Where the store cannot count (EventStoreDB), it lets every page
 * through.
 */
export type BacklogGateOptions = Readonly<{
  db: Database;
  store: EventStore;
  /** Checkpoint rows (projection_checkpoints.name) of the consumers to keep pace with, and what they read. */
  consumers: readonly Readonly<{ name: string; filter: EventFilter }>[];
  /** Events a consumer may have waiting; 0 turns the gate off. */
  maxBacklog: number;
  /** Longest wait for one page. */
  maxWaitMs: number;
  /** A consumer whose checkpoint has not moved for this long while it had work is not waited for. */
  stallMs?: number;
  /** Pause between two looks at the backlog while waiting. */
  pollMs?: number;
  log: Logger;
  /** After a page had to wait: for how long, and why it went (metrics). */
  onWaited?: (ms: number, outcome: 'caught_up' | 'stalled' | 'max_wait') => void;
  now?: () => number;
}>;

type Look = Readonly<{ consumer: string | null; backlog: number; stuckSince: number }>;

export const backlogGate = (opts: BacklogGateOptions) => {
  const { db, store, consumers, maxBacklog } = opts;
  const stallMs = opts.stallMs ?? 5_000;
  const pollMs = opts.pollMs ?? 50;
  const now = opts.now ?? Date.now;
  const names = consumers.map((c) => c.name);
  const lastSeen = new Map<string, { checkpoint: string | null; at: number }>();
  let inFlight: Promise<Look> | null = null;
  let warnedAt = 0;
  /** Events of pages admitted by this gate and not recorded yet: they count as waiting already. */
  let admittedUnrecorded = 0;

  /**
   * Since when has the consumer had work waiting at this same checkpoint? The clock starts when the
   * gate first sees it with work (an idle consumer's old checkpoint is not a stall).
   */
  const stuckSince = (name: string, checkpoint: string | null): number => {
    const seen = lastSeen.get(name);
    if (seen && seen.checkpoint === checkpoint) return seen.at;
    lastSeen.set(name, { checkpoint, at: now() });
    return now();
  };

  /** The largest backlog among the consumers (capped just above the limit) — one look shared by every pull waiting. */
  const look = (): Promise<Look> =>
    (inFlight ??= (async (): Promise<Look> => {
      try {
        // The consumers' stored checkpoints (whichever instance runs them), read and counted as the
        // runtime's own status does (src/adapters/processing).
        const states = await loadCheckpointStates(db, names);
        let worst: Look = { consumer: null, backlog: 0, stuckSince: now() };
        for (const c of consumers) {
          const row = states.get(c.name);
          if (!row || row.failed) continue;
          const backlog = (await eventsBehind(store, row.checkpoint, c.filter, maxBacklog + 1, true)) ?? 0;
          if (backlog === 0) {
            lastSeen.delete(c.name);
            continue;
          }
          const since = stuckSince(c.name, row.checkpoint);
          if (backlog > worst.backlog) worst = { consumer: c.name, backlog, stuckSince: since };
        }
        return worst;
      } finally {
        inFlight = null;
      }
    })());

  return {
    /**
     * Resolve when a page of `events` may be recorded (at once when the consumers keep up), with the
     * function to call once it is recorded (or failed). Pages admitted and not recorded yet count as
     * waiting, so pulls running side by side do not all slip in on the same look.
     */
    admit: async (events: number, signal?: AbortSignal): Promise<() => void> => {
      let admitted = false;
      const admit = () => {
        admittedUnrecorded += events;
        admitted = true;
        return () => {
          if (!admitted) return;
          admitted = false;
          // Recorded: from now on the backlog's count includes it (committed events are counted
          // even while PostgreSQL's visibility horizon keeps them from the consumers).
          admittedUnrecorded -= events;
        };
      };
      if (maxBacklog <= 0) return admit();
      const started = now();
      const deadline = started + opts.maxWaitMs;
      const waited = (outcome: 'caught_up' | 'stalled' | 'max_wait') => {
        if (now() > started || outcome !== 'caught_up') opts.onWaited?.(now() - started, outcome);
        return admit();
      };
      for (;;) {
        const { consumer, backlog, stuckSince: since } = await look();
        // A shutdown: the pull stops after this page; its wait says nothing about the consumer.
        if (signal?.aborted) return admit();
        // Admitted while the total is within the limit: it overshoots by at most this one page.
        if (backlog + admittedUnrecorded <= maxBacklog) return waited('caught_up');
        const stalled = backlog > 0 && now() - since >= stallMs;
        if (stalled || now() >= deadline) {
          if (now() - warnedAt > 60_000) {
            warnedAt = now();
            opts.log.warn({ consumer, backlog, stalled }, 'a consumer downstream is behind; recording pulled orders without waiting for it');
          }
          return waited(stalled ? 'stalled' : 'max_wait');
        }
        await sleep(pollMs, signal);
      }
    },
  };
};
