import type { Checkpoint } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';

/**
 * A feed's position in the event store, a row in `projection_checkpoints` (like the projections'),
 * written only under the feed's lease: the lease row is locked (FOR SHARE) and its holder and epoch
 * checked in the same transaction, so an instance that lost the lease can never move the position,
 * and a takeover (which updates the lease row) waits for a write in progress. The position also only
 * moves from the value the writer read (compare-and-set), never backwards.
 */
export type AdvanceResult = 'stored' | 'lease_lost' | 'moved';

export type FeedCheckpointRow = Readonly<{
  checkpoint: Checkpoint | null;
  eventsProcessed: number;
  lastEventAt: Date | null;
  updatedAt: Date;
}>;

export const fencedCheckpoint = (db: Sql, name: string, lease: Readonly<{ name: string; holder: string }>) => ({
  /** Create the row (position: the start of the store) if it is missing. */
  ensure: async (): Promise<void> => {
    await db.query(`INSERT INTO projection_checkpoints (name, version) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, [name]);
  },

  read: async (): Promise<FeedCheckpointRow | null> => {
    const { rows } = await db.query<{ checkpoint: string | null; events_processed: number; last_event_at: Date | null; updated_at: Date }>(
      `SELECT checkpoint, events_processed, last_event_at, updated_at FROM projection_checkpoints WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row
      ? {
          checkpoint: row.checkpoint as Checkpoint | null,
          eventsProcessed: row.events_processed,
          lastEventAt: row.last_event_at,
          updatedAt: row.updated_at,
        }
      : null;
  },

  /**
   * Move the position from `expected` to `next`, if the lease is still ours at `epoch`. One
   * statement (its own transaction): the lease row is locked FOR SHARE in the materialized `held`
   * part and the UPDATE runs only if that found the row, so the fence is the same as a transaction
   * of two statements, in one round trip instead of four.
   */
  advance: async (a: {
    epoch: number;
    expected: Checkpoint | null;
    next: Checkpoint | null;
    events: number;
    lastEventAt: string | null;
  }): Promise<AdvanceResult> => {
    const { rows } = await db.query<{ held: number; moved: number }>(
      `WITH held AS MATERIALIZED (
         SELECT 1 FROM leases WHERE name = $6 AND holder = $7 AND epoch = $8 FOR SHARE),
       moved AS (
         UPDATE projection_checkpoints
            SET checkpoint = $3, events_processed = events_processed + $4,
                last_event_at = COALESCE($5::timestamptz, last_event_at), updated_at = now()
          WHERE name = $1 AND checkpoint IS NOT DISTINCT FROM $2 AND EXISTS (SELECT 1 FROM held)
          RETURNING 1)
       SELECT (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM moved)::int AS moved`,
      [name, a.expected, a.next, a.events, a.lastEventAt, lease.name, lease.holder, a.epoch],
    );
    const row = rows[0]!;
    if (row.held !== 1) return 'lease_lost';
    return row.moved === 1 ? 'stored' : 'moved';
  },
});

export type FencedCheckpoint = ReturnType<typeof fencedCheckpoint>;
