/**
 * One run of `fn` at a time: callers that come while it runs share its result instead of starting
 * another (e.g. concurrent /metrics scrapes share one refresh of the gauges' queries).
 */
export const singleFlight = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let running: Promise<T> | null = null;
  return () =>
    (running ??= fn().finally(() => {
      running = null;
    }));
};
