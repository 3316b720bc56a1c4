import type { Checkpoint, EventBatch, EventFilter, RecordedEvent } from '../../domain/ports/eventStore.js';
import { checkpointOf, comparePositions, horizonFloor, pageOf, positionOf, type Position } from './sqlReadOrder.js';
import { tailWindow, type WindowEntry } from './tailWindow.js';

/**
 * readAll through a tail window (tailWindow.ts): the consumers of one process (projections,
 * reactors, the feed, the backlog gate) read the same fresh events; the first to ask reads them
 * from PostgreSQL *unfiltered* ("head reads", one at a time, shared by whoever waits), the others
 * are answered from memory with their own filter. Same guarantees as a plain read: events come
 * from below an established horizon only, and a read that does not fill its page ends on a
 * horizon established after the call began (so awaitVisible → readAll still sees everything).
 * Readers behind the window, and anything unusual, fall back to a plain read. docs/tail-window.md.
 */
export type TailWindowOptions = Readonly<{
  /** Most events held (default 8,192). */
  maxEvents?: number;
  /** Most bytes held, counted as PostgreSQL stores data + metadata (default 16 MiB). */
  maxBytes?: number;
  /** Events per head read (default 1,000). */
  readSize?: number;
}>;

export type Fetched = Readonly<{ rows: readonly WindowEntry[]; xmin: string }>;
/** One SQL read: up to `limit` events after `after` below the statement's own xmin, with that xmin. */
export type Fetch = (after: Position, limit: number, filter: EventFilter | undefined) => Promise<Fetched>;

/** Head reads one caller may wait for before the rest of its page is read plainly (bounds what a sparse filter pulls in). */
const MAX_HEAD_READS_PER_CALL = 4;

export const tailReader = (fetch: Fetch, options: TailWindowOptions = {}) => {
  const readSize = Math.max(1, options.readSize ?? 1000);
  const window = tailWindow({ maxEvents: Math.max(readSize, options.maxEvents ?? 8192), maxBytes: options.maxBytes ?? 16 * 2 ** 20 });
  /** Reads numbered as they start: a read numbered ≥ n began after whoever noted n. */
  let reads = 0;
  let running: { read: number; done: Promise<void> } | null = null;
  let queued: Promise<void> | null = null;

  /** Read the events after the window's end into it (refused if the window moved meanwhile). */
  const headRead = async (read: number): Promise<void> => {
    const from = window.hi();
    if (from === null) return;
    const generation = window.generation();
    const { rows, xmin } = await fetch(from, readSize, undefined);
    const full = rows.length >= readSize;
    const floor = horizonFloor(xmin);
    window.extend(generation, from, rows, full ? rows.at(-1)!.at : floor, !full, read);
  };

  /** Resolves once a head read that began at or after read number `since` has ended (one runs at a time). */
  const headReadSince = (since: number): Promise<void> => {
    if (running === null) {
      const read = ++reads;
      const done = headRead(read).finally(() => {
        running = null;
      });
      running = { read, done };
      return done;
    }
    if (running.read >= since) return running.done;
    queued ??= running.done
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return headReadSince(since);
      });
    return queued;
  };

  /** A plain read from `after` (the fallback, and what places an empty window at the tail). */
  const plain = async (after: Position, limit: number, filter: EventFilter | undefined) => {
    const read = ++reads;
    const { rows, xmin } = await fetch(after, limit, filter);
    const events = rows.map((r) => r.event);
    if (rows.length < limit) {
      // It reached the horizon: the window can start there (an unfiltered read also hands it its rows).
      if (filter === undefined) {
        window.place(after, rows, horizonFloor(xmin), read);
      } else {
        window.place(horizonFloor(xmin), [], horizonFloor(xmin), read);
      }
    }
    return { events, xmin };
  };

  const plainPage = async (after: Checkpoint | null, limit: number, filter: EventFilter | undefined): Promise<EventBatch> => {
    const { events, xmin } = await plain(positionOf(after), limit, filter);
    return pageOf(after, events, xmin, limit, filter !== undefined);
  };

  /** The window's part of a page (`got`, up to `cursor`), completed by a plain read. */
  const plainRest = async (
    after: Checkpoint | null,
    got: RecordedEvent[],
    cursor: Position,
    limit: number,
    filter: EventFilter | undefined,
  ): Promise<EventBatch> => {
    const rest = await plainPage(checkpointOf(cursor), limit - got.length, filter);
    const events = got.length ? [...got, ...rest.events] : rest.events;
    // Unfiltered pages end on their last event, as a plain read's do; filtered ones where the rest ended.
    return { events, checkpoint: filter === undefined ? (events.at(-1)?.checkpoint ?? after) : rest.checkpoint };
  };

  const readAll = async (after: Checkpoint | null, options: { maxCount?: number; filter?: EventFilter } = {}): Promise<EventBatch> => {
    const limit = options.maxCount ?? 500;
    const filter = options.filter;
    const start = positionOf(after);
    const since = reads + 1;
    const placed = window.placement(start);
    if (limit <= 0 || placed === 'unset' || placed === 'behind') return plainPage(after, limit, filter);
    const got: RecordedEvent[] = [];
    let cursor = start;
    for (let round = 0; ; round++) {
      const placement = window.placement(cursor);
      if (placement === 'inside') {
        const more = window.collect(cursor, filter, limit - got.length);
        for (const e of more) got.push(e);
        if (got.length >= limit) return { events: got, checkpoint: got.at(-1)!.checkpoint };
        const hi = window.hi()!;
        if (comparePositions(hi, cursor) > 0) cursor = hi;
        if (window.horizonSince(since)) {
          return { events: got, checkpoint: filter === undefined ? (got.at(-1)?.checkpoint ?? after) : checkpointOf(cursor) };
        }
      } else if (placement === 'ahead' && round > 0) {
        // A fresh head read did not reach this reader: the window lags the tail by more than a read.
        if (!window.horizonSince(since)) window.clear();
        return plainRest(after, got, cursor, limit, filter);
      } else if (placement !== 'ahead') {
        return plainRest(after, got, cursor, limit, filter);
      }
      if (round >= MAX_HEAD_READS_PER_CALL) return plainRest(after, got, cursor, limit, filter);
      await headReadSince(since);
    }
  };

  return { readAll, window };
};
