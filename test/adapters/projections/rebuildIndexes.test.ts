import t, { type Test } from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { projectionRunner, type ProjectionRunnerOptions } from '../../../src/adapters/projections/projectionRunner.js';
import type { EventStore } from '../../../src/domain/ports/eventStore.js';
import type { Database } from '../../../src/domain/ports/sql.js';
import { ordersProjection } from '../../../src/projections/orders.js';
import { embeddedDatabase, serverDatabase } from '../../support/postgres.js';
import { spawnTs } from '../../support/process.js';
import { held, pulled, released, toNewEvent } from '../../projections/fixtures/orderEvents.js';

/**
 * A rebuild from zero sets the secondary indexes of the projection's tables aside and builds them
 * again once caught up. Whatever happens in between — a graceful stop, an instance killed while it
 * writes rows or while it builds indexes — the next runner finishes the rebuild: the same rows as
 * before, and every index back with its definition.
 */

const ORDERS = 1200;

/** 1,200 new orders, 300 hand-off events, 100 re-pulls: 1,600 events. */
const appendBacklog = async (store: EventStore) => {
  const chunks = (n: number, make: (i: number) => Parameters<EventStore['appendMany']>[0][number]) =>
    Array.from({ length: Math.ceil(n / 100) }, (_, c) => Array.from({ length: Math.min(100, n - c * 100) }, (_, k) => make(c * 100 + k)));
  for (const chunk of chunks(ORDERS, (i) => ({ streamId: `order-o${i}`, events: [toNewEvent(pulled(`o${i}`, 1))], expected: 'no_stream' })))
    await store.appendMany(chunk);
  for (const chunk of chunks(300, (i) => ({ streamId: `order-o${i}`, events: [toNewEvent((i % 2 ? held : released)(`o${i}`, 1))], expected: 'any' })))
    await store.appendMany(chunk);
  for (const chunk of chunks(100, (i) => ({ streamId: `order-o${i}`, events: [toNewEvent(pulled(`o${i}`, 2))], expected: 'any' })))
    await store.appendMany(chunk);
  return ORDERS + 400;
};

const checksum = async (db: Database) =>
  (await db.query<{ n: number; sum: string }>(
    `SELECT count(*)::int AS n, md5(string_agg(row_to_json(r)::text, E'\\n' ORDER BY r.order_id)) AS sum FROM rm_orders r`,
  )).rows[0]!;

const indexes = async (db: Database) =>
  (await db.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'rm_orders' ORDER BY indexname`,
  )).rows;

const setAside = async (db: Database) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM projection_rebuild_indexes WHERE projection = 'orders'`)).rows[0]!.n;

const progress = async (db: Database) =>
  (await db.query<{ events_processed: number }>(`SELECT events_processed FROM projection_checkpoints WHERE name = 'orders'`)).rows[0]?.events_processed ?? 0;

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const runner = (db: Database, store: EventStore, extra: Partial<ProjectionRunnerOptions> = {}) =>
  projectionRunner({ db, store, projections: [ordersProjection], log: pino({ level: 'silent' }), ...extra });

/** The orders read model built normally (indexes maintained row by row): what every rebuild must give back. */
const reference = async (t: Test, db: Database, store: EventStore) => {
  const total = await appendBacklog(store);
  const r = runner(db, store);
  await r.start();
  await r.waitUntilCaughtUp(120_000);
  await r.stop();
  const expected = { rows: await checksum(db), indexes: await indexes(db) };
  t.equal(expected.rows.n, ORDERS);
  t.ok(expected.indexes.length >= 10, 'rm_orders has its secondary indexes');
  return { total, expected };
};

