/**
 * How a store's pulling is doing, from its schedule row: `ok` (the last pull succeeded), `retrying`
 * (a failure or two: rate limits and outages usually pass within the first back-offs), `failing`
 * (FAILING_AFTER failures in a row: someone should look — the reason says what). Pure: the shell
 * passes the row in.
 */
export const FAILING_AFTER = 3;

export type SyncState = 'ok' | 'retrying' | 'failing';

export type SyncHealth = Readonly<{
  state: SyncState;
  /** The last failure's code (MarketplaceError code, internal_error, …) while not ok; null when ok. */
  reason: string | null;
  /** First failure since the last success; null when ok. */
  failingSince: string | null;
}>;

export const syncHealth = (row: Readonly<{ failures: number; lastError: string | null; failingSince: string | null }>): SyncHealth => {
  if (row.failures <= 0) return { state: 'ok', reason: null, failingSince: null };
  return { state: row.failures >= FAILING_AFTER ? 'failing' : 'retrying', reason: row.lastError, failingSince: row.failingSince };
};
