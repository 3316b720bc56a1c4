import type { AppendRequest, AppendResult, ExpectedVersion } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';
import { ConcurrencyError } from '../../domain/shared/errors.js';

/**
 * One append transaction over many streams, set-based (a few statements whatever the batch size):
 *  1. create the streams that may be new (no_stream / any) in one INSERT … ON CONFLICT DO NOTHING;
 *  2. only for streams that already existed: look for the request's event ids in them (an
 *     idempotent re-append appends nothing) — a pull of new orders never pays for this lookup;
 *  3. advance existing streams under the expected-version check and the ordering guard (an older
 *     transaction may not append after a newer one, reference §2.5) — when no stream is new, in
 *     the same statement as step 4;
 *  4. insert the events and NOTIFY subscribers in the same statement (delivered at commit, folded
 *     per transaction).
 */

/** The ordering guard tripped: retry the whole append in a new transaction (it gets a newer xid). */
export class AppendOrderConflict extends Error {
  override readonly name = 'AppendOrderConflict';
  readonly code = '40001';
}

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export const isRetryableAppendError = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string };
  if (error instanceof AppendOrderConflict) return true;
  if (e.code && RETRYABLE_SQLSTATES.has(e.code)) return true;
  // Two appends raced for the same stream position: the retry re-reads the stream row.
  return e.code === '23505' && e.constraint === 'es_events_pkey';
};

// Encodes the non-numeric ExpectedVersion values for the set-based UPDATE.
const ANY = -1;
const STREAM_EXISTS = -2;
const encodeExpected = (e: ExpectedVersion): number => (e === 'any' ? ANY : e === 'stream_exists' ? STREAM_EXISTS : Number(e));

type Pending = { index: number; req: AppendRequest };
type Existing = { event_id: string; stream_id: string; stream_position: number };

/** All of the request's ids are in its stream, consecutively, where `expected` says: a no-op success. */
const idempotentResult = (req: AppendRequest, found: readonly Existing[]): AppendResult | 'conflict' => {
  if (found.length !== req.events.length) return 'conflict';
  const byId = new Map(found.map((f) => [f.event_id, f.stream_position]));
  const positions = req.events.map((e) => byId.get(e.id.toLowerCase()));
  if (positions.some((p, i) => p === undefined || (i > 0 && p !== positions[i - 1]! + 1))) return 'conflict';
  const first = positions[0]!;
  if (req.expected === 'no_stream' && first !== 0) return 'conflict';
  if (typeof req.expected === 'number' && first !== req.expected + 1) return 'conflict';
  return { nextRevision: positions.at(-1)!, appended: false };
};

