import t from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { loadCheckpoint } from '../../../src/adapters/processing/checkpoints.js';
import type { ProcessorState } from '../../../src/adapters/processing/processorStatus.js';
import { serverDatabase } from '../../support/postgres.js';
import { spawnTs } from '../../support/process.js';
import { appendThings, createTables, effects, testProjection, until } from './fixtures/processors.js';

const silent = pino({ level: 'silent' });

const setUp = async (t: Parameters<typeof serverDatabase>[0]) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  await createTables(db);
  return { db, store: sqlEventStore(db, { pollIntervalMs: 50 }) };
};

t.test('projection sink: a restart resumes from the stored checkpoint; every event applied exactly once', async (t) => {
  const { db, store } = await setUp(t);
  await appendThings(store, 95);
  const first = testProjection(db, store, silent);
  first.start();
  await until('the first 95 events', async () => (await effects(db, store, 'applied')).missing === 0);
  await first.stop();
  t.equal(first.status().state, 'stopped');
  t.equal(first.status().processed, 95, 'the status counts what this instance handed over');
  const stored = await loadCheckpoint(db, 'test:projection');
  t.equal(first.status().checkpoint, stored, 'and shows the stored checkpoint');

  await appendThings(store, 40);
  const second = testProjection(db, store, silent);
  second.start();
  t.teardown(() => second.stop());
  await until('the next 40 events', async () => (await effects(db, store, 'applied')).missing === 0);
  t.same(await effects(db, store, 'applied'), { events: 135, missing: 0, repeated: 0, rows: 135 }, 'nothing applied twice');
  t.equal(second.status().processed, 40, 'the second instance started where the first stopped');
  t.equal(second.status().state, 'ok');
});

t.test('projection sink: a process killed inside a batch transaction loses that batch; the next applies it once', async (t) => {
  const { db, store } = await setUp(t);
  await appendThings(store, 120);
  const env = { ...(process.env as Record<string, string>), DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema, KIND: 'projection', CRASH_AT: '57' };
  const child = spawnTs('test/adapters/processing/fixtures/processorChild.ts', { env });
  t.teardown(() => child.child.kill('SIGKILL'));
  await child.exited;
  const mid = await effects(db, store, 'applied');
  t.equal(mid.rows, 50, 'the batches before the one with event 57 (10 each) committed; that one did not');
  t.equal(mid.repeated, 0);

  const next = testProjection(db, store, silent);
  next.start();
  t.teardown(() => next.stop());
  await until('every event applied', async () => (await effects(db, store, 'applied')).missing === 0);
  t.same(await effects(db, store, 'applied'), { events: 120, missing: 0, repeated: 0, rows: 120 }, 'each event exactly once');
  t.equal(next.status().processed, 70, 'the next instance resumed at the lost batch');
});

t.test('projection sink: a transient error backs off and retries the batch; it is not taken for a bad event', async (t) => {
  const { db, store } = await setUp(t);
  // A real serialization failure (SQLSTATE 40001) for the first four attempts: the sequence counts
  // attempts outside the transactions they roll back with.
  await db.exec(`CREATE SEQUENCE attempts;
                 CREATE FUNCTION flaky() RETURNS void LANGUAGE plpgsql AS $$
                 BEGIN IF nextval('attempts') <= 4 THEN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END IF; END $$;`);
  await appendThings(store, 30);
  const retries: string[] = [];
  const states = new Set<ProcessorState>();
  const p = testProjection(db, store, silent, {
    hooks: { beforeWrite: async () => void (await db.query('SELECT flaky()')) },
    metrics: { onRetry: (_name, code) => retries.push(code) },
  });
  p.start();
  t.teardown(() => p.stop());
  await until('every event applied', async () => {
    states.add(p.status().state);
    return (await effects(db, store, 'applied')).missing === 0;
  });
  t.same(retries, ['40001', '40001', '40001', '40001'], 'four attempts failed, each reported by its code');
  t.ok(states.has('retrying'), 'the status said retrying meanwhile');
  t.match(p.status(), { state: 'ok', attempt: 0, lastErrorCode: null }, 'and ok once through');
  t.same(await effects(db, store, 'applied'), { events: 30, missing: 0, repeated: 0, rows: 30 });
  const { rows } = await db.query<{ status: string }>(`SELECT status FROM projection_checkpoints WHERE name = 'test:projection'`);
  t.equal(rows[0]!.status, 'running', 'no event marked failed');
});
