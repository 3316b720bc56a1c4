import { toScripts } from '../adapters/projections/inlineSql.js';
import { migrate } from '../adapters/sql/migrate.js';
import type { EventFilter, EventStore, RecordedEvent } from '../domain/ports/eventStore.js';
import type { Database, Sql } from '../domain/ports/sql.js';
import type { Projection, SqlStatement } from '../projections/projection.js';
import { quoteIdent, readModelTables } from './context.js';
import { CliFailure, errorMessage } from './io.js';

/**
 * Point-in-time replay: the read models as they were at `until`, built in a schema of their own
 * from the same pure projection definitions and the same inline batch execution as the runner.
 */

/**
 * The database seen through another schema: every statement runs in a transaction that first sets
 * `search_path` to that schema (SET LOCAL, so it ends with the transaction). Works on a server and
 * on PGlite (one connection), and lets the service's own queries (e.g. the order list) read a
 * replayed schema unchanged.
 */
export const inSchema = (db: Sql, schema: string): Sql => {
  const setPath = `SET LOCAL search_path TO ${quoteIdent(schema)}`;
  const transaction: Sql['transaction'] = (fn) =>
    db.transaction(async (tx) => {
      await tx.query(setPath);
      return fn(tx);
    });
  return {
    query: (text, params) => transaction((tx) => tx.query(text, params)),
    exec: (script) => transaction((tx) => tx.exec(script)),
    transaction,
  };
};

/** Does the event pass the filter (the port's semantics: any prefix, and any type)? */
export const matchesFilter = (filter: EventFilter, event: RecordedEvent): boolean =>
  (!filter.streamPrefixes?.length || filter.streamPrefixes.some((p) => event.streamId.startsWith(p))) &&
  (!filter.eventTypes?.length || filter.eventTypes.includes(event.type));

/**
 * Reading stops at the first event recorded this long after `until`. Global order is commit-safe
 * order, not time order: an event's recordedAt is its transaction's start, so an event recorded
 * before `until` can follow later ones by up to the length of its transaction (appends are short).
 */
export const REPLAY_GRACE_MS = 10 * 60_000;

export type ReplayFailure = Readonly<{
  projection: string;
  event: { id: string; streamId: string; revision: number; type: string };
  error: string;
}>;

export type ReplayReport = Readonly<{
  schema: string;
  until: string;
  /** Events read from the store (in global order) and events at or before `until` among them. */
  eventsScanned: number;
  eventsReplayed: number;
  lastEventAt: string | null;
  projections: { name: string; version: number; events: number; failed: ReplayFailure | null }[];
  tables: Record<string, number>;
  ordersByHandoff: Record<string, number>;
  durationMs: number;
}>;

export type ReplayOptions = Readonly<{
  db: Database;
  store: EventStore;
  projections: readonly Projection[];
  schema: string;
  until: Date;
  batchSize?: number;
  signal?: AbortSignal;
  /** Called once the schema is ready, before the first event is read. */
  onStart?: () => void;
  /** Called after each batch with the number of events read so far. */
  onProgress?: (scanned: number) => void;
  now?: () => number;
}>;

