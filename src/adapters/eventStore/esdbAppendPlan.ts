import type { ExpectedVersion } from '../../domain/ports/eventStore.js';

/**
 * Exact idempotency on EventStoreDB / KurrentDB, decided from the stream's tail before appending.
 *
 * The server only checks event ids when the expected version lies *below* the stream's current
 * revision; at the current revision (or with `any`) it writes the ids again. So the adapter reads the
 * last events of the stream and plans here (pure, unit-tested):
 * - every id already there, consecutively, where `expected` says → a no-op success;
 * - some of them there, or all but elsewhere → ConcurrencyError (a partial overlap);
 * - none → append, and `any` / `stream_exists` are pinned to the revision read, so the server refuses
 *   the append if another writer got in between (the adapter then reads and plans again). That makes
 *   `any` exactly idempotent within the tail that was read (`idempotencyWindow` events).
 */
export type TailEvent = Readonly<{ id: string; revision: number }>;

export type AppendPlan =
  | Readonly<{ kind: 'noop'; nextRevision: number }>
  | Readonly<{ kind: 'conflict'; actual: string; reason: string }>
  | Readonly<{ kind: 'append'; expected: number | 'no_stream'; pinned: boolean }>;

const describe = (current: number | null) => (current === null ? 'no_stream' : String(current));

/**
 * @param tail the stream's last events in revision order (possibly only the newest part of it)
 * @param current the stream's last revision, null when the stream does not exist
 */
export const planAppend = (
  tail: readonly TailEvent[],
  current: number | null,
  ids: readonly string[],
  expected: ExpectedVersion,
): AppendPlan => {
  const actual = describe(current);
  if (current === null) {
    if (expected === 'stream_exists' || typeof expected === 'number') return { kind: 'conflict', actual, reason: 'the stream does not exist' };
    return ids.length ? { kind: 'append', expected: 'no_stream', pinned: expected === 'any' } : { kind: 'noop', nextRevision: -1 };
  }
  const at = new Map(tail.map((e) => [e.id.toLowerCase(), e.revision]));
  const found = ids.map((id) => at.get(id.toLowerCase()));
  const present = found.filter((r) => r !== undefined);
  if (ids.length && present.length === ids.length) {
    const first = found[0]!;
    const consecutive = found.every((r, i) => r === first + i);
    const inPlace = typeof expected === 'number' ? first === expected + 1 : expected === 'no_stream' ? first === 0 : true;
    if (consecutive && inPlace) return { kind: 'noop', nextRevision: first + ids.length - 1 };
    return { kind: 'conflict', actual, reason: 'the events are in the stream, but not where expected' };
  }
  if (present.length) return { kind: 'conflict', actual, reason: 'some of the events are already in the stream' };
  if (expected === 'no_stream') return { kind: 'conflict', actual, reason: 'the stream exists' };
  if (typeof expected === 'number') {
    if (expected > current) return { kind: 'conflict', actual, reason: 'the stream is behind the expected version' };
    // Below the current revision and inside the tail read: other events hold that place.
    if (expected < current && (tail[0]?.revision ?? Infinity) <= expected + 1) {
      return { kind: 'conflict', actual, reason: 'the stream moved on' };
    }
    // At the current revision, or a place older than the tail: the server checks the ids there.
    return ids.length ? { kind: 'append', expected, pinned: false } : { kind: 'noop', nextRevision: current };
  }
  return ids.length ? { kind: 'append', expected: current, pinned: true } : { kind: 'noop', nextRevision: current };
};

/**
 * Run `work` over `items` with at most `concurrency` in flight, in order of index, and start no new
 * item once one has failed; the first failure is thrown after the items in flight have settled.
 * (appendMany without an atomic server append: stop at the first failed append.)
 */
export const runUntilFailure = async <T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
};
