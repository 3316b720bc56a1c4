import type { DueErasure, RetentionCounts, RetentionStore } from '../../domain/ports/retentionDue.js';
import type { Sql } from '../../domain/ports/sql.js';

export type { DueErasure, RetentionCounts, RetentionStore };

/**
 * The retention due-list in PostgreSQL (migration 090). Claims use FOR UPDATE SKIP LOCKED plus a
 * lease (claimed_until), like the pull schedule: any number of instances run the job, no order is
 * worked on by two at once, and a crashed instance's claims lapse. Times come from the caller's
 * clock (the application's), so a test can move it past the retention period.
 */
export const retentionStore = (db: Sql): RetentionStore => ({
  /** Claim up to `limit` due orders: terminal at or before `cutoff`, not erased, not claimed. */
  claimDue: async (holder: string, cutoff: string, now: string, limit: number, leaseMs: number): Promise<DueErasure[]> => {
    const { rows } = await db.query<{ order_id: string; tenant_id: string; store_id: string; trigger: 'shipped' | 'cancelled'; terminal_at: Date }>(
      `WITH due AS (
         SELECT order_id FROM retention_due
          WHERE erased_at IS NULL AND terminal_at <= $2::timestamptz AND (claimed_until IS NULL OR claimed_until < $3::timestamptz)
          ORDER BY terminal_at, order_id LIMIT $4
          FOR UPDATE SKIP LOCKED)
       UPDATE retention_due r SET claimed_by = $1, claimed_until = $3::timestamptz + $5 * interval '1 millisecond'
         FROM due WHERE r.order_id = due.order_id
       RETURNING r.order_id, r.tenant_id, r.store_id, r.trigger, r.terminal_at`,
      [holder, cutoff, now, limit, leaseMs],
    );
    return rows.map((r) => ({ orderId: r.order_id, tenantId: r.tenant_id, storeId: r.store_id, trigger: r.trigger, terminalAt: r.terminal_at.toISOString() }));
  },

  /** Erased (by us or found erased): done for good, the claim cleared. */
  markErased: async (orderId: string, erasedAt: string) => {
    await db.query(
      `UPDATE retention_due SET erased_at = coalesce(erased_at, $2::timestamptz), claimed_by = NULL, claimed_until = NULL WHERE order_id = $1`,
      [orderId, erasedAt],
    );
  },

  /** Give an order back (it failed): the next run tries again. */
  release: async (holder: string, orderId: string) => {
    await db.query('UPDATE retention_due SET claimed_by = NULL, claimed_until = NULL WHERE order_id = $1 AND claimed_by = $2', [orderId, holder]);
  },

  recordRun: async (at: string, erased: number, error: string | null) => {
    await db.query(
      `INSERT INTO retention_runs (id, last_run_at, last_erased, last_error) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, last_erased = EXCLUDED.last_erased, last_error = EXCLUDED.last_error`,
      [at, erased, error],
    );
  },

  counts: async (cutoff: string): Promise<RetentionCounts> => {
    const c = (
      await db.query<{ due: number; waiting: number; erased: number }>(
        `SELECT count(*) FILTER (WHERE erased_at IS NULL AND terminal_at <= $1::timestamptz)::int AS due,
                count(*) FILTER (WHERE erased_at IS NULL AND terminal_at > $1::timestamptz)::int AS waiting,
                count(*) FILTER (WHERE erased_at IS NOT NULL)::int AS erased
           FROM retention_due`,
        [cutoff],
      )
    ).rows[0]!;
    const run = (await db.query<{ last_run_at: Date; last_erased: number; last_error: string | null }>('SELECT last_run_at, last_erased, last_error FROM retention_runs WHERE id = 1')).rows[0];
    return { ...c, lastRun: run ? { at: run.last_run_at.toISOString(), erased: run.last_erased, error: run.last_error } : null };
  },
});
