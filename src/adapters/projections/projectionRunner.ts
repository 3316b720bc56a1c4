import type { Logger } from 'pino';
import type { Checkpoint, EventBatch, EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database, Sql } from '../../domain/ports/sql.js';
import type { Projection } from '../../projections/projection.js';
import { UnavailableError } from '../../domain/shared/errors.js';
import { isTransientError } from '../sql/transientErrors.js';
import { backoffDelay, sleep } from '../shared/timers.js';
import { yieldToEventLoop } from '../../shared/yieldToEventLoop.js';
import { batchSql, runBatchSql, type BatchSql } from './batchSql.js';
import { readAhead } from './readAhead.js';
import { prefetchOne } from '../shared/prefetch.js';
import { restoreIndexes, setAsideCount, setAsideCounts, setAsideIndexes } from './rebuildIndexes.js';

/**
 * Runs pure projection definitions against the event store. For each projection:
 * - a catch-up subscription delivers batches; each batch's SQL and the new checkpoint commit in one
 *   transaction (exactly-once effect on the read model);
 * - the checkpoint row is locked and compared first, so two instances never apply the same batch
 *   twice (the loser re-reads where the winner got to);
 * - a transient error (database away) backs off and resumes from the stored checkpoint;
 * - any other error is isolated to one event, which is recorded with the error; that projection
 *   stops (status `failed`) while the others go on, until it is retried or rebuilt.
 * A rebuild from zero of a large backlog sets the projection's secondary indexes aside (see
 * rebuildIndexes.ts) and catches up in large batches, reading the next ones while the current one
 * is written; once it has caught up, it builds the indexes again. Projections with `applyBatch`
 * write each batch set-based, in a few statements (see batchSql.ts).
 */
