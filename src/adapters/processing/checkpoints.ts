import type { Checkpoint, EventBatch, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';
import type { LeaseHold } from './sink.js';

/**
 * The checkpoint rows of processors (table projection_checkpoints; reactors use it too, at version 1).
 * Every move of a checkpoint is a compare-and-set on where the batch was read from, so two instances
 * never both advance past the same batch.
 */

export type FailedEvent = Readonly<{ id: string; streamId: string; revision: number; type: string }>;

/** Create the row when missing (version `version`, from the start). */
export const ensureCheckpointRow = async (db: Sql, name: string, version = 1): Promise<void> => {
  await db.query(`INSERT INTO projection_checkpoints (name, version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, version]);
};

export const loadCheckpoint = async (db: Sql, name: string): Promise<Checkpoint | null> => {
  const { rows } = await db.query<{ checkpoint: string | null }>('SELECT checkpoint FROM projection_checkpoints WHERE name = $1', [name]);
  return (rows[0]?.checkpoint ?? null) as Checkpoint | null;
};

export type CheckpointState = Readonly<{ checkpoint: Checkpoint | null; failed: boolean }>;

/** Where each named processor is, as stored (any instance's), and whether it stopped on an event; missing rows are absent. */
export const loadCheckpointStates = async (db: Sql, names: readonly string[]): Promise<Map<string, CheckpointState>> => {
  const { rows } = await db.query<{ name: string; checkpoint: string | null; status: string }>(
    'SELECT name, checkpoint, status FROM projection_checkpoints WHERE name = ANY($1::text[])',
    [names],
  );
  return new Map(rows.map((r) => [r.name, { checkpoint: r.checkpoint as Checkpoint | null, failed: r.status === 'failed' }]));
};

export type CheckpointDetails = CheckpointState &
  Readonly<{ eventsProcessed: number; lastEventAt: Date | null; failedEvent: FailedEvent | null; error: string | null }>;

/** The stored rows of the named processors with their counters and failure, for status pages; missing rows are absent. */
export const loadCheckpointDetails = async (db: Sql, names: readonly string[]): Promise<Map<string, CheckpointDetails>> => {
  const { rows } = await db.query<{
    name: string;
    checkpoint: string | null;
    status: string;
    events_processed: number;
    last_event_at: Date | null;
    failed_event: FailedEvent | null;
    error: string | null;
  }>(
    'SELECT name, checkpoint, status, events_processed, last_event_at, failed_event, error FROM projection_checkpoints WHERE name = ANY($1::text[])',
    [names],
  );
  return new Map(
    rows.map((r) => [
      r.name,
      {
        checkpoint: r.checkpoint as Checkpoint | null,
        failed: r.status === 'failed',
        eventsProcessed: Number(r.events_processed),
        lastEventAt: r.last_event_at,
        failedEvent: r.failed_event,
        error: r.error,
      },
    ]),
  );
};

/**
 * Inside a batch's transaction: lock the row and check it is still at `from` and running. With
 * `asyncCommit` (PostgreSQL), the transaction does not wait for the WAL flush — set in the same
 * round trip as the lock, as a rebuild commits thousands of batches.
 */
export const lockCheckpointAt = async (tx: Sql, name: string, from: Checkpoint | null, asyncCommit: boolean): Promise<boolean> => {
  const setting = asyncCommit ? `, set_config('synchronous_commit', 'off', true)` : '';
  const row = (
    await tx.query<{ checkpoint: string | null; status: string }>(
      `SELECT checkpoint, status${setting} FROM projection_checkpoints WHERE name = $1 FOR UPDATE`,
      [name],
      { prepare: true },
    )
  ).rows[0];
  return row !== undefined && row.checkpoint === from && row.status === 'running';
};

/** Move the checkpoint past `batch` and count its events (inside the lock above). */
export const advanceCheckpoint = async (tx: Sql, name: string, batch: EventBatch): Promise<void> => {
  await tx.query(
    `UPDATE projection_checkpoints
        SET checkpoint = $2, events_processed = events_processed + $3,
            last_event_at = COALESCE($4::timestamptz, last_event_at), updated_at = now()
      WHERE name = $1`,
    [name, batch.checkpoint, batch.events.length, batch.events.at(-1)?.recordedAt ?? null],
    { prepare: true },
  );
};

/**
 * Move the checkpoint past `batch` in one statement, only if it is still at `from` and (with a
 * lease) the lease is still held at that epoch. False: another instance moved it or took the lease.
 */
export const advanceCheckpointIfAt = async (db: Sql, name: string, from: Checkpoint | null, batch: EventBatch, lease: LeaseHold | null): Promise<boolean> => {
  const { rowCount } = await db.query(
    `UPDATE projection_checkpoints
        SET checkpoint = $2, events_processed = events_processed + $3,
            last_event_at = COALESCE($4::timestamptz, last_event_at), updated_at = now()
      WHERE name = $1 AND checkpoint IS NOT DISTINCT FROM $5
        AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM leases WHERE name = $6 AND holder = $7 AND epoch = $8))`,
    [name, batch.checkpoint, batch.events.length, batch.events.at(-1)?.recordedAt ?? null, from, lease?.name ?? null, lease?.holder ?? null, lease?.epoch ?? null],
    { prepare: true },
  );
  return rowCount === 1;
};

/** Stop the processor on `event`: the row says which event and why, until it is retried or rebuilt. */
export const markCheckpointFailed = async (db: Sql, name: string, event: RecordedEvent, message: string): Promise<FailedEvent> => {
  const failedEvent: FailedEvent = { id: event.id, streamId: event.streamId, revision: event.revision, type: event.type };
  await db.query(
    `UPDATE projection_checkpoints SET status = 'failed', failed_event = $2, error = $3, updated_at = now()
      WHERE name = $1`,
    [name, JSON.stringify(failedEvent), message.slice(0, 2000)],
  );
  return failedEvent;
};
