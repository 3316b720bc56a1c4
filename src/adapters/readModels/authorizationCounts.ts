import type { Sql } from '../../domain/ports/sql.js';

export type AuthorizationsNeedingSeller = Readonly<{ platform: string; reauthorizationRequired: number; renewalDue: number }>;

/**
 * Authorizations that need the seller (#16.4), per platform, from rm_authorizations: those refused by
 * the marketplace, and live ones whose grant must be renewed by `renewBy`.
 */
export const authorizationCounts = (db: Sql) => ({
  needingSeller: async (renewBy: Date): Promise<AuthorizationsNeedingSeller[]> => {
    const { rows } = await db.query<{ platform: string; required: number; renewal: number }>(
      `SELECT platform, count(*) FILTER (WHERE status = 'reauthorization_required')::int AS required,
              count(*) FILTER (WHERE status IN ('active', 'paused') AND renew_by <= $1)::int AS renewal
         FROM rm_authorizations GROUP BY platform`,
      [renewBy],
    );
    return rows.map((r) => ({ platform: r.platform, reauthorizationRequired: r.required, renewalDue: r.renewal }));
  },
});
