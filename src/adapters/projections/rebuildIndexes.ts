import type { Sql } from '../../domain/ports/sql.js';

/**
 * A projection rebuilding from zero loads its tables without their secondary indexes and builds
 * each index once at the end (migrations/010_projection_rebuild_indexes.sql): one sorted build is
 * far cheaper than a million scattered b-tree and GIN insertions. The definitions are kept in a
 * table, in the same transactions as the drops and the re-creation, so a crash at any point leaves
 * either the indexes or their definitions, never neither.
 */

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Record and drop the plain secondary indexes of `tables` (call in the transaction that empties
 * them). Primary keys, unique and exclusion indexes, and any index behind a constraint stay: they
 * decide which rows may exist, and ON CONFLICT needs them. So does an index in a tablespace of its
 * own (pg_get_indexdef leaves the tablespace out). Returns how many were set aside.
 */
export const setAsideIndexes = async (tx: Sql, projection: string, tables: readonly string[]): Promise<number> => {
  if (!tables.length) return 0;
  const { rows } = await tx.query<{ schema_name: string; index_name: string }>(
    `INSERT INTO projection_rebuild_indexes (projection, schema_name, index_name, definition)
     SELECT $1, n.nspname, c.relname, pg_get_indexdef(i.indexrelid)
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.indrelid IN (SELECT to_regclass(quote_ident(t)) FROM unnest($2::text[]) AS t)
        AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion AND c.reltablespace = 0
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ON CONFLICT (projection, schema_name, index_name) DO UPDATE SET definition = EXCLUDED.definition
     RETURNING schema_name, index_name`,
    [projection, tables],
  );
  for (const r of rows) await tx.query(`DROP INDEX ${ident(r.schema_name)}.${ident(r.index_name)}`);
  return rows.length;
};

/** How many indexes of this projection are set aside (> 0: it is rebuilding without them). */
export const setAsideCount = async (q: Sql, projection: string): Promise<number> =>
  (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM projection_rebuild_indexes WHERE projection = $1', [projection])).rows[0]!.n;

/** Indexes set aside, per projection (for status). */
export const setAsideCounts = async (q: Sql): Promise<Map<string, number>> => {
  const { rows } = await q.query<{ projection: string; n: number }>(
    'SELECT projection, count(*)::int AS n FROM projection_rebuild_indexes GROUP BY projection',
  );
  return new Map(rows.map((r) => [r.projection, r.n]));
};

type SetAside = { schema_name: string; index_name: string; definition: string; present: boolean };

/**
 * Build one index set aside for this projection, in its own transaction with the deletion of its
 * definition (a crash leaves either). Takes the largest builds first (GIN, then the rest), and
 * leaves an index that exists already (made again by hand or by a migration meanwhile) as it is.
 * With `skipLocked`, passes over definitions another transaction holds (another builder, another
 * instance); without, waits for it to end. Returns false when none is left to take.
 */
const buildOne = (db: Sql, projection: string, maintenanceWorkMem: string | null, skipLocked: boolean): Promise<boolean> =>
  db.transaction(async (tx) => {
    const { rows } = await tx.query<SetAside>(
      `SELECT schema_name, index_name, definition,
              to_regclass(quote_ident(schema_name) || '.' || quote_ident(index_name)) IS NOT NULL AS present
         FROM projection_rebuild_indexes WHERE projection = $1
        ORDER BY position(' USING gin ' IN definition) > 0 DESC, index_name
        LIMIT 1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
      [projection],
    );
    const index = rows[0];
    if (!index) return false;
    if (maintenanceWorkMem) await tx.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [maintenanceWorkMem]);
    if (!index.present) await tx.exec(index.definition);
    await tx.query('DELETE FROM projection_rebuild_indexes WHERE projection = $1 AND schema_name = $2 AND index_name = $3', [
      projection, index.schema_name, index.index_name,
    ]);
    return true;
  });

export type RestoreOptions = Readonly<{
  /** maintenance_work_mem of each build (PostgreSQL server), so it sorts in memory; null: the default. */
  maintenanceWorkMem: string | null;
  /** Builds at once, each on its own connection (1 on PGlite, which has one). */
  builders: number;
  /**
   * ANALYZE the tables afterwards. Their statistics describe them as they were before the rebuild;
   * a server's autovacuum analyzes a table soon after so many inserts, PGlite runs no autovacuum.
   */
  analyze: boolean;
}>;

/**
 * Build again every index set aside for this projection (once its rebuild has caught up). Several
 * builders share the work: a GIN build uses one core, and CREATE INDEX locks only writers out.
 * Returns when none is left: what others were building meanwhile is waited for, and built here if
 * they did not finish (an instance killed mid-build: its server session rolls back on its own).
 */
export const restoreIndexes = async (db: Sql, projection: string, tables: readonly string[], opts: RestoreOptions): Promise<void> => {
  const builder = async () => {
    while (await buildOne(db, projection, opts.maintenanceWorkMem, true));
    while (await buildOne(db, projection, opts.maintenanceWorkMem, false));
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, opts.builders) }, builder));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (opts.analyze) for (const table of tables) await db.query(`ANALYZE ${ident(table)}`);
};
