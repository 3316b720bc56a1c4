import type { Checkpoint } from '../../domain/ports/eventStore.js';

/**
 * EventStoreDB / KurrentDB checkpoints: `esdb:<commit>:<prepare>`, a position in `$all`.
 * Positions compare by commit, then prepare. A consumer's checkpoint must never move backwards,
 * even when the server sends a stale checkpoint (KurrentDB has had such bugs): `laterCheckpoint`
 * keeps the later of two.
 */
export type EsdbPosition = Readonly<{ commit: bigint; prepare: bigint }>;

export const toCheckpoint = (p: EsdbPosition): Checkpoint => `esdb:${p.commit}:${p.prepare}` as Checkpoint;

export const toPosition = (cp: Checkpoint): EsdbPosition => {
  const m = /^esdb:(\d+):(\d+)$/.exec(cp);
  if (!m) throw new Error('not an EventStoreDB checkpoint');
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
};

/** Negative, zero or positive as `a` is before, at or after `b`. */
export const comparePositions = (a: EsdbPosition, b: EsdbPosition): number =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

/** The later of two checkpoints (null = the start of `$all`, before everything). */
export const laterCheckpoint = (current: Checkpoint | null, next: Checkpoint | null): Checkpoint | null => {
  if (next === null) return current;
  if (current === null) return next;
  return comparePositions(toPosition(next), toPosition(current)) > 0 ? next : current;
};

/** Is `candidate` strictly after `after`? (An event at or before a stored checkpoint was delivered already.) */
export const isAfter = (candidate: Checkpoint, after: Checkpoint | null): boolean =>
  after === null || comparePositions(toPosition(candidate), toPosition(after)) > 0;
