// PostgreSQL stopped (fast shutdown: every session cut) in the middle of a pull, with orders still
// arriving at the marketplace, and started again a few seconds later on the same port. The service
// must live through it — liveness stays up, readiness reports the database down and then back — and
// finish the work: every order pulled once, every release on the broker, the read model equal to a
// rebuild. The shared server is never touched: the test runs its own cluster.
import t from 'tap';
import { findKafkaBrokers, kafkaUnavailableReason, uniqueTopic } from '../support/kafka.js';
import { privatePostgres, privatePostgresUnavailableReason } from '../support/privatePostgres.js';
import {
  addWalmartOrders,
  checkInvariant,
  freshDatabase,
  faultSandboxes,
  omsEnv,
  requestSync,
  seed,
  sleep,
  startOms,
  waitFor,
  waitForPullStartedAfter,
  waitForQuiet,
  waitForSuccessAfter,
} from './fixtures/harness.js';

const unavailable = privatePostgresUnavailableReason() ?? (await kafkaUnavailableReason());
const OUTAGE_MS = 5000;

type Readiness = { status: number; database: boolean | null };
const readiness = async (base: string): Promise<Readiness> => {
  const res = await fetch(`${base}/readyz`);
  const body = (await res.json()) as { checks?: { name: string; ok: boolean }[] };
  return { status: res.status, database: body.checks?.find((c) => c.name === 'database')?.ok ?? null };
};

t.test('PostgreSQL restarted under load: the service survives, recovers and loses nothing', { timeout: 240_000, skip: unavailable ?? false }, async (t) => {
  const started = Date.now();
  const phase = (what: string) => t.comment(`${Math.round((Date.now() - started) / 1000)} s: ${what}`);
  const cluster = await privatePostgres(t);
  phase(`private cluster on port ${cluster.port}`);
  const db = await freshDatabase(t, { serverUrl: cluster.url() });
  const sandboxes = await faultSandboxes(t);
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('fault-pg-restart');
  const env = omsEnv({ databaseUrl: db.url, sandboxes, brokers, topic });
  const oms = await startOms(t, env);
  let exitedAt: number | null = null;
  void oms.proc.exited.then(() => (exitedAt = Date.now()));
  const seeded = await seed(oms.url, sandboxes);
  const initial = await waitForSuccessAfter(oms.url, seeded, null, 60_000);
  phase('seeded, initial pull done');

  // Load: a backlog of orders being pulled, released and published when the database goes away.
  addWalmartOrders(sandboxes, 2000);
  await requestSync(oms.url, seeded);
  await waitFor('the pull to be part-way', async () => {
    const [{ n }] = await db.query(`SELECT count(DISTINCT stream_id)::int AS n FROM es_events WHERE event_type = 'OrderPulled'`);
    return n >= 400;
  }, 60_000, 50);
  const [{ n: pulledAtStop }] = await db.query(`SELECT count(DISTINCT stream_id)::int AS n FROM es_events WHERE event_type = 'OrderPulled'`);
  await cluster.stop();
  phase(`PostgreSQL stopped with ${pulledAtStop} of 2000 orders recorded`);

  // While it is down: orders keep arriving at the marketplace; the process lives and says it is not ready.
  addWalmartOrders(sandboxes, 300);
  await sleep(OUTAGE_MS / 2);
  if (exitedAt !== null) {
    await cluster.start();
    t.fail(`the service exited ${exitedAt - Date.now() + OUTAGE_MS / 2} ms into the outage with code ${oms.proc.child.exitCode}:\n${oms.proc.output().slice(-6000)}`);
    return;
  }
  const live = await fetch(`${oms.url}/healthz`);
  const down = await readiness(oms.url);
  await sleep(OUTAGE_MS / 2);
  t.equal(exitedAt, null, 'the service did not exit while the database was down');
  t.equal(live.status, 200, 'liveness stays up during the outage');
  t.equal(down.status, 503, 'readiness reports the outage (HTTP 503)');
  t.equal(down.database, false, 'naming the database check');

  const restartedAt = new Date().toISOString();
  await cluster.start();
  phase('PostgreSQL started again');
  await waitFor('readiness once the database is back', async () => (await readiness(oms.url).catch(() => ({ status: 0 }))).status === 200, 60_000, 300);
  phase('ready again');

  // Recovery: a pull that started after the restart completes (so its window covers the orders that
  // arrived during the outage), then everything settles.
  await waitForPullStartedAfter(oms.url, seeded, restartedAt, 120_000, () => requestSync(oms.url, seeded).catch(() => undefined));
  await waitForSuccessAfter(oms.url, seeded, initial, 30_000);
  phase('a pull started after the restart completed');
  await waitForQuiet(oms.url, db, 90_000, true);
  phase('quiet');
  t.equal(exitedAt, null, 'the same service process did the whole recovery');
  const last = await checkInvariant(t, { db, sandboxes, seeded, oms, env, kafka: { brokers, topic } });
  await last.stop();
  phase('invariant checked');
  if (!t.passing()) t.comment(`--- PostgreSQL log ---\n${await cluster.log()}\n--- OMS output ---\n${oms.proc.output()}`);
});
