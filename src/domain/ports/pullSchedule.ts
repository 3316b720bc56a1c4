import type { SyncState } from '../pull/health.js';
import type { PlannedWindow } from '../pull/window.js';

/** One store's pull schedule: watermark, next run, failures, and where an interrupted pull resumes. */
export type ScheduleRow = Readonly<{
  storeId: string;
  tenantId: string;
  active: boolean;
  connectedAt: string;
  watermark: string | null;
  lastSuccessAt: string | null;
  /** When the last reconciliation sweep (or the initial look-back) completed. */
  lastSweepAt: string | null;
  nextRunAt: string;
  failures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  /** ok / retrying / failing (see domain/pull/health.ts), and since when it has not been ok. */
  state: SyncState;
  failingSince: string | null;
  running: boolean;
  resume: PullResume | null;
  /** Stores of one pull group are pulled together (Amazon: the authorization); null: alone. */
  pullGroup: string | null;
}>;

/**
 * Where an interrupted pull resumes: its window, the marketplace's page token, and the
 * marketplaces the sequence asks for (a follow-up page must repeat them; absent in resume points
 * written before pull groups: the store's own marketplace).
 */
export type PullResume = Readonly<{ pullId: string; window: PlannedWindow; cursor: string; marketplaceIds?: readonly string[] }>;

/**
 * What a pull reads and records in the schedule (claims, leases and due times are the scheduler's,
 * adapters/scheduler). The PostgreSQL adapter is adapters/scheduler/scheduleStore.ts.
 */
export interface PullSchedule {
  get(storeId: string): Promise<ScheduleRow | null>;
  setRunning(storeId: string | readonly string[], pullId: string): Promise<void>;
  saveResume(storeId: string | readonly string[], resume: PullResume | null): Promise<void>;
  /** A sweep completed with its window ending at `at`: the next one is due a sweep interval later. */
  markSwept(storeId: string | readonly string[], at: string): Promise<void>;
}
