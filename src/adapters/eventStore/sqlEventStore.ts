import type {
  AppendRequest,
  AppendResult,
  Checkpoint,
  EventBatch,
  EventFilter,
  EventStore,
  ExpectedVersion,
  RecordedEvent,
  SubscribeOptions,
} from '../../domain/ports/eventStore.js';
import type { Database, Sql } from '../../domain/ports/sql.js';
import { ConcurrencyError } from '../../domain/shared/errors.js';
import { appendBatch, isRetryableAppendError } from './sqlAppend.js';
import { waitForWakeOrTimeout } from '../shared/timers.js';
import { comparePositions, pageOf, positionOf } from './sqlReadOrder.js';
import { filterClause, SELECT_COLUMNS, sqlFetchAfter, toRecorded, type Row } from './sqlRows.js';
import { tailReader, type TailWindowOptions } from './tailReader.js';

/**
 * The event store on PostgreSQL (a server, or PGlite embedded). Global order is
 * (transaction_id, global_position), read only below the snapshot's xmin (reference §2.3), so a
 * reader never skips an event that commits late. Checkpoints are `pg:<xid>:<position>`.
 */
export type SqlEventStoreOptions = Readonly<{
  /**
   * Answer readAll from an in-process window of the newest events where it can (off by default;
   * the service turns it on: its consumers all read the same tail). See docs/tail-window.md.
   */
  tailWindow?: TailWindowOptions;
  /** Fallback poll for subscribers when no wake-up arrives (a NOTIFY can precede visibility). */
  pollIntervalMs?: number;
  /** How often an append is retried after an ordering conflict or deadlock before giving up. */
  maxAppendAttempts?: number;
}>;

export const EVENTS_CHANNEL = 'oms_events';

