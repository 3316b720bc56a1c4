/**
 * At most `max` bulk imports (products or mappings) run at once in this instance. An import beyond
 * that is refused at once — not queued — so a burst of large files cannot pile up memory and
 * database work that starves every other tenant; the caller retries after `retryAfterSeconds`.
 */
export type ImportGate = Readonly<{
  /** Take a slot; null when all are taken. The returned function gives it back (idempotent). */
  tryAcquire: () => (() => void) | null;
  running: () => number;
  max: number;
  retryAfterSeconds: number;
}>;

export const importGate = (max: number, retryAfterSeconds = 5): ImportGate => {
  let running = 0;
  return {
    tryAcquire: () => {
      if (running >= max) return null;
      running += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running -= 1;
      };
    },
    running: () => running,
    max,
    retryAfterSeconds,
  };
};