export const schemaExists = async (db: Sql, schema: string): Promise<boolean> =>
  (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rows.length > 0;

/**
 * Create `schema` (it must not exist), apply the migrations there, then feed every event recorded at
 * or before `until`, in global order, through every projection. Each batch's statements run as
 * inlined scripts in one transaction, as the runner does. A projection that cannot apply an event
 * stops there (as in the runner) and is reported; the others go on.
 */
export const replayUntil = async (opts: ReplayOptions): Promise<ReplayReport> => {
  const { db, store, projections, schema, until } = opts;
  const now = opts.now ?? Date.now;
  const started = now();
  const batchSize = opts.batchSize ?? 1000;
  const untilMs = until.getTime();
  const target = inSchema(db, schema);

  const current = (await db.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
  if (current === schema) throw new CliFailure(`schema ${schema} is the service's own schema: choose another name`);
  if (await schemaExists(db, schema)) throw new CliFailure(`schema ${schema} exists already: drop it or choose another with --schema`);
  await db.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await migrate(target);

  const perProjection = new Map(projections.map((p) => [p.name, { events: 0, failed: null as ReplayFailure | null }]));
  const failure = (p: Projection, event: RecordedEvent, error: unknown): ReplayFailure => ({
    projection: p.name,
    event: { id: event.id, streamId: event.streamId, revision: event.revision, type: event.type },
    error: errorMessage(error).slice(0, 2000),
  });

  /**
   * The statements of each (event, projection) pair, in global order. A projection whose `apply`
   * throws stops at that event: its earlier events in the batch still apply.
   */
  const statementsOf = (events: readonly RecordedEvent[]) => {
    const units: { p: Projection; event: RecordedEvent; statements: readonly SqlStatement[] }[] = [];
    const applyFailures = new Map<string, ReplayFailure>();
    for (const event of events) {
      for (const p of projections) {
        if (perProjection.get(p.name)!.failed || applyFailures.has(p.name) || !matchesFilter(p.filter, event)) continue;
        try {
          units.push({ p, event, statements: p.apply(event) });
        } catch (error) {
          applyFailures.set(p.name, failure(p, event, error));
        }
      }
    }
    return { units, applyFailures };
  };

  const run = (statements: readonly SqlStatement[]) =>
    target.transaction(async (tx) => {
      for (const script of toScripts(statements)) await tx.exec(script);
    });

  const applyBatch = async (events: readonly RecordedEvent[]) => {
    const { units, applyFailures } = statementsOf(events);
    try {
      await run(units.flatMap((u) => u.statements));
      for (const u of units) perProjection.get(u.p.name)!.events++;
    } catch {
      // The batch rolled back. Apply it again one (event, projection) at a time to find the event
      // that fails; its projection stops there, the others go on.
      for (const u of units) {
        const state = perProjection.get(u.p.name)!;
        if (state.failed) continue;
        try {
          await run(u.statements);
          state.events++;
        } catch (error) {
          state.failed = failure(u.p, u.event, error);
        }
      }
    }
    for (const [name, failed] of applyFailures) perProjection.get(name)!.failed ??= failed;
  };

  // Everything committed before now must be readable (PostgreSQL holds back events of open transactions).
  await store.awaitVisible(opts.signal);
  opts.onStart?.();
  let after: RecordedEvent['checkpoint'] | null = null;
  let scanned = 0;
  let replayed = 0;
  let lastEventAt: string | null = null;
  for (let done = false; !done; ) {
    if (opts.signal?.aborted) throw new CliFailure(`interrupted: schema ${schema} holds a partial replay`);
    const batch = await store.readAll(after, { maxCount: batchSize });
    if (batch.events.length === 0) break;
    const included: RecordedEvent[] = [];
    for (const event of batch.events) {
      scanned++;
      const at = Date.parse(event.recordedAt);
      if (at > untilMs + REPLAY_GRACE_MS) {
        done = true;
        break;
      }
      if (at <= untilMs) included.push(event);
    }
    if (included.length) {
      await applyBatch(included);
      replayed += included.length;
      lastEventAt = included.at(-1)!.recordedAt;
    }
    after = batch.checkpoint;
    opts.onProgress?.(scanned);
    if (batch.events.length < batchSize) break;
  }

  const tables: Record<string, number> = {};
  for (const table of readModelTables(projections)) {
    tables[table] = (await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(table)}`)).rows[0]!.n;
  }
  const ordersByHandoff: Record<string, number> = {};
  if ('rm_orders' in tables) {
    const { rows } = await target.query<{ state: string; n: number }>(
      'SELECT handoff_state AS state, count(*)::int AS n FROM rm_orders GROUP BY handoff_state ORDER BY handoff_state',
    );
    for (const r of rows) ordersByHandoff[r.state] = r.n;
  }
  const report: ReplayReport = {
    schema,
    until: until.toISOString(),
    eventsScanned: scanned,
    eventsReplayed: replayed,
    lastEventAt,
    projections: projections.map((p) => ({ name: p.name, version: p.version, ...perProjection.get(p.name)! })),
    tables,
    ordersByHandoff,
    durationMs: now() - started,
  };
  // What this schema is, for whoever finds it later (not a service table: the service never reads it).
  await target.query(
    `CREATE TABLE oms_replay (until timestamptz NOT NULL, replayed_at timestamptz NOT NULL DEFAULT now(), report jsonb NOT NULL)`,
  );
  await target.query('INSERT INTO oms_replay (until, report) VALUES ($1, $2)', [report.until, JSON.stringify(report)]);
  return report;
};
