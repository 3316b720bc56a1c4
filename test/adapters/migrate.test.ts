import t from 'tap';
import { loadMigrations, migrate } from '../../src/adapters/sql/migrate.js';
import { postgresDatabase } from '../../src/adapters/sql/postgresDatabase.js';
import { findPostgresUrl, serverDatabase } from '../support/postgres.js';

t.test('migrations are numbered plain SQL files', async (t) => {
  const all = await loadMigrations();
  t.ok(all.length >= 2);
  // Each helper branch owns a number range (e.g. 030–039), so gaps between ranges are expected;
  // what must hold is one file per number, applied in ascending order.
  const versions = all.map((m) => m.version);
  t.same(versions, [...new Set(versions)].sort((a, b) => a - b), 'unique numbers, in ascending order');
  t.same(versions.slice(0, 10), Array.from({ length: 10 }, (_, i) => i + 1), 'the first ten without gaps');
});

t.test('two instances starting together apply each migration exactly once', async (t) => {
  const first = await serverDatabase(t, { migrate: false });
  const url = await findPostgresUrl();
  const instances = await Promise.all(Array.from({ length: 3 }, () => postgresDatabase({ url, schema: first.schema })));
  t.teardown(() => Promise.all(instances.map((db) => db.close())));
  const applied = await Promise.all([first, ...instances].map((db) => migrate(db)));
  const all = await loadMigrations();
  t.same(applied.flat().sort((a, b) => a - b), all.map((m) => m.version), 'every migration applied by exactly one instance');
  const { rows } = await first.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
  t.equal(rows[0]!.n, all.length);
  t.same(await migrate(first), [], 'a later start finds nothing to do');
});
