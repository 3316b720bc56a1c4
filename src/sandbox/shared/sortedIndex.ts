/**
 * Order ids sorted by (instant, id). Page queries binary-search their start and walk forward, so a
 * page costs O(log n + page) instead of a scan of the whole store; that keeps 20,000-order stores fast.
 */
export type IndexEntry = Readonly<{ ms: number; id: string }>;

export type SortedIndex = Readonly<{
  insert: (ms: number, id: string) => void;
  remove: (ms: number, id: string) => void;
  /** Adds many entries at once (one sort instead of n splices). */
  load: (entries: readonly IndexEntry[]) => void;
  /** Index of the first entry at or after (ms, id). */
  lowerBound: (ms: number, id?: string) => number;
  /** Index of the first entry strictly after (ms, id). */
  upperBound: (ms: number, id: string) => number;
  at: (position: number) => IndexEntry | undefined;
  size: () => number;
}>;

const compare = (a: IndexEntry, ms: number, id: string): number =>
  a.ms !== ms ? a.ms - ms : a.id < id ? -1 : a.id > id ? 1 : 0;

export const createSortedIndex = (): SortedIndex => {
  let entries: IndexEntry[] = [];

  /** First position whose entry is not "before" the probe, where `strict` also skips an equal entry. */
  const search = (ms: number, id: string, strict: boolean): number => {
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const c = compare(entries[mid] as IndexEntry, ms, id);
      if (c < 0 || (strict && c === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  };

  return {
    insert: (ms, id) => {
      entries.splice(search(ms, id, false), 0, { ms, id });
    },
    remove: (ms, id) => {
      const position = search(ms, id, false);
      const found = entries[position];
      if (found !== undefined && found.ms === ms && found.id === id) entries.splice(position, 1);
    },
    load: (more) => {
      entries = [...entries, ...more].sort((a, b) => compare(a, b.ms, b.id));
    },
    // '' sorts before every id, so this finds the first entry at the instant.
    lowerBound: (ms, id = '') => search(ms, id, false),
    upperBound: (ms, id) => search(ms, id, true),
    at: (position) => entries[position],
    size: () => entries.length,
  };
};