export const sqlEventStore = (db: Database, opts: SqlEventStoreOptions = {}): EventStore => {
  const pollIntervalMs = opts.pollIntervalMs ?? 500;
  const maxAttempts = opts.maxAppendAttempts ?? 20;

  const runAppend = async (requests: readonly AppendRequest[]): Promise<AppendResult[]> => {
    const seen = new Set<string>();
    for (const r of requests) {
      if (seen.has(r.streamId)) throw new Error(`appendMany: stream ${r.streamId} appears twice in one batch`);
      seen.add(r.streamId);
    }
    let concurrencyRetried = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction((tx) => appendBatch(tx, requests, EVENTS_CHANNEL));
      } catch (error) {
        if (error instanceof ConcurrencyError && !concurrencyRetried) {
          // A concurrent append of the very same events loses the race on the stream row; a fresh
          // transaction then finds the ids and reports an idempotent success.
          concurrencyRetried = true;
          continue;
        }
        if (!isRetryableAppendError(error) || attempt >= maxAttempts) throw error;
        // A new transaction gets a newer xid, which is what the ordering guard asks for.
        await new Promise((r) => setTimeout(r, Math.min(50, attempt * 2) * Math.random()));
      }
    }
  };

  const fetchAfter = sqlFetchAfter(db, { sized: opts.tailWindow !== undefined });

  const plainReadAll = async (after: Checkpoint | null, options: { maxCount?: number; filter?: EventFilter } = {}): Promise<EventBatch> => {
    const limit = options.maxCount ?? 500;
    const { rows, xmin } = await fetchAfter(positionOf(after), limit, options.filter);
    return pageOf(
      after,
      rows.map((r) => r.event),
      xmin,
      limit,
      options.filter !== undefined,
    );
  };

  const tail = opts.tailWindow ? tailReader(fetchAfter, opts.tailWindow) : null;
  const readAll = tail ? tail.readAll : plainReadAll;

  async function* subscribe(options: SubscribeOptions): AsyncGenerator<EventBatch> {
    const maxBatch = options.maxBatch ?? 500;
    const signal = options.signal;
    let checkpoint = options.after;
    let woken = true;
    let wake: (() => void) | null = null;
    const unlisten = await db.listen(EVENTS_CHANNEL, () => {
      woken = true;
      wake?.();
    });
    try {
      while (!signal?.aborted) {
        woken = false;
        const batch = await readAll(checkpoint, { maxCount: maxBatch, ...(options.filter ? { filter: options.filter } : {}) });
        if (batch.events.length > 0 || batch.checkpoint !== checkpoint) {
          checkpoint = batch.checkpoint;
          yield batch;
        }
        if (batch.events.length < maxBatch && !woken) {
          await waitForWakeOrTimeout(pollIntervalMs, signal, (fn) => {
            wake = fn;
          });
          wake = null;
        }
      }
    } finally {
      await unlisten();
    }
  }

  return {
    guarantees: { atomicMultiStreamAppend: true, idempotentAppendWithAny: true },

    append: async (streamId, events, expected: ExpectedVersion) =>
      (await runAppend([{ streamId, events, expected }]))[0]!,

    appendMany: (requests) => (requests.length === 0 ? Promise.resolve([]) : runAppend(requests)),

    readStream: async (streamId, options = {}) => {
      const { rows } = await db.query<Row>(
        READ_STREAM_SQL,
        [streamId, options.fromRevision ?? 0, options.maxCount ?? null],
        { prepare: true },
      );
      return rows.map(toRecorded);
    },

    readStreams: async (streamIds, options) => {
      const types = options?.eventTypes;
      const ids = [...new Set(streamIds)];
      const { rows } = await db.query<Row>(readStreamsSql(types !== undefined), types ? [ids, [...types]] : [ids], { prepare: true });
      const streams = new Map<string, RecordedEvent[]>();
      for (const r of rows) {
        const events = streams.get(r.stream_id);
        if (events) events.push(toRecorded(r));
        else streams.set(r.stream_id, [toRecorded(r)]);
      }
      return streams;
    },

    readAll,

    ...(tail ? { heldStreams: (streamIds: readonly string[]) => tail.window.heldStreams(streamIds) } : {}),

    subscribe: (options) => subscribe(options),

    awaitVisible: async (signal) => {
      // Every transaction that could have committed before now has an xid below this snapshot's
      // xmax; once the horizon (xmin) passes it, all of them are finished and readable.
      const { rows } = await db.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax');
      const target = BigInt(rows[0]!.xmax);
      for (let wait = 2; !signal?.aborted; wait = Math.min(wait * 2, 100)) {
        const now = await db.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
        if (BigInt(now.rows[0]!.xmin) >= target) return;
        await new Promise((r) => setTimeout(r, wait));
      }
    },

    headCheckpoint: async () => {
      const { rows } = await db.query<{ tx: string; global_position: number }>(
        `SELECT transaction_id::text AS tx, global_position FROM es_events
          WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      );
      const row = rows[0];
      return row ? (`pg:${row.tx}:${row.global_position}` as Checkpoint) : null;
    },

    countAfter: async (after, cap, filter, options) => {
      const from = positionOf(after);
      const f = filterClause(filter, 4);
      const { rows } = await db.query<{ n: number }>(countAfterSql(f.sql, options?.committed === true), [from[0].toString(), from[1].toString(), cap, ...f.params], {
        prepare: 'planOnce',
      });
      return rows[0]!.n;
    },

    close: async () => undefined,
  };
};

/** One stream from a revision ($2), at most $3 events (null: all). */
export const READ_STREAM_SQL = `SELECT ${SELECT_COLUMNS} FROM es_events
  WHERE stream_id = $1 AND stream_position >= $2
  ORDER BY stream_position LIMIT $3`;

/**
 * The events of the streams in $1 (each stream's in revision order), optionally only those of the
 * types in $2: one primary-key probe per stream. Written as `stream_id = ANY($1)`, PostgreSQL without
 * statistics on es_events (a new database, or a table growing faster than autovacuum analyzes it)
 * guessed that 140 ids match 70 % of the table and read all of it, in parallel — 50–70 ms a call at
 * 100,000 events and growing with the table, where the index answers in ~1 ms; the warehouse feed
 * and the release policy call it for every batch. As in the append's idempotency probe (sqlAppend.ts),
 * the lateral subquery runs once per stream and OFFSET 0 keeps it from being flattened into a join.
 * Exported for the plan tests.
 */
export const readStreamsSql = (typed: boolean) => `SELECT e.* FROM unnest($1::text[]) AS s(stream_id)
  CROSS JOIN LATERAL (
    SELECT ${SELECT_COLUMNS} FROM es_events
     WHERE es_events.stream_id = s.stream_id${typed ? ' AND event_type = ANY($2::text[])' : ''}
     ORDER BY stream_position
    OFFSET 0) e`;

/**
 * Matching events after a position ($1, $2), counted up to a cap ($3); the filter's parameters from $4.
 * `committed` counts what has committed but is not readable yet (behind the visibility horizon).
 *
 * The backlog gate runs this before every page a pull records. Its plan must not depend on table
 * statistics (a new database, autovacuum behind or off): with the row comparison alone PostgreSQL
 * assumed a third of the table matched and counted by a sequential scan from the first event — 30–50
 * ms a look at 50k events, growing with the table. The transaction id is therefore bounded on both
 * sides (the lower bound repeats the row comparison's first column; every transaction a snapshot can
 * see is below its xmax), which any plan reads as a narrow range, and the rows are taken in index
 * order, so one plan made for any values (planOnce) walks the index from the position and stops at
 * the cap.
 */
export const countAfterSql = (filterSql: string, committed: boolean) => `SELECT count(*)::int AS n FROM (
           SELECT 1 FROM es_events
            WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
              AND transaction_id >= $1::text::xid8
              AND transaction_id < ${committed ? 'pg_snapshot_xmax' : 'pg_snapshot_xmin'}(pg_current_snapshot())${filterSql}
            ORDER BY transaction_id, global_position
            LIMIT $3) s`;

/** Exposed for tests and tools that must compare checkpoints of this adapter. */
export const sqlCheckpointOrder = (a: Checkpoint | null, b: Checkpoint | null): number => comparePositions(positionOf(a), positionOf(b));

export type { Sql };
