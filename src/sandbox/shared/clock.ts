/**
 * The sandbox's idea of "now". Token expiry, code expiry, the 2-minute search bound and update
 * timestamps all read it, so tests can move time instead of sleeping.
 */
export type Clock = Readonly<{
  now: () => number;
  /** Shifts the sandbox clock relative to the underlying time source. */
  setOffset: (ms: number) => void;
  advance: (ms: number) => void;
  offset: () => number;
}>;

export type ClockOptions = {
  /** Underlying time source; defaults to the wall clock. */
  now?: () => number | Date;
  offsetMs?: number;
};

export const createClock = (options: ClockOptions = {}): Clock => {
  const source = options.now ?? Date.now;
  let offsetMs = options.offsetMs ?? 0;
  return {
    now: () => {
      const value = source();
      return (typeof value === 'number' ? value : value.getTime()) + offsetMs;
    },
    setOffset: (ms) => {
      offsetMs = ms;
    },
    advance: (ms) => {
      offsetMs += ms;
    },
    offset: () => offsetMs,
  };
};

/** Accepts the shapes callers naturally have at hand for an instant. */
export type Instant = number | string | Date;

export const toMillis = (value: Instant): number => {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(ms)) throw new Error(`Not a valid instant: ${String(value)}`);
  return ms;
};

/** Marketplaces report whole seconds; storing whole seconds keeps query bounds and payloads consistent. */
export const floorToSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** ISO 8601 without milliseconds, the way Amazon's payloads write instants. */
export const isoSeconds = (ms: number): string => new Date(floorToSecond(ms)).toISOString().replace('.000Z', 'Z');