t.test('PostgreSQL server: an instance killed while writing rows, then while building indexes; the next finishes the rebuild', async (t) => {
  const db = await serverDatabase(t, { poolSize: 4 });
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  // An index that takes seconds to build, so that the test can kill an instance while it builds.
  await db.exec(`CREATE FUNCTION slow_key(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN s; END $$;
                 CREATE INDEX rm_orders_slow ON rm_orders (slow_key(order_id));`);
  const { total, expected } = await reference(t, db, store);
  const env = { ...(process.env as Record<string, string>), DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema, REBUILD_BATCH: '10' };
  const killed: ReturnType<typeof spawnTs>[] = [];
  t.teardown(() => killed.forEach((c) => c.child.kill('SIGKILL')));

  // 1. Killed while it replays the events into the bare table.
  const first = spawnTs('test/adapters/projections/fixtures/rebuildChild.ts', { env: { ...env, MODE: 'rebuild' } });
  killed.push(first);
  await until('the rebuild to write some rows', async () => {
    const done = await progress(db);
    return done > 0 && done < total && (await setAside(db)) > 0;
  });
  first.child.kill('SIGKILL');
  await first.exited;
  t.equal(await setAside(db), expected.indexes.length - 2, 'every index but the primary key and the unique one is set aside');
  t.same((await indexes(db)).map((i) => i.indexname), ['rm_orders_pkey', 'rm_orders_platform_id'], 'and absent from the table');
  const partial = await checksum(db);
  t.ok(partial.n < ORDERS, `a partial read model (${partial.n} orders)`);
  const { rows: someHeld } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rm_orders WHERE tenant_id = 'tenant-1' AND store_id = 'store-2'`);
  t.ok(someHeld[0]!.n > 0, 'queries still answer meanwhile (without the indexes)');

  // 2. The next instance resumes; killed while it builds the indexes again.
  const second = spawnTs('test/adapters/projections/fixtures/rebuildChild.ts', { env: { ...env, MODE: 'start' } });
  killed.push(second);
  await until('the indexes to be built again', async () => {
    const left = await setAside(db);
    return (await progress(db)) === total && left > 0 && left < expected.indexes.length - 2;
  });
  second.child.kill('SIGKILL');
  await second.exited;
  t.ok((await setAside(db)) > 0, 'killed with indexes still set aside');

  // 3. A runner starts as the service would: it finishes the rebuild.
  const last = runner(db, store);
  t.equal(await progress(db), total, 'every event applied');
  await t.rejects(last.caughtUp(['orders'], 300), /behind/, 'yet not caught up while indexes are set aside');
  await last.start();
  const [status] = await last.waitUntilCaughtUp(120_000);
  await last.stop();
  t.match(status, { status: 'running', indexesSetAside: 0, eventsProcessed: total });
  t.equal(await setAside(db), 0, 'no index left aside');
  t.same(await indexes(db), expected.indexes, 'every index back, with its definition');
  t.same(await checksum(db), expected.rows, 'the same rows as before the rebuild');
});

t.test('PostgreSQL server: a version bump rebuilds without indexes; a small backlog keeps them', async (t) => {
  const db = await serverDatabase(t, { poolSize: 4 });
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const { total, expected } = await reference(t, db, store);
  const logged: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logged.push(line) });

  const bumped = projectionRunner({ db, store, projections: [{ ...ordersProjection, version: ordersProjection.version + 1 }], log, rebuildWithoutIndexesFrom: 1000, rebuildBatch: 100 });
  await bumped.start();
  const [status] = await bumped.waitUntilCaughtUp(120_000);
  await bumped.stop();
  t.match(status, { eventsProcessed: total, indexesSetAside: 0 });
  t.match(logged.join(''), /rebuilding without secondary indexes[\s\S]*secondary indexes built again/);
  t.same(await indexes(db), expected.indexes);
  t.same(await checksum(db), expected.rows);

  // Below the threshold the indexes stay (rebuilding them would cost more than it saves).
  const small = runner(db, store, { rebuildWithoutIndexesFrom: total + 1 });
  await small.rebuild('orders');
  t.equal(await setAside(db), 0, 'nothing set aside');
  await small.waitUntilCaughtUp(120_000);
  await small.stop();
  t.same(await checksum(db), expected.rows);
});

t.test('PGlite: a rebuild stopped half-way resumes without its indexes and ends with all of them', async (t) => {
  const db = await embeddedDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const { total, expected } = await reference(t, db, store);

  // Stopped while it prepares its 10th batch (PGlite's one connection leaves no room to poll for that).
  let prepared = 0;
  let stopping: Promise<void> | null = null;
  const stopAtTenth = {
    ...ordersProjection,
    applyBatch: (events: Parameters<NonNullable<typeof ordersProjection.applyBatch>>[0]) => {
      if (++prepared === 10) stopping = first.stop();
      return ordersProjection.applyBatch!(events);
    },
  };
  const first = projectionRunner({ db, store, projections: [stopAtTenth], log: pino({ level: 'silent' }), rebuildWithoutIndexesFrom: 1, rebuildBatch: 20 });
  await first.rebuild('orders');
  await until('the 10th batch', async () => stopping !== null);
  await stopping;
  const [stopped] = await first.status();
  t.ok(stopped!.eventsProcessed > 0 && stopped!.eventsProcessed < total, `stopped half-way (${stopped!.eventsProcessed} events applied)`);
  t.equal(stopped!.indexesSetAside, expected.indexes.length - 2, 'its indexes set aside, as status says');

  const second = runner(db, store, { rebuildBatch: 20 });
  await second.start();
  const [status] = await second.waitUntilCaughtUp(120_000);
  await second.stop();
  t.match(status, { status: 'running', eventsProcessed: total, indexesSetAside: 0 });
  t.same(await indexes(db), expected.indexes);
  t.same(await checksum(db), expected.rows);
});
