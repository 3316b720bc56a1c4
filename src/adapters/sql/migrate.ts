import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../../domain/ports/sql.js';

export type Migration = Readonly<{ version: number; name: string; sql: string }>;

/** The repo's `migrations/` folder, found upwards from this file (works from src/ and from dist/). */
export const defaultMigrationsDir = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, '001_event_store.sql'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('migrations folder not found');
    dir = parent;
  }
};

export const loadMigrations = async (dir = defaultMigrationsDir()): Promise<Migration[]> => {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(join(dir, file), 'utf8'),
    })),
  );
};

/**
 * Apply pending migrations in order, each once. The whole run is one transaction under an advisory
 * lock scoped to the current schema, so two instances starting together apply them exactly once
 * (the second waits, then finds nothing to do).
 */
export const migrate = async (db: Sql, migrations?: readonly Migration[]): Promise<number[]> => {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.oms_migrations'))`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
};
