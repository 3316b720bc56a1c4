/**
 * Let timers and I/O run (a /healthz probe, other tenants' requests) before continuing: long bulk
 * work (imports) awaits this between chunks. Needed because a promise chain that only awaits
 * resolved promises — or embedded PGlite, which runs on this thread — never lets them in.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
