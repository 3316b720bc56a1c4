import { sleep as sleepUntilWokenOrAborted } from '../shared/timers.js';

/**
 * Time as the marketplace clients see it. Injected so rate limits, back-off and token expiry can be
 * tested against a virtual clock without real waiting.
 */
export type Timing = Readonly<{
  now: () => number;
  /** Waits `ms`; rejects with the signal's reason when it aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}>;

export const systemTiming: Timing = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    signal?.throwIfAborted();
    await sleepUntilWokenOrAborted(ms, signal);
    // The shared sleep resolves early on abort; a caller that asked to stop must not carry on.
    signal?.throwIfAborted();
  },
};

/**
 * Settles with `work`, or rejects as soon as `signal` aborts. The work itself runs on to its own
 * deadline (httpCall has no way to take a signal), but the caller stops waiting for it at once.
 */
export const untilAborted = <T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
};
