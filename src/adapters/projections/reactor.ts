import type { Logger } from 'pino';
import type { Checkpoint, EventFilter, EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { prefetchOne } from '../shared/prefetch.js';
import { backoffDelay, sleep } from '../shared/timers.js';
import { yieldToEventLoop } from '../../shared/yieldToEventLoop.js';

/**
 * Runs a reaction (side effects: commands to the domain) for every matching event, at least once,
 * in global order. The checkpoint (a row in projection_checkpoints) moves after the reaction
 * succeeded, so a crash repeats the reaction: reactions must be idempotent (the release policy is,
 * because its decisions are folded from the order's own stream). Any error backs off and retries
 * the same event; a reaction never skips an event.
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
}) => {
  const controller = new AbortController();
  let loop: Promise<void> | null = null;
  let processed = 0;

  const load = async (): Promise<Checkpoint | null> => {
    await opts.db.query(`INSERT INTO projection_checkpoints (name, version) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, [opts.name]);
    const { rows } = await opts.db.query<{ checkpoint: string | null }>('SELECT checkpoint FROM projection_checkpoints WHERE name = $1', [opts.name]);
    return (rows[0]?.checkpoint ?? null) as Checkpoint | null;
  };
  const save = async (checkpoint: Checkpoint | null, count: number, lastAt: string | null) => {
    await opts.db.query(
      `UPDATE projection_checkpoints SET checkpoint = $2, events_processed = events_processed + $3,
              last_event_at = COALESCE($4::timestamptz, last_event_at), updated_at = now() WHERE name = $1`,
      [opts.name, checkpoint, count, lastAt],
    );
  };

  const run = async () => {
    let attempt = 0;
    while (!controller.signal.aborted) {
      try {
        let checkpoint = await load();
        const batches = opts.store.subscribe({ after: checkpoint, filter: opts.filter, maxBatch: opts.maxBatch ?? 500, signal: controller.signal });
        // The next batch is read while this one is reacted to (the checkpoint still moves in order).
        for await (const batch of prefetchOne(batches)) {
          if (opts.reactBatch) {
            await opts.reactBatch(batch.events);
            processed += batch.events.length;
          } else {
            for (const event of batch.events) {
              await opts.react(event);
              processed++;
            }
          }
          await save(batch.checkpoint, batch.events.length, batch.events.at(-1)?.recordedAt ?? null);
          checkpoint = batch.checkpoint;
          attempt = 0;
          // Let timers and I/O in between batches (embedded PGlite never leaves the microtask queue).
          await yieldToEventLoop();
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        attempt++;
        opts.log.warn({ reactor: opts.name, err: error, attempt }, 'reaction failed; retrying');
        await sleep(backoffDelay(attempt), controller.signal);
      }
    }
  };

  return {
    start: () => {
      loop ??= run();
    },
    stop: async () => {
      controller.abort();
      await loop;
    },
    processed: () => processed,
    /** Resolve once every matching event readable now has been reacted to. */
    caughtUp: async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      await opts.store.awaitVisible();
      for (;;) {
        const { rows } = await opts.db.query<{ checkpoint: string | null }>('SELECT checkpoint FROM projection_checkpoints WHERE name = $1', [opts.name]);
        const next = await opts.store.readAll((rows[0]?.checkpoint ?? null) as Checkpoint | null, { maxCount: 1, filter: opts.filter });
        if (rows.length && next.events.length === 0) return;
        if (Date.now() > deadline) throw new Error(`${opts.name} not caught up after ${timeoutMs} ms`);
        await sleep(20);
      }
    },
  };
};

export type EventReactor = ReturnType<typeof eventReactor>;
