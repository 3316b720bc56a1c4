import type { PullWindow } from '../ports/orderSource.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A window as planned: `sweep` marks the periodic reconciliation re-read (and the initial look-back). */
export type PlannedWindow = PullWindow & Readonly<{ sweep?: boolean }>;

export type WindowInput = Readonly<{
  now: string;
  /** When the store was connected (start of the look-back). */
  connectedAt: string;
  initialLookbackDays: number;
  /** Length of the reconciliation sweep's window (the seeds' 2 days). */
  windowHours: number;
  /** End of the last successful pull's window; null before the first success. */
  watermark: string | null;
  /** Overlap with the previous window: marketplaces index late; re-seen orders cost nothing. */
  overlapMinutes?: number;
  /** When the last sweep (or the initial look-back) completed; null: never. */
  lastSweepAt?: string | null;
  /** How often a sweep is due; 0 re-reads the whole window on every pull (the former behaviour). */
  sweepEveryHours?: number;
}>;

/**
 * The window the next pull of a store asks for.
 * - Before the first success: orders CREATED in the look-back before the connection (3–5 days), up to now.
 * - Afterwards: orders UPDATED since the last successful watermark, less a small overlap — every
 *   change since the last pull, at the cost of the pages that changed (the marketplace's history
 *   limit is the adapter's to apply, so downtime is caught up in full).
 * - Every `sweepEveryHours`: a reconciliation sweep re-reads the last `windowHours` (48) of updates,
 *   in case a marketplace indexed a change late, beyond the overlap. Idempotent appends make the
 *   orders already seen cost nothing but the calls, which is why it is scheduled rarely.
 */
export const nextPullWindow = (input: WindowInput): PlannedWindow => {
  const now = Date.parse(input.now);
  if (input.watermark === null) {
    return { kind: 'created', from: new Date(Date.parse(input.connectedAt) - input.initialLookbackDays * DAY).toISOString(), to: input.now, sweep: true };
  }
  const incremental = Date.parse(input.watermark) - (input.overlapMinutes ?? 5) * 60_000;
  const every = (input.sweepEveryHours ?? 0) * HOUR;
  const lastSweep = input.lastSweepAt ? Date.parse(input.lastSweepAt) : null;
  const sweep = lastSweep === null || now - lastSweep >= every;
  const from = sweep ? Math.min(now - input.windowHours * HOUR, incremental) : incremental;
  return { kind: 'updated', from: new Date(from).toISOString(), to: input.now, sweep };
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