export type ProjectionRunnerOptions = Readonly<{
  db: Database;
  store: EventStore;
  projections: readonly Projection[];
  log: Logger;
  maxBatch?: number;
  /** Batch size while a projection rebuilds with its indexes set aside (fewer, larger transactions). */
  rebuildBatch?: number;
  /** Batches read and turned into SQL ahead of the one being written, during such a rebuild. */
  rebuildReadAhead?: number;
  /**
   * A rebuild from zero sets the projection's secondary indexes aside when at least this many
   * events are to be replayed (below it, building the indexes again costs more than it saves).
   */
  rebuildWithoutIndexesFrom?: number;
  /** maintenance_work_mem of each index build after a rebuild (PostgreSQL server). */
  rebuildMaintenanceWorkMem?: string;
  /** Index builds at once after a rebuild, each on its own connection (PostgreSQL server; PGlite: 1). */
  rebuildIndexBuilders?: number;
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
  /** Secondary indexes set aside by a rebuild in progress (built again when it catches up). */
  indexesSetAside: number;
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

/** How a batch commits: normally, or as part of a rebuild without indexes. */
type CommitMode = Readonly<{ rebuilding: boolean }>;
const NORMAL: CommitMode = { rebuilding: false };

/** A batch with its SQL, computed ahead; `sql` is null when the projection threw on one of its events. */
type Prepared = Readonly<{ batch: EventBatch; sql: BatchSql | null }>;

export const projectionRunner = (opts: ProjectionRunnerOptions) => {
  const { db, store, log } = opts;
  const maxBatch = opts.maxBatch ?? 500;
  const rebuildBatch = opts.rebuildBatch ?? 4000;
  const rebuildReadAhead = opts.rebuildReadAhead ?? 2;
  const rebuildWithoutIndexesFrom = opts.rebuildWithoutIndexesFrom ?? 20_000;
  const restoreOptions = {
    maintenanceWorkMem: db.kind === 'postgres' ? (opts.rebuildMaintenanceWorkMem ?? '256MB') : null,
    builders: db.kind === 'postgres' ? (opts.rebuildIndexBuilders ?? 2) : 1,
    analyze: db.kind === 'pglite',
  };
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

  /** Is the backlog of a rebuild from zero large enough to load the tables without their indexes? */
  const worthSettingIndexesAside = async (p: Projection): Promise<boolean> => {
    if (!p.tables.length) return false;
    // Counted outside the reset's transaction (PGlite has one connection); null: the store cannot count.
    const backlog = await store.countAfter(null, rebuildWithoutIndexesFrom, p.filter);
    return backlog === null || backlog >= rebuildWithoutIndexesFrom;
  };

  /** Make sure the checkpoint row exists; a new version empties the tables and starts from zero. */
  const ensureRow = async (p: Projection): Promise<Row> => {
    const known = (await db.query<{ version: number }>('SELECT version FROM projection_checkpoints WHERE name = $1', [p.name])).rows[0];
    const setIndexesAside = known !== undefined && known.version !== p.version && (await worthSettingIndexesAside(p));
    return db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO projection_checkpoints (name, version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
        [p.name, p.version],
      );
      const row = (await tx.query<Row>('SELECT * FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [p.name])).rows[0]!;
      if (row.version === p.version) return row;
      log.info({ projection: p.name, from: row.version, to: p.version }, 'projection version changed: rebuilding');
      return reset(tx, p, setIndexesAside);
    });
  };

  const reset = async (tx: Sql, p: Projection, setIndexesAside: boolean): Promise<Row> => {
    // The checkpoint row first, as a batch's transaction locks it: then the tables (no deadlock).
    await tx.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [p.name]);
    if (p.tables.length) await tx.query(`TRUNCATE ${p.tables.map((t) => `"${t}"`).join(', ')}`);
    if (setIndexesAside) {
      const n = await setAsideIndexes(tx, p.name, p.tables);
      if (n) log.info({ projection: p.name, indexes: n }, 'rebuilding without secondary indexes; they are built again once caught up');
    }
    const { rows } = await tx.query<Row>(
      `UPDATE projection_checkpoints
          SET version = $2, checkpoint = NULL, status = 'running', events_processed = 0,
              last_event_at = NULL, failed_event = NULL, error = NULL, updated_at = now()
        WHERE name = $1 RETURNING *`,
      [p.name, p.version],
    );
    return rows[0]!;
  };

  const commitBatch = async (p: Projection, stored: string | null, batch: EventBatch, sql: BatchSql, mode: CommitMode): Promise<void> => {
    await db.transaction(async (tx) => {
      // A rebuild's batches need not wait for the WAL flush: after a server crash the checkpoint, in
      // the same transaction, goes back with the rows and they are applied again. (Set in the same
      // round trip as the lock: a rebuild commits thousands of batches.)
      const asyncCommit = mode.rebuilding && db.kind === 'postgres' ? `, set_config('synchronous_commit', 'off', true)` : '';
      const current = (
        await tx.query<{ checkpoint: string | null; status: string }>(
          `SELECT checkpoint, status${asyncCommit} FROM projection_checkpoints WHERE name = $1 FOR UPDATE`,
          [p.name],
        )
      ).rows[0];
      if (!current || current.checkpoint !== stored || current.status !== 'running') throw new Superseded();
      await runBatchSql(tx, sql);
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

  /** The batch's SQL, or null when the projection throws on one of its events (found by isolation). */
  const prepare = (p: Projection, batch: EventBatch): Prepared => {
    try {
      return { batch, sql: batchSql(p, batch.events) };
    } catch {
      return { batch, sql: null };
    }
  };

  /** Apply a batch; on a non-transient failure, find the poison event by applying one at a time. */
  const applyBatch = async (p: Projection, stored: string | null, prepared: Prepared, mode: CommitMode = NORMAL): Promise<Outcome> => {
    const { batch } = prepared;
    try {
      await commitBatch(p, stored, batch, prepared.sql ?? batchSql(p, batch.events), mode);
      stat(p.name).batches++;
      stat(p.name).events += batch.events.length;
      return 'applied';
    } catch (error) {
      if (error instanceof Superseded) return 'superseded';
      // No event to blame (the batch only moves the checkpoint): retried with back-off, not skipped.
      if (isTransientError(error) || batch.events.length === 0) throw error;
      if (batch.events.length === 1) {
        await markFailed(p, batch.events[0]!, error);
        return 'failed';
      }
      let at = stored;
      for (const event of batch.events) {
        const outcome = await applyBatch(p, at, prepare(p, { events: [event], checkpoint: event.checkpoint }), mode);
        if (outcome !== 'applied') return outcome;
        at = event.checkpoint;
      }
      // Every event applied alone: the failure needed the whole batch. Move past what remains.
      return at === batch.checkpoint ? 'applied' : applyBatch(p, at, prepare(p, { events: [], checkpoint: batch.checkpoint }), mode);
    }
  };

  /**
   * Catch up a projection whose indexes are set aside: batches of `rebuildBatch`, the next ones read
   * (and turned into SQL) while the current one is written. A shorter batch reached the head of the
   * store: once it is committed, the indexes are built again (queries were correct meanwhile, only
   * slower). Returns then, or when another instance got ahead, an event failed or the signal aborted.
   */
  const catchUpWithoutIndexes = async (p: Projection, from: string | null, signal: AbortSignal): Promise<Outcome> => {
    const batches = readAhead<Prepared>(
      async (previous) => {
        const after = (previous ? previous.batch.checkpoint : from) as Checkpoint | null;
        return prepare(p, await store.readAll(after, { maxCount: rebuildBatch, filter: p.filter }));
      },
      (prepared) => prepared.batch.events.length < rebuildBatch,
      rebuildReadAhead,
    );
    let stored = from;
    try {
      for (let prepared = await batches.next(); prepared && !signal.aborted; prepared = await batches.next()) {
        const outcome = await applyBatch(p, stored, prepared, { rebuilding: true });
        if (outcome !== 'applied') return outcome;
        stored = prepared.batch.checkpoint;
      }
    } finally {
      await batches.close();
    }
    if (signal.aborted) return 'applied';
    await restoreIndexes(db, p.name, p.tables, restoreOptions);
    log.info({ projection: p.name }, 'rebuild caught up: secondary indexes built again');
    return 'applied';
  };

  const runLoop = async (p: Projection, signal: AbortSignal) => {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const row = await ensureRow(p);
        if (row.status === 'failed') return;
        if ((await setAsideCount(db, p.name)) > 0) {
          // Rebuilding from zero (perhaps resumed after a crash): catch up, then look again.
          if ((await catchUpWithoutIndexes(p, row.checkpoint, signal)) === 'failed') return;
          attempt = 0;
          continue;
        }
        let stored = row.checkpoint;
        let lastEmptySave = 0;
        let outcome: Outcome = 'applied';
        const batches = store.subscribe({ after: stored as Checkpoint | null, filter: p.filter, maxBatch, signal });
        // The next batch is read while this one is written; a superseded or failed batch ends the
        // loop, and the next round starts again from the stored checkpoint.
        for await (const batch of prefetchOne(batches)) {
          if (batch.events.length === 0) {
            if (now().getTime() - lastEmptySave < emptyEvery) continue;
            lastEmptySave = now().getTime();
          }
          outcome = await applyBatch(p, stored, prepare(p, batch));
          if (outcome !== 'applied') break;
          stored = batch.checkpoint;
          attempt = 0;
          // Embedded PGlite answers on this thread without ever leaving the microtask queue: without
          // a yield, catching up after a 50,000-event import held /healthz for minutes (#14.7).
          await yieldToEventLoop();
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
    const setAside = await setAsideCounts(db);
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
          indexesSetAside: setAside.get(p.name) ?? 0,
        };
      }),
    );
  };

  /**
   * Has every projection applied every matching event readable now (and, after a rebuild, built its
   * indexes again), or stopped on a failed one?
   */
  const everyCaughtUpOrFailed = async (): Promise<boolean> => {
    const { rows } = await db.query<Pick<Row, 'name' | 'checkpoint' | 'status'>>(
      'SELECT name, checkpoint, status FROM projection_checkpoints WHERE name = ANY($1::text[])',
      [[...byName.keys()]],
    );
    const byRow = new Map(rows.map((r) => [r.name, r]));
    const setAside = await setAsideCounts(db);
    for (const p of byName.values()) {
      const row = byRow.get(p.name);
      if (row?.status === 'failed') continue;
      if (setAside.has(p.name)) return false;
      const next = await store.readAll((row?.checkpoint ?? null) as Checkpoint | null, { maxCount: 1, filter: p.filter });
      if (next.events.length) return false;
    }
    return true;
  };

  /**
   * Has this projection applied every matching event readable now, and finished any rebuild (its
   * indexes back)? One meaning of "caught up" for every caller: a rebuild is over only then.
   */
  const isCaughtUp = async (p: Projection): Promise<boolean> => {
    const { rows } = await db.query<{ checkpoint: string | null; status: string }>(
      'SELECT checkpoint, status FROM projection_checkpoints WHERE name = $1',
      [p.name],
    );
    const row = rows[0];
    if (row?.status === 'failed') throw new UnavailableError(`projection ${p.name}`, `projection ${p.name} is stopped on a failed event`);
    if ((await setAsideCount(db, p.name)) > 0) return false;
    const next = await store.readAll((row?.checkpoint ?? null) as Checkpoint | null, { maxCount: 1, filter: p.filter });
    return next.events.length === 0;
  };

  return {
    /**
     * Resolve once the named projections have applied everything committed before the call (and
     * finished any rebuild, indexes included).
     */
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
      const setIndexesAside = await worthSettingIndexesAside(p);
      await db.transaction((tx) => reset(tx, p, setIndexesAside));
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
    /**
     * Resolve once every running projection has applied everything readable now and finished any
     * rebuild, indexes included (tests, CLI, benchmarks).
     */
    waitUntilCaughtUp: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      await store.awaitVisible();
      // Polls only whether an unapplied event remains (not the full status, whose count of what is
      // behind reads up to 100,000 events), and less often as the wait goes on: a long catch-up need
      // not share the database with its own observer.
      for (let pause = 10; !(await everyCaughtUpOrFailed()); pause = Math.min(pause * 2, 250)) {
        if (Date.now() > deadline) throw new Error(`projections not caught up after ${timeoutMs} ms`);
        await sleep(pause);
      }
      return status();
    },
  };
};

export type ProjectionRunner = ReturnType<typeof projectionRunner>;
