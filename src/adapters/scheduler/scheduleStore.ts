import type { Sql } from '../../domain/ports/sql.js';
import { FAILING_AFTER, syncHealth } from '../../domain/pull/health.js';
import type { PullResume, ScheduleRow } from '../../domain/ports/pullSchedule.js';

export type { PullResume, ScheduleRow };

/** Stores claimed together: one pull group (or one store alone), with the stores a manual sync asked for. */
export type ClaimedGroup = Readonly<{ group: string; stores: readonly { storeId: string; manual: boolean }[] }>;

type Row = {
  store_id: string;
  tenant_id: string;
  active: boolean;
  connected_at: Date;
  watermark: Date | null;
  last_success_at: Date | null;
  last_sweep_at: Date | null;
  next_run_at: Date;
  failures: number;
  last_error: string | null;
  last_error_at: Date | null;
  failing_since: Date | null;
  claimed_until: Date | null;
  running_pull_id: string | null;
  resume: ScheduleRow['resume'];
  pull_group: string | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toRow = (r: Row): ScheduleRow => {
  const health = syncHealth({ failures: r.failures, lastError: r.last_error, failingSince: iso(r.failing_since) });
  return {
    storeId: r.store_id,
    tenantId: r.tenant_id,
    active: r.active,
    connectedAt: r.connected_at.toISOString(),
    watermark: iso(r.watermark),
    lastSuccessAt: iso(r.last_success_at),
    lastSweepAt: iso(r.last_sweep_at),
    nextRunAt: r.next_run_at.toISOString(),
    failures: r.failures,
    lastError: r.last_error,
    lastErrorAt: iso(r.last_error_at),
    state: health.state,
    failingSince: health.failingSince,
    running: r.running_pull_id !== null && r.claimed_until !== null && r.claimed_until.getTime() > Date.now(),
    resume: r.resume,
    pullGroup: r.pull_group,
  };
};

/**
 * The pull schedule in PostgreSQL. Claims use FOR UPDATE SKIP LOCKED plus a lease (claimed_until),
 * so any number of scheduler instances share the work and never pull one store twice at once; a
 * crashed instance's claims simply expire. Times come from the database clock.
 */
export const scheduleStore = (db: Sql) => ({
  /**
   * Claim up to `limit` pull groups with a due store for `holder`: every active, unclaimed store of
   * such a group that is due within `joinWithinMs` (or asked for by a manual sync) is claimed with
   * it (Amazon: one searchOrders sequence serves all the authorization's marketplaces, so the others
   * ride along for free and their schedules align). A store that has just been pulled is not pulled
   * again at once; a store claimed elsewhere is left out and keeps its own claim.
   */
  claimDue: async (holder: string, limit: number, leaseMs: number, joinWithinMs = 0): Promise<ClaimedGroup[]> => {
    const { rows } = await db.query<{ store_id: string; manual: boolean; grp: string }>(
      `WITH due AS (
         SELECT DISTINCT grp FROM (
           SELECT coalesce(pull_group, store_id) AS grp FROM pull_schedule
            WHERE active AND next_run_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
            ORDER BY next_run_at LIMIT $2) d),
       members AS (
         SELECT p.store_id, p.manual_requested, coalesce(p.pull_group, p.store_id) AS grp FROM pull_schedule p
          WHERE p.active AND coalesce(p.pull_group, p.store_id) IN (SELECT grp FROM due)
            AND (p.claimed_until IS NULL OR p.claimed_until < now())
            AND (p.next_run_at <= now() + $4 * interval '1 millisecond' OR p.manual_requested)
          FOR UPDATE SKIP LOCKED)
       UPDATE pull_schedule s
          SET claimed_by = $1, claimed_until = now() + $3 * interval '1 millisecond', manual_requested = false,
              running_pull_id = 'claimed'
         FROM members WHERE s.store_id = members.store_id
       RETURNING s.store_id, members.manual_requested AS manual, members.grp`,
      [holder, limit, leaseMs, joinWithinMs],
    );
    const groups = new Map<string, { storeId: string; manual: boolean }[]>();
    for (const r of [...rows].sort((a, b) => (a.store_id < b.store_id ? -1 : 1))) {
      const list = groups.get(r.grp) ?? [];
      list.push({ storeId: r.store_id, manual: r.manual });
      groups.set(r.grp, list);
    }
    return [...groups].map(([group, stores]) => ({ group, stores }));
  },

  /** Extend the lease while a long pull runs; false if the claim was lost (another instance took it). */
  renew: async (holder: string, storeId: string, leaseMs: number): Promise<boolean> =>
    (
      await db.query(
        `UPDATE pull_schedule SET claimed_until = now() + $3 * interval '1 millisecond' WHERE store_id = $1 AND claimed_by = $2`,
        [storeId, holder, leaseMs],
      )
    ).rowCount === 1,

  /** Done: when to run next, how it went. A manual request that came in meanwhile runs right after. */
  release: async (holder: string, storeId: string, outcome: { ok: true; nextInMs: number } | { ok: false; error: string; retryInMs: number }) => {
    await db.query(
      `UPDATE pull_schedule SET
         claimed_by = NULL, claimed_until = NULL, running_pull_id = NULL,
         next_run_at = CASE WHEN manual_requested THEN now() ELSE now() + $3 * interval '1 millisecond' END,
         failures = CASE WHEN $4::text IS NULL THEN 0 ELSE failures + 1 END,
         last_error = CASE WHEN $4::text IS NULL THEN last_error ELSE $4 END,
         last_error_at = CASE WHEN $4::text IS NULL THEN last_error_at ELSE now() END,
         failing_since = CASE WHEN $4::text IS NULL THEN NULL ELSE coalesce(failing_since, now()) END
       WHERE store_id = $1 AND claimed_by = $2`,
      [storeId, holder, outcome.ok ? outcome.nextInMs : outcome.retryInMs, outcome.ok ? null : outcome.error],
    );
  },

  /** A sweep completed with its window ending at `at`: the next one is due a sweep interval later. */
  markSwept: async (storeId: string | readonly string[], at: string) => {
    const ids = typeof storeId === 'string' ? [storeId] : [...storeId];
    await db.query('UPDATE pull_schedule SET last_sweep_at = GREATEST(last_sweep_at, $2::timestamptz) WHERE store_id = ANY($1::text[])', [ids, at]);
  },

  setRunning: async (storeId: string | readonly string[], pullId: string) => {
    const ids = typeof storeId === 'string' ? [storeId] : [...storeId];
    await db.query('UPDATE pull_schedule SET running_pull_id = $2 WHERE store_id = ANY($1::text[])', [ids, pullId]);
  },

  saveResume: async (storeId: string | readonly string[], resume: ScheduleRow['resume']) => {
    const ids = typeof storeId === 'string' ? [storeId] : [...storeId];
    await db.query('UPDATE pull_schedule SET resume = $2 WHERE store_id = ANY($1::text[])', [ids, resume === null ? null : JSON.stringify(resume)]);
  },

  /**
   * Manual sync: due now, and marked manual so the pull is logged as such (claimDue hands the mark
   * over and clears it); if a pull is running, it is coalesced into one more run right after.
   */
  requestNow: async (storeId: string): Promise<{ found: boolean; running: boolean }> => {
    const { rows } = await db.query<{ running: boolean }>(
      `UPDATE pull_schedule SET
         manual_requested = true,
         next_run_at = CASE WHEN claimed_until IS NOT NULL AND claimed_until > now() THEN next_run_at ELSE now() END
       WHERE store_id = $1
       RETURNING (claimed_until IS NOT NULL AND claimed_until > now()) AS running`,
      [storeId],
    );
    return { found: rows.length === 1, running: rows[0]?.running ?? false };
  },

  /** Active stores in the `failing` state, by reason (for the metrics). */
  failingByReason: async (): Promise<{ reason: string; stores: number }[]> =>
    (
      await db.query<{ reason: string | null; stores: number }>(
        `SELECT last_error AS reason, count(*)::int AS stores FROM pull_schedule
          WHERE active AND failures >= $1 GROUP BY last_error ORDER BY last_error`,
        [FAILING_AFTER],
      )
    ).rows.map((r) => ({ reason: r.reason ?? 'unknown', stores: r.stores })),

  get: async (storeId: string): Promise<ScheduleRow | null> => {
    const { rows } = await db.query<Row>('SELECT * FROM pull_schedule WHERE store_id = $1', [storeId]);
    return rows[0] ? toRow(rows[0]) : null;
  },
});

export type ScheduleStore = ReturnType<typeof scheduleStore>;
