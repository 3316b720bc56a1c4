import type { EventFilter, RecordedEvent } from '../../domain/ports/eventStore.js';
import { comparePositions, type Position } from './sqlReadOrder.js';

/**
 * The most recent events read from es_events, in global order: the window holds *every* event
 * after `lo` up to `hi` (a horizon the rows were read under, or the last row of a full read), so a
 * reader whose checkpoint lies in [lo, hi] can be answered from memory for that range exactly as
 * SQL would answer it. Bounded by events and stored bytes; the oldest go first. No I/O here: the
 * reader (tailReader.ts) decides when to read PostgreSQL. See docs/tail-window.md.
 */
export type WindowEntry = Readonly<{ at: Position; event: RecordedEvent; bytes: number }>;

export type WindowLimits = Readonly<{ maxEvents: number; maxBytes: number }>;

/** Where a position lies relative to what the window holds. */
export type Placement = 'unset' | 'behind' | 'inside' | 'ahead';

/** The same test as the SQL filter clause: a stream prefix (LIKE 'p%') and an exact type, ANDed. */
export const matchesFilter = (filter: EventFilter | undefined, e: RecordedEvent): boolean =>
  (!filter?.streamPrefixes?.length || filter.streamPrefixes.some((p) => e.streamId.startsWith(p))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(e.type));

/** Events are shared by every reader of the window: frozen all the way down, so none can alter another's. */
export const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

export const tailWindow = (limits: WindowLimits) => {
  let entries: WindowEntry[] = [];
  /** Index of the oldest live entry (evicting shifts this, not the array). */
  let first = 0;
  let bytes = 0;
  let lo: Position | null = null;
  let hi: Position | null = null;
  /** hi is a horizon (every event below it was read), not only the last row of a full read. */
  let hiIsHorizon = false;
  /** Sequence number of the read that set hi: tells a reader whether hi is fresher than its call. */
  let hiRead = 0;
  /** Bumped when the window is dropped or placed anew: a read begun before does not extend it. */
  let generation = 0;
  /**
   * The held events of each stream whose first event (revision 0) is held: the window holds every
   * event after lo, so it then holds that stream whole up to hi (a stream's revisions follow the
   * global order). Streams begun before lo are not indexed.
   */
  let streams = new Map<string, RecordedEvent[]>();

  const evict = () => {
    while (entries.length - first > limits.maxEvents || (bytes > limits.maxBytes && first < entries.length)) {
      const gone = entries[first++]!;
      bytes -= gone.bytes;
      lo = gone.at;
      // The oldest event leaves: its stream is no longer held from its start.
      streams.delete(gone.event.streamId);
    }
    if (first > 1024 && first * 2 > entries.length) {
      entries = entries.slice(first);
      first = 0;
    }
  };

  /** Index of the first live entry after `p`. */
  const indexAfter = (p: Position): number => {
    let a = first;
    let b = entries.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (comparePositions(entries[m]!.at, p) <= 0) a = m + 1;
      else b = m;
    }
    return a;
  };

  const append = (rows: readonly WindowEntry[]) => {
    for (const r of rows) {
      deepFreeze(r.event);
      entries.push(r);
      bytes += r.bytes;
      const e = r.event;
      if (e.revision === 0) streams.set(e.streamId, [e]);
      else streams.get(e.streamId)?.push(e);
    }
  };

  return {
    placement: (p: Position): Placement =>
      hi === null || lo === null ? 'unset' : comparePositions(p, lo) < 0 ? 'behind' : comparePositions(p, hi) > 0 ? 'ahead' : 'inside',
    hi: () => hi,
    generation: () => generation,
    /** hi is a horizon established by a read numbered `since` or later. */
    horizonSince: (since: number) => hiIsHorizon && hiRead >= since,
    events: () => entries.length - first,
    bytes: () => bytes,

    /**
     * Start holding the events after `from`: `rows` are all of them up to `to` (an empty window
     * at a horizon when `rows` is empty). Only when the window holds nothing yet.
     */
    place: (from: Position, rows: readonly WindowEntry[], to: Position, read: number): boolean => {
      if (hi !== null) return false;
      generation++;
      lo = from;
      hi = to;
      hiIsHorizon = true;
      hiRead = read;
      append(rows);
      evict();
      return true;
    },

    /**
     * Add `rows`, every event after `from` up to `to`, read in `atGeneration` (refused when the
     * window moved meanwhile, or `from` is not its end).
     */
    extend: (atGeneration: number, from: Position, rows: readonly WindowEntry[], to: Position, horizon: boolean, read: number): boolean => {
      if (atGeneration !== generation || hi === null || comparePositions(from, hi) !== 0) return false;
      append(rows);
      if (comparePositions(to, hi) > 0) hi = to;
      hiIsHorizon = horizon;
      hiRead = read;
      evict();
      return true;
    },

    /** The events after `after` (inside the window) up to hi that match `filter`, at most `max`. */
    collect: (after: Position, filter: EventFilter | undefined, max: number): RecordedEvent[] => {
      const out: RecordedEvent[] = [];
      for (let i = indexAfter(after); i < entries.length && out.length < max; i++) {
        const e = entries[i]!.event;
        if (matchesFilter(filter, e)) out.push(e);
      }
      return out;
    },

    /**
     * The events held of each of `streamIds` that is held from its first event: the stream's
     * events in revision order up to hi (later ones are not known here). Streams not held so are absent.
     */
    heldStreams: (streamIds: readonly string[]): Map<string, readonly RecordedEvent[]> => {
      const held = new Map<string, readonly RecordedEvent[]>();
      for (const id of streamIds) {
        const events = streams.get(id);
        if (events) held.set(id, events.slice());
      }
      return held;
    },

    /** Forget everything (the window fell too far behind the store's tail to catch up cheaply). */
    clear: () => {
      generation++;
      streams = new Map();
      entries = [];
      first = 0;
      bytes = 0;
      lo = hi = null;
      hiIsHorizon = false;
    },
  };
};

export type TailWindow = ReturnType<typeof tailWindow>;
