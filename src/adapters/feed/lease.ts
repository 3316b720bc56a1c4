import type { Sql } from '../../domain/ports/sql.js';

/**
 * A named lease in PostgreSQL (table `leases`, migration 005) for work that must have a single
 * active runner across instances. Every decision is one compare-and-set statement judged by the
 * database clock: the lease is taken only when free, expired, or already ours. `epoch` grows each
 * time the lease changes hands and fences writes made under it (see fencedCheckpoint).
 */
export type LeaseOptions = Readonly<{
  db: Sql;
  name: string;
  /** Unique per running instance (host, pid, random part). */
  holder: string;
  ttlMs: number;
}>;

export type LeaseState = Readonly<{ holder: string; epoch: number; expiresAt: Date; active: boolean }>;

export const sqlLease = ({ db, name, holder, ttlMs }: LeaseOptions) => ({
  name,
  holder,
  ttlMs,

  /** Take or extend the lease; the epoch to fence writes with, or null while another instance holds it. */
  acquire: async (): Promise<number | null> => {
    const { rows } = await db.query<{ epoch: number }>(
      `INSERT INTO leases AS l (name, holder, epoch, acquired_at, expires_at)
       VALUES ($1, $2, 1, now(), now() + $3::int * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
          SET holder = EXCLUDED.holder,
              epoch = CASE WHEN l.holder = EXCLUDED.holder THEN l.epoch ELSE l.epoch + 1 END,
              acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END,
              expires_at = EXCLUDED.expires_at
        WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
       RETURNING epoch`,
      [name, holder, ttlMs],
    );
    return rows[0]?.epoch ?? null;
  },

  /**
   * Extend the lease held at `epoch`. False when it changed hands: the caller must stop at once.
   * (An expired lease that nobody took is still ours: renewing it is safe, the epoch is unchanged.)
   */
  renew: async (epoch: number): Promise<boolean> => {
    const { rowCount } = await db.query(
      `UPDATE leases SET expires_at = now() + $4::int * interval '1 millisecond'
        WHERE name = $1 AND holder = $2 AND epoch = $3`,
      [name, holder, epoch, ttlMs],
    );
    return rowCount === 1;
  },

  /** Give the lease up (on stop) so another instance takes over without waiting for expiry. */
  release: async (epoch: number): Promise<void> => {
    await db.query(`UPDATE leases SET expires_at = now() WHERE name = $1 AND holder = $2 AND epoch = $3`, [name, holder, epoch]);
  },

  /** Who holds it now (for status and tests); null before anyone took it. */
  current: async (): Promise<LeaseState | null> => {
    const { rows } = await db.query<{ holder: string; epoch: number; expires_at: Date; active: boolean }>(
      `SELECT holder, epoch, expires_at, expires_at > now() AS active FROM leases WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row ? { holder: row.holder, epoch: row.epoch, expiresAt: row.expires_at, active: row.active } : null;
  },
});

export type SqlLease = ReturnType<typeof sqlLease>;
