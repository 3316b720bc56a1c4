import type { Logger } from 'pino';
import type { Checkpoint, EventBatch, EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database, Sql } from '../../domain/ports/sql.js';
import type { Projection } from '../../projections/projection.js';
import { UnavailableError } from '../../domain/shared/errors.js';
import { isTransientError } from '../sql/transientErrors.js';
import { toScripts } from './inlineSql.js';
import { backoffDelay, sleep } from '../shared/timers.js';

/**
 * Runs pure projection definitions against the event store. For each projection:
 * - a catch-up subscription delivers batches; each batch's SQL and the new checkpoint commit in one
 *   transaction (exactly-once effect on the read model);
 * - the checkpoint row is locked and compared first, so two instances never apply the same batch
 *   twice (the loser re-reads where the winner got to);
 * - a transient error (database away) backs off and resumes from the stored checkpoint;
 * - any other error is isolated to one event, which is recorded with the error; that projection
 *   stops (status `failed`) while the others go on, until it is retried or rebuilt.
 */
export type ProjectionRunnerOptions = Readonly<{
  db: Database;
  store: EventStore;
  projections: readonly Projection[];
  log: Logger;
  maxBatch?: number;
  /** An empty batch only moves the checkpoint past filtered-out events: store it at most this often. */
  emptyCheckpointEveryMs?: number;
  now?: () => Date;
}>;

export type ProjectionStatus = Readonly<{
  name: string;
  version: number;
  status: 'running' | 'failed' | 'stopped';
  checkpoint: string | null;
  eventsProcessed: number;
  lastEventAt: string | null;
  /** Matching events not applied yet (capped at 100,000; null where the store cannot count). */
  eventsBehind: number | null;
  /** Age of the oldest event not applied yet, in ms (0 when caught up). */
  lagMs: number;
  failedEvent: { id: string; streamId: string; revision: number; type: string } | null;
  error: string | null;
}>;

type Row = {
  name: string;
  version: number;
  checkpoint: string | null;
  status: string;
  events_processed: number;
  last_event_at: Date | null;
  failed_event: ProjectionStatus['failedEvent'];
  error: string | null;
};

class Superseded extends Error {}

type Outcome = 'applied' | 'superseded' | 'failed';