export const appendBatch = async (tx: Sql, requests: readonly AppendRequest[], channel: string): Promise<AppendResult[]> => {
  const results = new Array<AppendResult | undefined>(requests.length);
  const withEvents: Pending[] = [];
  const empty: Pending[] = [];
  requests.forEach((req, index) => (req.events.length ? withEvents : empty).push({ index, req }));
  if (empty.length) await checkEmptyAppends(tx, empty, results);

  const newVersion = new Map<string, number>();
  const mayCreate = withEvents.filter((p) => p.req.expected === 'no_stream' || p.req.expected === 'any');
  if (mayCreate.length) {
    const { rows } = await tx.query<{ stream_id: string; version: number }>(
      `INSERT INTO es_streams (stream_id, version, last_xid)
       SELECT s.stream_id, s.n - 1, pg_current_xact_id()
         FROM jsonb_to_recordset($1::jsonb) AS s(stream_id text, n bigint)
       ON CONFLICT (stream_id) DO NOTHING
       RETURNING stream_id, version`,
      [JSON.stringify(mayCreate.map((p) => ({ stream_id: p.req.streamId, n: p.req.events.length })))],
    );
    for (const r of rows) newVersion.set(r.stream_id, r.version);
  }

  const existed = withEvents.filter((p) => !newVersion.has(p.req.streamId));
  const toAdvance = existed.length ? await dropIdempotent(tx, existed, results) : [];
  if (toAdvance.length && newVersion.size === 0) {
    // Only existing streams to write (a command on an order, the release policy): advancing them
    // and inserting their events is one statement, one round trip fewer than below.
    await advanceAndInsert(tx, toAdvance, results, channel);
    return results as AppendResult[];
  }
  if (toAdvance.length) {
    const { rows } = await tx.query<{ stream_id: string; version: number }>(
      `UPDATE es_streams s
          SET version = s.version + u.n, last_xid = pg_current_xact_id(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS u(stream_id text, n bigint, expected bigint)
        WHERE s.stream_id = u.stream_id
          AND (u.expected IN (${ANY}, ${STREAM_EXISTS}) OR s.version = u.expected)
          AND s.last_xid <= pg_current_xact_id()
        RETURNING s.stream_id, s.version`,
      [
        JSON.stringify(
          toAdvance.map((p) => ({ stream_id: p.req.streamId, n: p.req.events.length, expected: encodeExpected(p.req.expected) })),
        ),
      ],
    );
    for (const r of rows) newVersion.set(r.stream_id, r.version);
    const missing = toAdvance.filter((p) => !newVersion.has(p.req.streamId));
    if (missing.length) await explainMissing(tx, missing.map((m) => m.req));
  }

  const toInsert = withEvents.filter((p) => results[p.index] === undefined);
  const rows = toInsert.flatMap((p) => {
    const last = newVersion.get(p.req.streamId)!;
    const first = last - p.req.events.length + 1;
    results[p.index] = { nextRevision: last, appended: true };
    return p.req.events.map((e, i) => ({
      stream_id: p.req.streamId,
      stream_position: first + i,
      event_id: e.id,
      event_type: e.type,
      data: e.data ?? null,
      metadata: e.metadata ?? {},
    }));
  });
  if (rows.length) {
    // The NOTIFY rides on the INSERT (a data-modifying WITH runs whether or not it is read): one
    // round trip fewer per append.
    await tx.query(
      `WITH inserted AS (
         INSERT INTO es_events (stream_id, stream_position, event_id, event_type, data, metadata)
         SELECT stream_id, stream_position, event_id, event_type, data, metadata
           FROM json_to_recordset($1::json)
             AS e(stream_id text, stream_position bigint, event_id uuid, event_type text, data json, metadata json))
       SELECT pg_notify($2, '')`,
      [JSON.stringify(rows), channel],
    );
  }
  return results as AppendResult[];
};

/**
 * Advance existing streams under the expected-version check and the ordering guard, and insert
 * their events at the positions that gives, in one statement (the INSERT reads the UPDATE's
 * RETURNING); the NOTIFY rides along. A stream that did not advance is explained by a throw, which
 * rolls the whole transaction back, its inserted events included.
 */
const advanceAndInsert = async (tx: Sql, toAdvance: readonly Pending[], results: (AppendResult | undefined)[], channel: string) => {
  const streams = toAdvance.map((p) => ({ stream_id: p.req.streamId, n: p.req.events.length, expected: encodeExpected(p.req.expected) }));
  let ord = 0;
  const events = toAdvance.flatMap((p) =>
    p.req.events.map((e, i) => ({
      ord: ord++,
      stream_id: p.req.streamId,
      i,
      n: p.req.events.length,
      event_id: e.id,
      event_type: e.type,
      data: e.data ?? null,
      metadata: e.metadata ?? {},
    })),
  );
  const { rows } = await tx.query<{ stream_id: string; version: number }>(
    `WITH advanced AS (
       UPDATE es_streams s
          SET version = s.version + u.n, last_xid = pg_current_xact_id(), updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS u(stream_id text, n bigint, expected bigint)
        WHERE s.stream_id = u.stream_id
          AND (u.expected IN (${ANY}, ${STREAM_EXISTS}) OR s.version = u.expected)
          AND s.last_xid <= pg_current_xact_id()
        RETURNING s.stream_id, s.version),
     inserted AS (
       INSERT INTO es_events (stream_id, stream_position, event_id, event_type, data, metadata)
       SELECT e.stream_id, a.version - e.n + 1 + e.i, e.event_id, e.event_type, e.data, e.metadata
         FROM json_to_recordset($2::json)
           AS e(ord bigint, stream_id text, i bigint, n bigint, event_id uuid, event_type text, data json, metadata json)
         JOIN advanced a ON a.stream_id = e.stream_id
        ORDER BY e.ord)
     SELECT stream_id, version, pg_notify($3, '') FROM advanced`,
    [JSON.stringify(streams), JSON.stringify(events), channel],
  );
  const advanced = new Map(rows.map((r) => [r.stream_id, r.version]));
  const missing = toAdvance.filter((p) => !advanced.has(p.req.streamId));
  if (missing.length) await explainMissing(tx, missing.map((m) => m.req));
  for (const p of toAdvance) results[p.index] = { nextRevision: advanced.get(p.req.streamId)!, appended: true };
};

