/**
 * Sleep until woken, the timeout passes, or the signal aborts — whichever comes first.
 * `register` receives the function that wakes this waiter early.
 */
export const waitForWakeOrTimeout = (
  ms: number,
  signal: AbortSignal | undefined,
  register: (wake: () => void) => void = () => undefined,
): Promise<void> =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    register(done);
  });

/** Sleep that an AbortSignal cuts short. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => waitForWakeOrTimeout(ms, signal);

/** Exponential back-off with full jitter: up to 100 ms, 200 ms, … capped at `maxMs`. */
export const backoffDelay = (attempt: number, baseMs = 100, maxMs = 10_000): number =>
  Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20)));