export const projectionRunner = (opts: ProjectionRunnerOptions) => {
  const { db, store, log } = opts;
  const maxBatch = opts.maxBatch ?? 500;
  const emptyEvery = opts.emptyCheckpointEveryMs ?? 1000;
  const now = opts.now ?? (() => new Date());
  const byName = new Map(opts.projections.map((p) => [p.name, p]));
  const loops = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const stats = new Map<string, { batches: number; events: number; failures: number }>();

  const stat = (name: string) => {
    let s = stats.get(name);
    if (!s) stats.set(name, (s = { batches: 0, events: 0, failures: 0 }));
    return s;
  };

  /** Make sure the checkpoint row exists; a new version empties the tables and starts from zero. */
  const ensureRow = async (p: Projection): Promise<Row> =>
    db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO projection_checkpoints (name, version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
        [p.name, p.version],
      );
      const row = (await tx.query<Row>('SELECT * FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [p.name])).rows[0]!;
      if (row.version === p.version) return row;
      log.info({ projection: p.name, from: row.version, to: p.version }, 'projection version changed: rebuilding');
      return reset(tx, p);
    });

  const reset = async (tx: Sql, p: Projection): Promise<Row> => {
    if (p.tables.length) await tx.query(`TRUNCATE ${p.tables.map((t) => `"${t}"`).join(', ')}`);
    const { rows } = await tx.query<Row>(
      `UPDATE projection_checkpoints
          SET version = $2, checkpoint = NULL, status = 'running', events_processed = 0,
              last_event_at = NULL, failed_event = NULL, error = NULL, updated_at = now()
        WHERE name = $1 RETURNING *`,
      [p.name, p.version],
    );
    return rows[0]!;
  };

  const commitBatch = async (p: Projection, stored: string | null, batch: EventBatch): Promise<void> => {
    await db.transaction(async (tx) => {
      const current = (
        await tx.query<{ checkpoint: string | null; status: string }>(
          'SELECT checkpoint, status FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
          [p.name],
        )
      ).rows[0];
      if (!current || current.checkpoint !== stored || current.status !== 'running') throw new Superseded();
      // One round trip per batch (not per statement): a rebuild of a million events stays fast.
      for (const script of toScripts(batch.events.flatMap((event) => p.apply(event)))) await tx.exec(script);
      await tx.query(
        `UPDATE projection_checkpoints
            SET checkpoint = $2, events_processed = events_processed + $3,
                last_event_at = COALESCE($4::timestamptz, last_event_at), updated_at = now()
          WHERE name = $1`,
        [p.name, batch.checkpoint, batch.events.length, batch.events.at(-1)?.recordedAt ?? null],
      );
    });
  };

  const markFailed = async (p: Projection, event: RecordedEvent, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const failedEvent = { id: event.id, streamId: event.streamId, revision: event.revision, type: event.type };
    await db.query(
      `UPDATE projection_checkpoints SET status = 'failed', failed_event = $2, error = $3, updated_at = now()
        WHERE name = $1`,
      [p.name, JSON.stringify(failedEvent), message.slice(0, 2000)],
    );
    stat(p.name).failures++;
    log.error({ projection: p.name, event: failedEvent, err: error }, 'projection stopped on an event it cannot apply');
  };

  /** Apply a batch; on a non-transient failure, find the poison event by applying one at a time. */
  const applyBatch = async (p: Projection, stored: string | null, batch: EventBatch): Promise<Outcome> => {
    try {
      await commitBatch(p, stored, batch);
      stat(p.name).batches++;
      stat(p.name).events += batch.events.length;
      return 'applied';
    } catch (error) {
      if (error instanceof Superseded) return 'superseded';
      if (isTransientError(error)) throw error;
      if (batch.events.length === 1) {
        await markFailed(p, batch.events[0]!, error);
        return 'failed';
      }
      let at = stored;
      for (const event of batch.events) {
        const outcome = await applyBatch(p, at, { events: [event], checkpoint: event.checkpoint });
        if (outcome !== 'applied') return outcome;
        at = event.checkpoint;
      }
      // Every event applied alone: the failure needed the whole batch. Move past what remains.
      return at === batch.checkpoint ? 'applied' : applyBatch(p, at, { events: [], checkpoint: batch.checkpoint });
    }
  };

  const runLoop = async (p: Projection, signal: AbortSignal) => {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const row = await ensureRow(p);
        if (row.status === 'failed') return;
        let stored = row.checkpoint;
        let lastEmptySave = 0;
        let outcome: Outcome = 'applied';
        for await (const batch of store.subscribe({
          after: stored as Checkpoint | null,
          filter: p.filter,
          maxBatch,
          signal,
        })) {
          if (batch.events.length === 0) {
            if (now().getTime() - lastEmptySave < emptyEvery) continue;
            lastEmptySave = now().getTime();
          }
          outcome = await applyBatch(p, stored, batch);
          if (outcome !== 'applied') break;
          stored = batch.checkpoint;
          attempt = 0;
        }
        if (outcome === 'failed') return;
      } catch (error) {
        if (signal.aborted) return;
        attempt++;
        log.warn({ projection: p.name, err: error, attempt }, 'projection interrupted; retrying');
        await sleep(backoffDelay(attempt), signal);
      }
    }
  };

  const startOne = (p: Projection) => {
    if (loops.has(p.name)) return;
    const controller = new AbortController();
    const done = runLoop(p, controller.signal)
      .catch((error: unknown) => log.error({ projection: p.name, err: error }, 'projection loop crashed'))
      .finally(() => {
        if (loops.get(p.name)?.controller === controller) loops.delete(p.name);
      });
    loops.set(p.name, { controller, done });
  };

  const stopOne = async (name: string) => {
    const loop = loops.get(name);
    if (!loop) return;
    loop.controller.abort();
    await loop.done;
  };

  const projectionNamed = (name: string): Projection => {
    const p = byName.get(name);
    if (!p) throw new Error(`unknown projection: ${name}`);
    return p;
  };

  const status = async (): Promise<ProjectionStatus[]> => {
    const { rows } = await db.query<Row>('SELECT * FROM projection_checkpoints WHERE name = ANY($1::text[])', [[...byName.keys()]]);
    const byRow = new Map(rows.map((r) => [r.name, r]));
    return Promise.all(
      [...byName.values()].map(async (p): Promise<ProjectionStatus> => {
        const row = byRow.get(p.name);
        const checkpoint = (row?.checkpoint ?? null) as Checkpoint | null;
        const [behind, next] = await Promise.all([
          store.countAfter(checkpoint, 100_000, p.filter),
          store.readAll(checkpoint, { maxCount: 1, filter: p.filter }),
        ]);
        const oldest = next.events[0];
        return {
          name: p.name,
          version: p.version,
          status: row?.status === 'failed' ? 'failed' : loops.has(p.name) ? 'running' : 'stopped',
          checkpoint,
          eventsProcessed: row?.events_processed ?? 0,
          lastEventAt: row?.last_event_at?.toISOString() ?? null,
          eventsBehind: behind,
          lagMs: oldest ? Math.max(0, now().getTime() - Date.parse(oldest.recordedAt)) : 0,
          failedEvent: row?.failed_event ?? null,
          error: row?.error ?? null,
        };
      }),
    );
  };

  /** Has this projection applied every matching event readable now? */
  const isCaughtUp = async (p: Projection): Promise<boolean> => {
    const { rows } = await db.query<{ checkpoint: string | null; status: string }>(
      'SELECT checkpoint, status FROM projection_checkpoints WHERE name = $1',
      [p.name],
    );
    const row = rows[0];
    if (row?.status === 'failed') throw new UnavailableError(`projection ${p.name}`, `projection ${p.name} is stopped on a failed event`);
    const next = await store.readAll((row?.checkpoint ?? null) as Checkpoint | null, { maxCount: 1, filter: p.filter });
    return next.events.length === 0;
  };

  return {
    /** Resolve once the named projections have applied everything committed before the call. */
    caughtUp: async (names: readonly string[], timeoutMs = 60_000) => {
      const deadline = now().getTime() + timeoutMs;
      await store.awaitVisible();
      for (const name of names) {
        const p = projectionNamed(name);
        while (!(await isCaughtUp(p))) {
          if (now().getTime() > deadline) throw new UnavailableError(`projection ${name}`, `projection ${name} is behind`);
          await sleep(10);
        }
      }
    },
    /** Prepare every checkpoint row (rebuilding changed versions), then run the loops. */
    start: async () => {
      for (const p of opts.projections) await ensureRow(p);
      opts.projections.forEach(startOne);
    },
    stop: async () => {
      await Promise.all([...loops.keys()].map(stopOne));
    },
    /** Empty the projection's tables and replay it from the first event. */
    rebuild: async (name: string) => {
      const p = projectionNamed(name);
      await stopOne(name);
      await ensureRow(p);
      await db.transaction((tx) => reset(tx, p));
      startOne(p);
    },
    /** Try a failed projection again from where it stopped (after a fix). */
    retry: async (name: string) => {
      const p = projectionNamed(name);
      await db.query(
        `UPDATE projection_checkpoints SET status = 'running', failed_event = NULL, error = NULL, updated_at = now()
          WHERE name = $1`,
        [p.name],
      );
      startOne(p);
    },
    status,
    /** In-process counters for /metrics. */
    stats: () => new Map(stats),
    /** Resolve once every running projection has applied everything readable now (tests, CLI). */
    waitUntilCaughtUp: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      await store.awaitVisible();
      for (;;) {
        const all = await status();
        if (all.every((s) => s.status === 'failed' || s.lagMs === 0)) return all;
        if (Date.now() > deadline) throw new Error(`projections not caught up after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
  };
};

export type ProjectionRunner = ReturnType<typeof projectionRunner>;
