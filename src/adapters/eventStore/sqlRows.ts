import type { Checkpoint, EventFilter, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';
import type { Position } from './sqlReadOrder.js';
import type { Fetch, Fetched } from './tailReader.js';

/** The rows of es_events as the SQL event store reads them, and its one read in global order. */
export type Row = {
  tx: string;
  global_position: number;
  stream_id: string;
  stream_position: number;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  bytes?: number;
};

export const SELECT_COLUMNS = `transaction_id::text AS tx, global_position, stream_id, stream_position,
  event_id::text AS event_id, event_type, data, metadata, recorded_at`;

export const toRecorded = (r: Row): RecordedEvent => ({
  id: r.event_id,
  streamId: r.stream_id,
  revision: r.stream_position,
  type: r.event_type,
  data: r.data,
  metadata: r.metadata,
  recordedAt: r.recorded_at.toISOString(),
  checkpoint: `pg:${r.tx}:${r.global_position}` as Checkpoint,
});

const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** WHERE fragments for a filter, with parameters numbered from `first`. */
export const filterClause = (filter: EventFilter | undefined, first: number): { sql: string; params: unknown[] } => {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter?.streamPrefixes?.length) {
    params.push(filter.streamPrefixes.map(likePrefix));
    parts.push(`stream_id LIKE ANY($${first + params.length - 1}::text[])`);
  }
  if (filter?.eventTypes?.length) {
    params.push([...filter.eventTypes]);
    parts.push(`event_type = ANY($${first + params.length - 1}::text[])`);
  }
  return { sql: parts.length ? ` AND ${parts.join(' AND ')}` : '', params };
};

const UNUSED_POSITION: Position = [0n, 0n];

/**
 * Up to `limit` events after a position, below the statement's own xmin, with that xmin. `sized`
 * (the tail window) also reads each row's stored size and its position as numbers; plain reads
 * hand out checkpoints and never compare them.
 */
export const sqlFetchAfter = (db: Sql, opts: { sized: boolean }): Fetch => {
  // Stored size of the payload, for the window's byte bound (cheap: no detoasting).
  const sized = opts.sized ? ', pg_column_size(data) + pg_column_size(metadata) AS bytes' : '';
  const entryOf = opts.sized
    ? (r: Row) => ({ at: [BigInt(r.tx), BigInt(r.global_position)] as const, event: toRecorded(r), bytes: r.bytes ?? 0 })
    : (r: Row) => ({ at: UNUSED_POSITION, event: toRecorded(r), bytes: 0 });
  return async (after, limit, filter): Promise<Fetched> => {
    const f = filterClause(filter, 4);
    // The window's unfiltered reads are told apart in pg_stat_activity and the bench's statement table.
    const label = opts.sized && !f.sql ? '/* tail window */ ' : '';
    // xmin comes from the same statement's snapshot as the rows (a second statement would see a
    // newer snapshot and could skip past a transaction that committed in between). The LEFT JOIN
    // returns one row with xmin even when no event qualifies.
    const { rows } = await db.query<Partial<Row> & { xmin: string }>(
      `${label}WITH snap AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       SELECT snap.xmin::text AS xmin, e.*
         FROM snap LEFT JOIN LATERAL (
           SELECT ${SELECT_COLUMNS}${sized}
             FROM es_events
            WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
              AND transaction_id < snap.xmin${f.sql}
            ORDER BY transaction_id, global_position
            LIMIT $3) e ON true`,
      [after[0].toString(), after[1].toString(), limit, ...f.params],
      { prepare: true },
    );
    const events = rows.filter((r): r is Row & { xmin: string } => r.tx != null).map(entryOf);
    return { rows: events, xmin: rows[0]!.xmin };
  };
};
