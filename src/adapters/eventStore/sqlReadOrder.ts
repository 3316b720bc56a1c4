import type { Checkpoint, EventBatch, RecordedEvent } from '../../domain/ports/eventStore.js';

/**
 * The SQL event store's global order: a position is (transaction_id, global_position), read only
 * below the snapshot's xmin (reference §2.3). Checkpoints are `pg:<xid>:<position>`.
 */
export type Position = readonly [tx: bigint, pos: bigint];

const MAX_POS = 9223372036854775807n;
const START: Position = [0n, 0n];

export const checkpointOf = (p: Position): Checkpoint => `pg:${p[0]}:${p[1]}` as Checkpoint;

export const positionOf = (cp: Checkpoint | null): Position => {
  if (cp === null) return START;
  const m = /^pg:(\d+):(\d+)$/.exec(cp);
  if (!m) throw new Error(`not a PostgreSQL event-store checkpoint: ${cp}`);
  return [BigInt(m[1]!), BigInt(m[2]!)];
};

export const comparePositions = (a: Position, b: Position): number =>
  a[0] !== b[0] ? (a[0] > b[0] ? 1 : -1) : a[1] === b[1] ? 0 : a[1] > b[1] ? 1 : -1;

/**
 * Just below a snapshot's xmin: every transaction with a lower id has ended, so every event at or
 * before this position is final and no event committed later can sort before it.
 */
export const horizonFloor = (xmin: string): Position => [BigInt(xmin) - 1n, MAX_POS];

/**
 * The page a read of `events` (at most `limit`, from `after`, below `xmin`) answers. A filtered read
 * that came back short saw every event below xmin, so it may skip to just below xmin without waiting
 * for a matching event (EventStoreDB's checkpointReached, in SQL).
 */
export const pageOf = (
  after: Checkpoint | null,
  events: readonly RecordedEvent[],
  xmin: string,
  limit: number,
  filtered: boolean,
): EventBatch => {
  let checkpoint = events.at(-1)?.checkpoint ?? after;
  if (filtered && events.length < limit) {
    const floor = horizonFloor(xmin);
    if (comparePositions(floor, positionOf(checkpoint)) > 0) checkpoint = checkpointOf(floor);
  }
  return { events, checkpoint };
};