/**
 * Which of these event ids ($2) are in these streams ($1) already. One primary-key probe per stream:
 * written as `stream_id = ANY($1)`, PostgreSQL without statistics on es_events (a new database,
 * autovacuum behind or off) took it for most of the table and read all of it — 30–70 ms a page at
 * 50k–300k events. The lateral subquery runs once per stream (OFFSET 0 keeps the planner from
 * flattening it back into a join it could answer with a scan). Exported for the plan tests.
 */
export const EXISTING_EVENTS_SQL = `SELECT e.event_id::text AS event_id, e.stream_id, e.stream_position
       FROM unnest($1::text[]) AS s(stream_id)
       CROSS JOIN LATERAL (
         SELECT event_id, stream_id, stream_position FROM es_events
          WHERE es_events.stream_id = s.stream_id AND event_id = ANY($2::uuid[])
         OFFSET 0) e`;

/**
 * For appends to streams that already exist: those whose event ids are all there already are
 * answered as idempotent no-ops (recorded in `results`); a partial overlap is a conflict; a
 * no_stream append without its ids there is a conflict. Returns the ones still to append.
 */
const dropIdempotent = async (tx: Sql, existed: readonly Pending[], results: (AppendResult | undefined)[]): Promise<Pending[]> => {
  const { rows } = await tx.query<Existing>(
    EXISTING_EVENTS_SQL,
    [existed.map((p) => p.req.streamId), existed.flatMap((p) => p.req.events.map((e) => e.id))],
    { prepare: true },
  );
  const byStream = new Map<string, Existing[]>();
  for (const r of rows) byStream.set(r.stream_id, [...(byStream.get(r.stream_id) ?? []), r]);
  const toAdvance: Pending[] = [];
  for (const p of existed) {
    const found = byStream.get(p.req.streamId) ?? [];
    if (found.length === 0) {
      if (p.req.expected === 'no_stream') throw new ConcurrencyError(p.req.streamId, 'no_stream', 'stream exists');
      toAdvance.push(p);
      continue;
    }
    const result = idempotentResult(p.req, found);
    if (result === 'conflict') {
      throw new ConcurrencyError(p.req.streamId, String(p.req.expected), 'events partly present or elsewhere in the stream');
    }
    results[p.index] = result;
  }
  return toAdvance;
};

const checkEmptyAppends = async (tx: Sql, empty: readonly Pending[], results: (AppendResult | undefined)[]) => {
  const { rows } = await tx.query<{ stream_id: string; version: number }>(
    'SELECT stream_id, version FROM es_streams WHERE stream_id = ANY($1::text[])',
    [empty.map((e) => e.req.streamId)],
  );
  const versions = new Map(rows.map((r) => [r.stream_id, r.version]));
  for (const { index, req } of empty) {
    const version = versions.get(req.streamId);
    const e = req.expected;
    const ok =
      e === 'any' ||
      (e === 'no_stream' && version === undefined) ||
      (e === 'stream_exists' && version !== undefined) ||
      (typeof e === 'number' && version === e);
    if (!ok) throw new ConcurrencyError(req.streamId, String(e), version === undefined ? 'no_stream' : String(version));
    results[index] = { nextRevision: version ?? -1, appended: false };
  }
};

/** Why did a stream not advance: a version mismatch (ConcurrencyError) or the ordering guard (retry). */
const explainMissing = async (tx: Sql, missing: readonly AppendRequest[]): Promise<never> => {
  const { rows } = await tx.query<{ stream_id: string; version: number }>(
    'SELECT stream_id, version FROM es_streams WHERE stream_id = ANY($1::text[])',
    [missing.map((m) => m.streamId)],
  );
  const byId = new Map(rows.map((r) => [r.stream_id, r.version]));
  for (const req of missing) {
    const version = byId.get(req.streamId);
    if (version === undefined) throw new ConcurrencyError(req.streamId, String(req.expected), 'no_stream');
    if (typeof req.expected === 'number' && version !== req.expected) {
      throw new ConcurrencyError(req.streamId, String(req.expected), String(version));
    }
  }
  throw new AppendOrderConflict('a newer transaction appended to the stream first; retrying');
};
