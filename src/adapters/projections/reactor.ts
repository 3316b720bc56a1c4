import type { Logger } from 'pino';
import type { EventFilter, EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { eventProcessor, type ProcessorLease, type ProcessorMetrics } from '../processing/processor.js';
import { loadCheckpoint, loadCheckpointStates } from '../processing/checkpoints.js';
import { eventsBehind } from '../processing/processorStatus.js';
import { reactorSink } from '../processing/reactorSink.js';
import { sleep } from '../shared/timers.js';

/**
 * Runs a reaction (side effects: commands to the domain) for every matching event, at least once,
 * in global order: the processing runtime with a reactor sink (src/adapters/processing). The
 * checkpoint (a row in projection_checkpoints) moves after the reaction succeeded, so a crash repeats
 * the reaction: reactions must be idempotent (the release policy is, because its decisions are folded
 * from the order's own stream). Any error backs off and retries the same batch; nothing is skipped.
 */
export const eventReactor = (opts: {
  name: string;
  db: Database;
  store: EventStore;
  filter: EventFilter;
  react: (event: RecordedEvent) => Promise<void>;
  /** When given, a whole batch at once (in event order), e.g. to share reads and writes across it. */
  reactBatch?: (events: readonly RecordedEvent[]) => Promise<void>;
  log: Logger;
  maxBatch?: number;
  /**
   * A batch with no matching event only moves the checkpoint past other events: stored at most this
   * often (default 1 s), not once per poll — the filter skips them again after a restart.
   */
  emptyCheckpointEveryMs?: number;
  /** Single active instance across processes (see processor.ts). */
  lease?: ProcessorLease;
  metrics?: ProcessorMetrics;
}) => {
  const react =
    opts.reactBatch ??
    (async (events: readonly RecordedEvent[]) => {
      for (const event of events) await opts.react(event);
    });
  const processor = eventProcessor({
    name: opts.name,
    store: opts.store,
    filter: opts.filter,
    sink: reactorSink({ db: opts.db, name: opts.name, react }),
    log: opts.log,
    maxBatch: opts.maxBatch ?? 500,
    emptyCheckpointEveryMs: opts.emptyCheckpointEveryMs ?? 1000,
    ...(opts.lease ? { lease: opts.lease } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });

  return {
    start: processor.start,
    stop: processor.stop,
    processed: () => processor.status().processed,
    status: processor.status,
    /** Matching events after the last batch reacted to (capped), for the backlog gauge. */
    eventsBehind: async (cap = 100_000) => {
      // Before its first round opens (or while another instance holds the lease) this instance's
      // checkpoint is not where the reactor is: count from the stored one, not from the beginning.
      const { state, checkpoint } = processor.status();
      const from = state === 'starting' || state === 'standby' ? await loadCheckpoint(opts.db, opts.name) : checkpoint;
      return eventsBehind(opts.store, from, opts.filter, cap);
    },
    /** Resolve once every matching event readable now has been reacted to. */
    caughtUp: async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      await opts.store.awaitVisible();
      for (;;) {
        const row = (await loadCheckpointStates(opts.db, [opts.name])).get(opts.name);
        const next = row ? await opts.store.readAll(row.checkpoint, { maxCount: 1, filter: opts.filter }) : null;
        if (next?.events.length === 0) return;
        if (Date.now() > deadline) throw new Error(`${opts.name} not caught up after ${timeoutMs} ms`);
        await sleep(20);
      }
    },
  };
};

export type EventReactor = ReturnType<typeof eventReactor>;
