import type { PullWindow } from '../ports/orderSource.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export type WindowInput = Readonly<{
  now: string;
  /** When the store was connected (start of the look-back). */
  connectedAt: string;
  initialLookbackDays: number;
  windowHours: number;
  /** End of the last successful pull's window; null before the first success. */
  watermark: string | null;
  /** Overlap with the previous window: marketplaces index late; re-seen orders cost nothing. */
  overlapMinutes?: number;
}>;

/**
 * The window the next pull of a store asks for.
 * - Before the first success: orders CREATED in the look-back before the connection (3–5 days), up to now.
 * - Afterwards: orders created or UPDATED in the last `windowHours` (48) — and never less than since
 *   the last successful watermark, so downtime is caught up in full (the marketplace's history
 *   limit is the adapter's to apply).
 */
export const nextPullWindow = (input: WindowInput): PullWindow => {
  const now = Date.parse(input.now);
  if (input.watermark === null) {
    return { kind: 'created', from: new Date(Date.parse(input.connectedAt) - input.initialLookbackDays * DAY).toISOString(), to: input.now };
  }
  const overlap = (input.overlapMinutes ?? 5) * 60_000;
  const from = Math.min(now - input.windowHours * HOUR, Date.parse(input.watermark) - overlap);
  return { kind: 'updated', from: new Date(from).toISOString(), to: input.now };
};

/** A store that keeps failing is tried at most every BACKOFF_CAP_INTERVALS pull intervals (1 h at 15 min). */
export const BACKOFF_CAP_INTERVALS = 4;

/**
 * Back-off for the next attempt after failed pulls: 1, 2, 4 … minutes, capped at four pull
 * intervals — a store that keeps failing (revoked access, a marketplace outage, a spent rate budget)
 * is not hammered, and one that recovers is caught up in full by its next success.
 */
export const retryDelayMs = (failures: number, intervalMinutes: number): number =>
  Math.min(BACKOFF_CAP_INTERVALS * intervalMinutes * 60_000, 60_000 * 2 ** Math.max(0, Math.min(failures - 1, 16)));
