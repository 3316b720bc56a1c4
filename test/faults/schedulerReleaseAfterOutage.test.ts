// A pull that fails because PostgreSQL went away must not leave its store claimed for the whole
// lease once the database is back: the scheduler keeps trying to give the store back, so a manual
// sync (or the retry schedule) applies within seconds. Found by postgresRestart.test.ts, where the
// store stayed claimed for up to two minutes (the default lease) after the restart.
import { pino } from 'pino';
import t from 'tap';
import { migrate } from '../../src/adapters/sql/migrate.js';
import { postgresDatabase } from '../../src/adapters/sql/postgresDatabase.js';
import { pullScheduler } from '../../src/adapters/scheduler/pullScheduler.js';
import { scheduleStore } from '../../src/adapters/scheduler/scheduleStore.js';
import { privatePostgres, privatePostgresUnavailableReason } from '../support/privatePostgres.js';
import { waitFor } from './fixtures/harness.js';

const unavailable = privatePostgresUnavailableReason();
const LEASE_MS = 90_000;

t.test('a pull cut by a database restart gives its store back once the database returns', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const cluster = await privatePostgres(t);
  const db = await postgresDatabase({ url: cluster.url(), poolSize: 4 });
  t.teardown(() => db.close());
  await migrate(db);
  await db.query(`INSERT INTO pull_schedule (store_id, tenant_id, active, connected_at, next_run_at) VALUES ('s1', 't1', true, now(), now())`);

  let entered: () => void = () => undefined;
  const pulling = new Promise<void>((r) => (entered = r));
  let databaseStopped: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (databaseStopped = r));
  const scheduler = pullScheduler({
    schedule: scheduleStore(db),
    // The pull's own work: it reaches the database after the server has gone, as a real pull would.
    pullGroup: async () => {
      entered();
      await stopped;
      await db.query('SELECT 1');
      return { s1: { ok: true } } as never;
    },
    log: pino({ level: 'silent' }),
    intervalMinutes: 15,
    leaseMs: LEASE_MS,
    pollMs: 200,
  });
  t.teardown(() => scheduler.stop());
  scheduler.start();
  await waitFor('the store to be claimed and pulled', () => pulling.then(() => true), 20_000);
  await cluster.stop();
  databaseStopped();
  await new Promise((r) => setTimeout(r, 2000));
  await cluster.start();

  const claim = async () =>
    (await db.query<{ claimed_by: string | null; failures: number; last_error: string | null }>(`SELECT claimed_by, failures, last_error FROM pull_schedule WHERE store_id = 's1'`)).rows[0]!;
  // A lapsed lease leaves claimed_by set; only an explicit release clears it. The wait is bounded
  // well below the lease, so the lease cannot be what freed the store.
  const took = await waitFor('the claim to be released', async () => (await claim().catch(() => ({ claimed_by: 'unknown' }))).claimed_by === null, LEASE_MS / 3, 200);
  t.comment(`released ${Math.round(took / 100) / 10} s after the database came back (lease ${LEASE_MS / 1000} s)`);
  const row = await claim();
  t.equal(row.claimed_by, null, 'the store was given back explicitly');
  t.equal(row.failures, 1, 'counted as one failure');
  t.equal(row.last_error, 'internal_error', 'with the reason recorded');
  const requested = await scheduleStore(db).requestNow('s1');
  t.same(requested, { found: true, running: false }, 'a manual sync is taken at once (not coalesced into a dead claim)');
});
