/**
 * Deterministic pseudo-random numbers for seeding sandboxes. Not for anything secret: the point is
 * that the same seed gives the same stores on every machine, so tests and demos are repeatable.
 */
/** The seed sandboxes use when none is given, so an unconfigured run is repeatable too. */
export const DEFAULT_SEED = 'oms-sandbox';

export type Random = Readonly<{
  /** Uniform float in [0, 1). */
  next: () => number;
  /** Integer in [min, max], both inclusive. */
  int: (min: number, max: number) => number;
  bool: (probability?: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
  /** Picks a key with probability proportional to its weight. */
  weighted: <K extends string>(weights: Readonly<Record<K, number>>) => K;
  digits: (length: number) => string;
  /** Upper-case letters and digits. */
  alnum: (length: number) => string;
  hex: (length: number) => string;
  /** An independent stream derived from this one's seed and a label (stable under reordering). */
  fork: (label: string) => Random;
}>;

/** FNV-1a over the UTF-16 code units: a small, well-spread 32-bit hash for turning labels into seeds. */
export const hashSeed = (value: string | number): number => {
  const text = String(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash === 0 ? 0x9e3779b9 : hash;
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

/** Marsaglia's xorshift32 on a hashed seed; fast enough to generate 20,000+ orders in well under a second. */
export const createRandom = (seed: string | number): Random => {
  const seedText = String(seed);
  let state = hashSeed(seedText);
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  // Discard the first outputs: nearby seeds otherwise start with correlated values.
  for (let i = 0; i < 8; i += 1) next();

  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(next() * items.length)] as T;
  };
  const fromAlphabet = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet.charAt(Math.floor(next() * alphabet.length));
    return out;
  };
  const weighted = <K extends string>(weights: Readonly<Record<K, number>>): K => {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
    if (total <= 0) throw new Error('weighted pick needs a positive weight');
    let roll = next() * total;
    for (const [key, weight] of entries) {
      roll -= Math.max(0, weight);
      if (roll < 0) return key;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  };

  return {
    next,
    int,
    bool: (probability = 0.5) => next() < probability,
    pick,
    weighted,
    digits: (length) => fromAlphabet('0123456789', length),
    alnum: (length) => fromAlphabet(ALNUM, length),
    hex: (length) => fromAlphabet(HEX, length),
    fork: (label) => createRandom(`${seedText}/${label}`),
  };
};
