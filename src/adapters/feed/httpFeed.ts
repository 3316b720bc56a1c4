import type { Checkpoint, EventStore } from '../../domain/ports/eventStore.js';
import { feedMessagesOf, type FeedMessage, type FeedSource } from '../../domain/warehouse/feedMessage.js';
import { isTransientError } from '../sql/transientErrors.js';

/**
 * The warehouse feed read on demand (GET /v1/warehouse/feed): the same messages as Kafka — same
 * mapping, same contract check — in the event store's global order, so each order's messages come
 * in order. The cursor is the event-store checkpoint of the last event read, base64url-wrapped; it
 * is opaque to clients and carries nothing secret (a forged cursor only moves the reader, and the
 * tenant filter still applies).
 */
export type FeedPage = Readonly<{
  messages: FeedMessage[];
  /** Where to continue (pass as `after`); null only while the feed has no position yet (nothing read). */
  nextCursor: string | null;
  /** Everything readable now was read: poll again later with nextCursor. */
  caughtUp: boolean;
}>;

export type ReadFeedOptions = Readonly<{
  /** Only this tenant's messages. */
  tenantId?: string | null;
  /** Most events examined per call (a tenant with few messages in a busy feed gets an empty, not-caught-up page). */
  maxScanEvents?: number;
}>;

/** A cursor the feed did not issue (garbled, truncated, or from another event store). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('The cursor is not one this feed issued');
  }
}

export const encodeCursor = (checkpoint: Checkpoint): string => Buffer.from(checkpoint, 'utf8').toString('base64url');

export const decodeCursor = (cursor: string): Checkpoint => {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new InvalidCursorError();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only the canonical encoding of printable ASCII round-trips: anything else was not issued here.
  if (!/^[\x21-\x7e]{1,300}$/.test(text) || encodeCursor(text as Checkpoint) !== cursor) throw new InvalidCursorError();
  return text as Checkpoint;
};

const PAGE_EVENTS = 500;

export const readFeed = async (
  store: EventStore,
  source: FeedSource,
  after: string | null,
  limit: number,
  options: ReadFeedOptions = {},
): Promise<FeedPage> => {
  if (!Number.isInteger(limit) || limit < 1) throw new Error('readFeed: limit must be a positive integer');
  const tenantId = options.tenantId ?? null;
  const maxScan = options.maxScanEvents ?? Math.max(5000, limit * 10);
  let checkpoint = after === null ? null : decodeCursor(after);
  const messages: FeedMessage[] = [];
  let scanned = 0;
  let first = after !== null;

  for (;;) {
    const wanted = Math.min(PAGE_EVENTS, Math.max(limit, 100), maxScan - scanned);
    if (wanted <= 0) return { messages, nextCursor: checkpoint && encodeCursor(checkpoint), caughtUp: false };
    let batch;
    try {
      batch = await store.readAll(checkpoint, { maxCount: wanted, filter: source.filter });
    } catch (error) {
      // The store refusing a caller's position (not being away) means the position is not one of its own.
      if (first && !isTransientError(error)) throw new InvalidCursorError();
      throw error;
    }
    first = false;
    const mapped = await Promise.all(batch.events.map((event) => feedMessagesOf(source, event)));
    for (const [i, event] of batch.events.entries()) {
      const own = mapped[i]!.filter((m) => tenantId === null || m.tenantId === tenantId);
      // Never split an event's messages across pages: the cursor can only point between events.
      if (messages.length > 0 && messages.length + own.length > limit) {
        return { messages, nextCursor: checkpoint && encodeCursor(checkpoint), caughtUp: false };
      }
      messages.push(...own);
      checkpoint = event.checkpoint;
      scanned++;
    }
    // The batch's checkpoint may lie past events the filter dropped: the next read starts there.
    checkpoint = batch.checkpoint ?? checkpoint;
    if (batch.events.length < wanted) return { messages, nextCursor: checkpoint && encodeCursor(checkpoint), caughtUp: true };
    if (messages.length >= limit) return { messages, nextCursor: checkpoint && encodeCursor(checkpoint), caughtUp: false };
  }
};
