import type { Logger } from 'pino';
import type { Checkpoint, EventStore } from '../../domain/ports/eventStore.js';
import type { Database, Sql } from '../../domain/ports/sql.js';
import type { Projection } from '../../projections/projection.js';
import { UnavailableError } from '../../domain/shared/errors.js';
import { sleep } from '../shared/timers.js';
import { eventProcessor, type EventProcessor, type ProcessorMetrics } from '../processing/processor.js';
import { loadCheckpointDetails, loadCheckpointStates } from '../processing/checkpoints.js';
import { lagOf } from '../processing/processorStatus.js';
import { projectionSink } from '../processing/projectionSink.js';
import { batchSql, encodedLoad, loadSql, runBatchSql } from './batchSql.js';
import { restoreIndexes, setAsideCount, setAsideCounts, setAsideIndexes } from './rebuildIndexes.js';

/**
 * Runs pure projection definitions against the event store, each on the processing runtime with a
 * projection sink (src/adapters/processing, docs/processing.md). For each projection:
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
  metrics?: ProcessorMetrics;
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
  const now = opts.now ?? (() => new Date());
  const byName = new Map(opts.projections.map((p) => [p.name, p]));
  const failures = new Map<string, number>();

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

  /**
   * One processor per projection. Each round opens on the checkpoint row: a projection whose indexes
   * are set aside (a rebuild from zero, perhaps resumed after a crash) reads up to the head in large
   * batches, the next ones read and turned into SQL while the current one is written, its commits
   * not waiting for the WAL flush; once there, its indexes are built again (queries were correct
   * meanwhile, only slower) and it follows the store live.
   */
  const processorFor = (p: Projection): EventProcessor => {
    let rebuilding = false;
    return eventProcessor({
      name: p.name,
      store,
      filter: p.filter,
      log,
      maxBatch,
      readAhead: 1,
      emptyCheckpointEveryMs: opts.emptyCheckpointEveryMs ?? 1000,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      now: () => now().getTime(),
      sink: projectionSink({
        db,
        name: p.name,
        log,
        open: async () => {
          const row = await ensureRow(p);
          if (row.status === 'failed') return 'failed';
          rebuilding = (await setAsideCount(db, p.name)) > 0;
          const after = row.checkpoint as Checkpoint | null;
          return rebuilding ? { after, until: 'head', maxBatch: rebuildBatch, readAhead: rebuildReadAhead } : { after, until: 'live' };
        },
        // A rebuild loads new rows with COPY where the database can (a server; PGlite has no COPY port).
        prepare: (events) => (rebuilding && db.copyRows ? encodedLoad(loadSql(p, events), db.encodeRows) : batchSql(p, events)),
        write: runBatchSql,
        asyncCommit: () => rebuilding,
        reachedHead: async () => {
          await restoreIndexes(db, p.name, p.tables, restoreOptions);
          log.info({ projection: p.name }, 'rebuild caught up: secondary indexes built again');
        },
        onFailed: () => failures.set(p.name, (failures.get(p.name) ?? 0) + 1),
      }),
    });
  };
  const processors = new Map(opts.projections.map((p) => [p.name, processorFor(p)]));
  const startOne = (p: Projection) => processors.get(p.name)!.start();
  const stopOne = (name: string) => processors.get(name)?.stop() ?? Promise.resolve();
  const isRunning = (name: string) => processors.get(name)?.isRunning() ?? false;

  const projectionNamed = (name: string): Projection => {
    const p = byName.get(name);
    if (!p) throw new Error(`unknown projection: ${name}`);
    return p;
  };

  const status = async (): Promise<ProjectionStatus[]> => {
    const rows = await loadCheckpointDetails(db, [...byName.keys()]);
    const setAside = await setAsideCounts(db);
    return Promise.all(
      [...byName.values()].map(async (p): Promise<ProjectionStatus> => {
        const row = rows.get(p.name);
        const checkpoint = row?.checkpoint ?? null;
        const lag = await lagOf(store, checkpoint, p.filter, now().getTime());
        return {
          name: p.name,
          version: p.version,
          status: row?.failed ? 'failed' : isRunning(p.name) ? 'running' : 'stopped',
          checkpoint,
          eventsProcessed: row?.eventsProcessed ?? 0,
          lastEventAt: row?.lastEventAt?.toISOString() ?? null,
          eventsBehind: lag.eventsBehind,
          lagMs: lag.lagMs,
          failedEvent: row?.failedEvent ?? null,
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
    const rows = await loadCheckpointStates(db, [...byName.keys()]);
    const setAside = await setAsideCounts(db);
    for (const p of byName.values()) {
      const row = rows.get(p.name);
      if (row?.failed) continue;
      if (setAside.has(p.name)) return false;
      const next = await store.readAll(row?.checkpoint ?? null, { maxCount: 1, filter: p.filter });
      if (next.events.length) return false;
    }
    return true;
  };

  /**
   * Has this projection applied every matching event readable now, and finished any rebuild (its
   * indexes back)? One meaning of "caught up" for every caller: a rebuild is over only then.
   */
  const isCaughtUp = async (p: Projection): Promise<boolean> => {
    const row = (await loadCheckpointStates(db, [p.name])).get(p.name);
    if (row?.failed) throw new UnavailableError(`projection ${p.name}`, `projection ${p.name} is stopped on a failed event`);
    if ((await setAsideCount(db, p.name)) > 0) return false;
    const next = await store.readAll(row?.checkpoint ?? null, { maxCount: 1, filter: p.filter });
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
      await Promise.all([...processors.keys()].map(stopOne));
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
    stats: () =>
      new Map(
        [...processors].map(([name, proc]) => {
          const s = proc.status();
          return [name, { batches: s.batches, events: s.processed, failures: failures.get(name) ?? 0 }] as const;
        }),
      ),
    /** The runtime's view of each projection's processor (state, last error code, read-ahead). */
    processors: () => [...processors.values()].map((proc) => proc.status()),
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
