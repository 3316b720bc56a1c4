import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { projectionRunner } from '../../src/adapters/projections/projectionRunner.js';
import type { EventStore } from '../../src/domain/ports/eventStore.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { sql, type Projection } from '../../src/projections/projection.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

const silent = pino({ level: 'silent' });

/** Counts events per stream; throws on `Poison` events (a bug in a projection, say). */
const counter = (name: string, version = 1): Projection => ({
  name,
  version,
  filter: { streamPrefixes: ['thing-'] },
  tables: [`${name}_counts`],
  apply: (e) => {
    if (e.type === 'Poison') throw new Error(`cannot apply ${e.type}`);
    return [
      sql(
        `INSERT INTO ${name}_counts (stream_id, n) VALUES ($1, 1)
         ON CONFLICT (stream_id) DO UPDATE SET n = ${name}_counts.n + 1`,
        e.streamId,
      ),
    ];
  },
});

const setUp = async (t: Test, db: Database, names: string[]) => {
  for (const n of names) await db.query(`CREATE TABLE ${n}_counts (stream_id text PRIMARY KEY, n int NOT NULL)`);
  return sqlEventStore(db, { pollIntervalMs: 100 });
};

const append = async (store: EventStore, stream: string, types: string[]) => {
  const current = await store.readStream(stream);
  await store.append(
    stream,
    types.map((type) => ({ id: randomUUID(), type, data: {} })),
    current.length ? current.length - 1 : 'no_stream',
  );
};

const counts = async (db: Database, name: string) =>
  Object.fromEntries(
    (await db.query<{ stream_id: string; n: number }>(`SELECT stream_id, n FROM ${name}_counts ORDER BY stream_id`)).rows.map(
      (r) => [r.stream_id, r.n],
    ),
  );

for (const [label, makeDb] of [
  ['PostgreSQL server', (t: Test) => serverDatabase(t)],
  ['PGlite', (t: Test) => embeddedDatabase(t)],
] as const) {
  t.test(`${label}: batches and checkpoint commit together; a restart applies nothing twice`, async (t) => {
    const db = await makeDb(t);
    const store = await setUp(t, db, ['a']);
    for (let i = 0; i < 30; i++) await append(store, `thing-${i % 3}`, ['Seen', 'Seen']);
    await append(store, 'other-1', ['Seen']);
    const runner = projectionRunner({ db, store, projections: [counter('a')], log: silent, maxBatch: 7 });
    await runner.start();
    const status = await runner.waitUntilCaughtUp();
    t.same(await counts(db, 'a'), { 'thing-0': 20, 'thing-1': 20, 'thing-2': 20 });
    t.equal(status[0]!.eventsProcessed, 60);
    t.equal(status[0]!.eventsBehind, 0);
    await runner.stop();

    await append(store, 'thing-0', ['Seen']);
    await store.awaitVisible(); // a transaction elsewhere on a shared server may still hold the horizon
    const again = projectionRunner({ db, store, projections: [counter('a')], log: silent });
    const behind = (await again.status())[0]!;
    t.equal(behind.eventsBehind, 1, 'lag: one event behind while stopped');
    t.ok(behind.lagMs >= 0);
    await again.start();
    await again.waitUntilCaughtUp();
    t.same(await counts(db, 'a'), { 'thing-0': 21, 'thing-1': 20, 'thing-2': 20 }, 'only the new event applied');
    await again.stop();
  });

  t.test(`${label}: a poison event stops its projection, recorded; the others continue`, async (t) => {
    const db = await makeDb(t);
    const store = await setUp(t, db, ['good', 'bad']);
    const bad: Projection = { ...counter('bad'), apply: (e) => (e.streamId === 'thing-p' && e.type === 'Poison' ? (() => { throw new Error('boom'); })() : counter('bad').apply(e)) };
    const good: Projection = { ...counter('good'), apply: (e) => (e.type === 'Poison' ? [] : counter('good').apply(e)) };
    await append(store, 'thing-1', ['Seen', 'Seen']);
    await append(store, 'thing-p', ['Seen', 'Poison', 'Seen']);
    await append(store, 'thing-2', ['Seen']);
    const runner = projectionRunner({ db, store, projections: [good, bad], log: silent });
    await runner.start();
    const status = await runner.waitUntilCaughtUp();
    const badStatus = status.find((s) => s.name === 'bad')!;
    t.equal(badStatus.status, 'failed');
    t.match(badStatus.failedEvent, { streamId: 'thing-p', revision: 1, type: 'Poison' });
    t.match(badStatus.error, /boom/);
    t.same(await counts(db, 'bad'), { 'thing-1': 2, 'thing-p': 1 }, 'events before the poison were applied');
    t.same(await counts(db, 'good'), { 'thing-1': 2, 'thing-p': 2, 'thing-2': 1 }, 'the other projection went on');
    await append(store, 'thing-3', ['Seen']);
    await runner.waitUntilCaughtUp();
    t.same((await counts(db, 'good'))['thing-3'], 1, 'and keeps going');
    t.equal((await runner.status()).find((s) => s.name === 'bad')!.eventsBehind, 4, 'the stopped one shows its lag: the poison and the 3 after it');
    await runner.stop();
  });

  t.test(`${label}: rebuild from zero and version bumps reproduce the same rows`, async (t) => {
    const db = await makeDb(t);
    const store = await setUp(t, db, ['r']);
    for (let i = 0; i < 20; i++) await append(store, `thing-${i % 4}`, ['Seen']);
    const runner = projectionRunner({ db, store, projections: [counter('r')], log: silent });
    await runner.start();
    await runner.waitUntilCaughtUp();
    const before = await counts(db, 'r');
    await db.query(`UPDATE r_counts SET n = 999`);
    await runner.rebuild('r');
    await runner.waitUntilCaughtUp();
    t.same(await counts(db, 'r'), before, 'rebuild restores the read model from history');
    await runner.stop();
    await db.query(`UPDATE r_counts SET n = 0`);
    const v2 = projectionRunner({ db, store, projections: [counter('r', 2)], log: silent });
    await v2.start();
    await v2.waitUntilCaughtUp();
    t.same(await counts(db, 'r'), before, 'a new version rebuilds by itself');
    t.equal((await v2.status())[0]!.version, 2);
    await v2.stop();
  });
}

t.test('two runners on one database (two instances) never apply a batch twice', async (t) => {
  const db = await serverDatabase(t, { poolSize: 10 });
  const store = await setUp(t, db, ['c']);
  const one = projectionRunner({ db, store, projections: [counter('c')], log: silent, maxBatch: 5 });
  const two = projectionRunner({ db, store, projections: [counter('c')], log: silent, maxBatch: 5 });
  await Promise.all([one.start(), two.start()]);
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 25; i++) await append(store, `thing-${w}`, ['Seen']);
    }),
  );
  await one.waitUntilCaughtUp();
  await two.waitUntilCaughtUp();
  t.same(await counts(db, 'c'), { 'thing-0': 25, 'thing-1': 25, 'thing-2': 25, 'thing-3': 25 });
  await Promise.all([one.stop(), two.stop()]);
});
