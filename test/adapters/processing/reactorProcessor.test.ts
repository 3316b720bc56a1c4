import t from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import type { EventBatch, EventStore, SubscribeOptions } from '../../../src/domain/ports/eventStore.js';
import type { ProcessorState } from '../../../src/adapters/processing/processorStatus.js';
import { serverDatabase } from '../../support/postgres.js';
import { spawnTs } from '../../support/process.js';
import { appendThings, createTables, effects, testReactor, until } from './fixtures/processors.js';

const silent = pino({ level: 'silent' });

const setUp = async (t: Parameters<typeof serverDatabase>[0]) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  await createTables(db);
  return { db, store: sqlEventStore(db, { pollIntervalMs: 50 }) };
};

t.test('reactor sink: a restart resumes from the stored checkpoint', async (t) => {
  const { db, store } = await setUp(t);
  await appendThings(store, 45);
  const first = testReactor(db, store, silent, { holder: 'one' });
  first.start();
  await until('45 reactions', async () => (await effects(db, store, 'reactions')).missing === 0);
  await first.stop();
  await appendThings(store, 25);
  const second = testReactor(db, store, silent, { holder: 'two' });
  second.start();
  t.teardown(() => second.stop());
  await until('25 more', async () => (await effects(db, store, 'reactions')).missing === 0);
  t.same(await effects(db, store, 'reactions'), { events: 70, missing: 0, repeated: 0, rows: 70 }, 'after a clean stop nothing is repeated');
  t.equal(second.status().processed, 25);
});

t.test('reactor sink: killed mid-batch, the batch is reacted to again (at least once); a lease moves to the standby instance', async (t) => {
  const { db, store } = await setUp(t);
  await appendThings(store, 80);
  const ttlMs = 400;
  const env = { ...(process.env as Record<string, string>), DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema, KIND: 'reactor', CRASH_AT: '34', HOLDER: 'child', LEASE_TTL_MS: String(ttlMs) };
  // The standby starts first but the child takes the lease: hold it here until the child has it.
  const child = spawnTs('test/adapters/processing/fixtures/processorChild.ts', { env });
  t.teardown(() => child.child.kill('SIGKILL'));
  await until('the child to react', async () => (await db.query(`SELECT 1 FROM reactions WHERE holder = 'child'`)).rowCount > 0);
  const states = new Set<ProcessorState>();
  const standby = testReactor(db, store, silent, { holder: 'parent', lease: { db, holder: 'parent', ttlMs } });
  standby.start();
  t.teardown(() => standby.stop());
  const exited = await child.exited;
  t.equal(exited, null, 'the child was killed (by its own SIGKILL at event 34)');
  await until('every event reacted to', async () => {
    states.add(standby.status().state);
    return (await effects(db, store, 'reactions')).missing === 0;
  });
  t.ok(states.has('standby'), 'the second instance stood by while the killed one still held the lease');
  const { rows } = await db.query<{ holder: string; n: number }>(`SELECT holder, count(*)::int AS n FROM reactions GROUP BY holder ORDER BY holder`);
  t.same(rows, [
    { holder: 'child', n: 35 },
    { holder: 'parent', n: 50 },
  ], 'the child reacted to events 0–34 and died before the checkpoint of 30–39; the standby took over at 30');
  t.same(await effects(db, store, 'reactions'), { events: 80, missing: 0, repeated: 5, rows: 85 }, 'events 30–34 reacted to twice, none missed');
  const lease = (await db.query<{ holder: string; epoch: number }>(`SELECT holder, epoch FROM leases WHERE name = 'test:reactor'`)).rows[0];
  t.same(lease, { holder: 'parent', epoch: 2 }, 'the lease changed hands once');
  t.equal(standby.status().leaseEpoch, 2);
});

