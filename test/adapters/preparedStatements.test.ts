import t from 'tap';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

/**
 * QueryOptions.prepare: on a server the text becomes a named prepared statement, parsed once per
 * connection (pg_prepared_statements shows it); results are the same as unnamed; a schema change
 * under a kept plan is re-planned by the server; PGlite takes the option and runs as before.
 */

const preparedOnThisConnection = async (db: Awaited<ReturnType<typeof serverDatabase>>, pattern: string) =>
  db.transaction(async (tx) => {
    const { rows } = await tx.query<{ name: string; statement: string }>(
      'SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE $1',
      [pattern],
    );
    return { rows, tx };
  });

t.test('PostgreSQL server: a marked text is prepared once per connection and binds the same as unnamed', async (t) => {
  const db = await serverDatabase(t, { poolSize: 1, migrate: false });
  await db.exec('CREATE TABLE prep_items (id int PRIMARY KEY, label text NOT NULL)');
  await db.query('INSERT INTO prep_items SELECT i, $1 || i FROM generate_series(1, 50) AS i', ['item-']);

  const text = 'SELECT id, label FROM prep_items WHERE id BETWEEN $1 AND $2 ORDER BY id /* prep test */';
  const prepared = await db.query<{ id: number; label: string }>(text, [3, 5], { prepare: true });
  const again = await db.query<{ id: number; label: string }>(text, [10, 11], { prepare: true });
  const unnamed = await db.query<{ id: number; label: string }>(text, [3, 5]);
  t.same(prepared.rows, unnamed.rows, 'same rows as an unnamed statement');
  t.same(again.rows.map((r) => r.label), ['item-10', 'item-11'], 'new parameters bind into the kept statement');

  const { rows } = await preparedOnThisConnection(db, '%prep test%');
  t.equal(rows.length, 1, 'one named statement for the text on the connection');
  t.match(rows[0]!.name, /^oms_\d+$/);

  // Inside a transaction too (the transaction's client is a pooled connection like any other).
  const inTx = await db.transaction((tx) => tx.query<{ id: number }>(text, [1, 2], { prepare: true }));
  t.same(inTx.rows.map((r) => r.id), [1, 2]);

  // A column added under the kept statement: the server re-plans; the result has what the text asks for.
  await db.exec('ALTER TABLE prep_items ADD COLUMN extra text');
  const afterAlter = await db.query<{ id: number; label: string }>(text, [49, 50], { prepare: true });
  t.same(afterAlter.rows, [{ id: 49, label: 'item-49' }, { id: 50, label: 'item-50' }]);
});

t.test('PostgreSQL server: texts not marked are never kept', async (t) => {
  const db = await serverDatabase(t, { poolSize: 1, migrate: false });
  await db.query('SELECT $1::int AS n /* unmarked */', [1]);
  const { rows } = await preparedOnThisConnection(db, '%unmarked%');
  t.equal(rows.length, 0);
});

t.test('PGlite accepts the option and answers as without it', async (t) => {
  const db = await embeddedDatabase(t, { migrate: false });
  const a = await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [41], { prepare: true });
  const b = await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [41]);
  t.same(a.rows, [{ n: 42 }]);
  t.same(a.rows, b.rows);
});

t.test("PostgreSQL server: a text marked 'planOnce' runs on sessions that plan it once, for any values", async (t) => {
  const db = await serverDatabase(t, { poolSize: 1, migrate: false });
  await db.exec('CREATE TABLE once_items (id int PRIMARY KEY, kind text NOT NULL)');
  await db.query(`INSERT INTO once_items SELECT i, CASE WHEN i % 10 = 0 THEN 'rare' ELSE 'common' END FROM generate_series(1, 200) AS i`);
  const text = `SELECT id, current_setting('plan_cache_mode') AS mode, current_setting('search_path') AS path
                  FROM once_items WHERE id BETWEEN $1 AND $2 ORDER BY id /* once test */`;
  type Row = { id: number; mode: string; path: string };
  const first = await db.query<Row>(text, [1, 3], { prepare: 'planOnce' });
  const later = await db.query<Row>(text, [150, 152], { prepare: 'planOnce' });
  const wide = await db.query<Row>(text, [1, 200], { prepare: 'planOnce' });
  t.same(first.rows.map((r) => r.id), [1, 2, 3]);
  t.same(later.rows.map((r) => r.id), [150, 151, 152], 'new values bind into the kept plan');
  t.equal(wide.rows.length, 200, 'a range the plan was not made for still gets every row');
  t.equal(first.rows[0]!.mode, 'force_generic_plan', 'its session plans generically');

  const plain = await db.query<{ mode: string; path: string; jit: string }>(
    `SELECT current_setting('plan_cache_mode') AS mode, current_setting('search_path') AS path, current_setting('jit') AS jit`,
  );
  t.equal(plain.rows[0]!.mode, 'auto', 'every other statement keeps the server default (a plan per value where it pays)');
  t.equal(plain.rows[0]!.jit, 'off', 'OMS sessions run without JIT compilation (short statements; see postgresDatabase.ts)');
  t.equal(first.rows[0]!.path, plain.rows[0]!.path, "those sessions run in the database's schema like the others");

  // Sequential queries reuse the idle session, so this reads the statement's own counters.
  const { rows } = await db.query<{ generic_plans: number; custom_plans: number }>(
    'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1',
    ['%once test */'],
    { prepare: 'planOnce' },
  );
  t.equal(rows.length, 1, 'one named statement for the text');
  t.equal(Number(rows[0]!.custom_plans), 0, 'never planned for particular values');
  t.ok(Number(rows[0]!.generic_plans) >= 1, 'run from its one generic plan');
});

t.test("PGlite accepts 'planOnce' and answers as without it", async (t) => {
  const db = await embeddedDatabase(t, { migrate: false });
  const a = await db.query<{ n: number }>('SELECT $1::int * 2 AS n', [21], { prepare: 'planOnce' });
  t.same(a.rows, [{ n: 42 }]);
});