t.test('reactor sink: only the lease holder reacts; stopping it hands over at once', async (t) => {
  const { db, store } = await setUp(t);
  const a = testReactor(db, store, silent, { holder: 'a', lease: { db, holder: 'a', ttlMs: 60_000 } });
  const b = testReactor(db, store, silent, { holder: 'b', lease: { db, holder: 'b', ttlMs: 60_000 } });
  a.start();
  await until('a to take the lease', () => a.status().leaseEpoch !== null);
  b.start();
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  await appendThings(store, 30);
  await until('30 reactions', async () => (await effects(db, store, 'reactions')).missing === 0);
  t.equal(b.status().state, 'standby');
  await a.stop();
  await appendThings(store, 20);
  // A ttl of a minute: only the release on stop lets b in this soon.
  const stopped = Date.now();
  await until('20 more', async () => (await effects(db, store, 'reactions')).missing === 0, 20_000);
  t.ok(Date.now() - stopped < 5_000, 'b took over within seconds, not at the lease expiry');
  const { rows } = await db.query<{ holder: string; n: number }>(`SELECT holder, count(*)::int AS n FROM reactions GROUP BY holder ORDER BY holder`);
  t.same(rows, [
    { holder: 'a', n: 30 },
    { holder: 'b', n: 20 },
  ]);
  t.equal((await effects(db, store, 'reactions')).repeated, 0);
});

t.test('reactor sink: a failing reaction backs off and retries the same batch; nothing is skipped', async (t) => {
  const { db, store } = await setUp(t);
  await appendThings(store, 20);
  let failures = 3;
  const retries: string[] = [];
  const states = new Set<ProcessorState>();
  const r = testReactor(db, store, silent, {
    holder: 'r',
    react: async () => {
      if (failures-- > 0) throw Object.assign(new Error('warehouse away'), { code: 'ECONNREFUSED' });
    },
    metrics: { onRetry: (_n, code) => retries.push(code) },
  });
  r.start();
  t.teardown(() => r.stop());
  await until('every event, checkpoint included', () => {
    states.add(r.status().state);
    return r.status().processed === 20;
  });
  t.same(retries, ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  t.ok(states.has('retrying'));
  t.match(r.status(), { state: 'ok', attempt: 0, lastErrorCode: null, processed: 20 });
  t.same(await effects(db, store, 'reactions'), { events: 20, missing: 0, repeated: 0, rows: 20 }, 'the failed attempts reacted to nothing');
});

/** The real store, counting the batches its subscriptions hand out (what the runtime has read). */
const counting = (store: EventStore) => {
  let read = 0;
  return {
    store: {
      ...store,
      subscribe: (o: SubscribeOptions): AsyncIterable<EventBatch> => ({
        async *[Symbol.asyncIterator]() {
          for await (const batch of store.subscribe(o)) {
            read++;
            yield batch;
          }
        },
      }),
    } satisfies EventStore,
    read: () => read,
  };
};

t.test('back-pressure: a slow reactor holds at most the read-ahead depth of batches, however far behind', async (t) => {
  const { db, store: real } = await setUp(t);
  await appendThings(real, 600);
  const { store, read } = counting(real);
  let handled = 0;
  let worst = 0;
  let buffered = 0;
  const depth = 3;
  const r = testReactor(db, store, silent, {
    holder: 'slow',
    maxBatch: 10,
    readAhead: depth,
    react: async () => {
      await new Promise((res) => setTimeout(res, 2));
      handled++;
      worst = Math.max(worst, read() * 10 - handled);
      buffered = Math.max(buffered, r.status().buffered);
    },
  });
  r.start();
  t.teardown(() => r.stop());
  await until('every event', async () => (await effects(db, store, 'reactions')).missing === 0);
  t.equal(buffered, depth, `the read-ahead filled up to its depth (${depth} batches) and no further`);
  t.ok(worst <= (depth + 1) * 10, `events read but not reacted to never exceeded depth + 1 batches (worst ${worst})`);
  t.ok(worst > 10, 'and the read-ahead was in use');
});

t.test('a stop that comes while the sink opens ends the processor (the round never follows the store)', async (t) => {
  const { db, store } = await setUp(t);
  const r = testReactor(db, store, silent, { holder: 'r' });
  for (let i = 0; i < 20; i++) {
    r.start();
    // Stopped at once, at a different point of opening each time (the first queries are in flight).
    await new Promise((res) => setTimeout(res, i % 5));
    const stopped = await Promise.race([r.stop().then(() => true), new Promise((res) => setTimeout(() => res(false), 5_000))]);
    t.ok(stopped, `stop ${i} resolved`);
    if (!stopped) break;
  }
  t.equal(r.status().state, 'stopped');
});
