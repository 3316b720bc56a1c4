// OMS SIGKILLed in the middle of a 3,000-order Walmart pull, restarted on the same database: the
// pull resumes from its last recorded page, and nothing is lost or duplicated.
import t from 'tap';
import { kafkaUnavailableReason } from '../support/kafka.js';
import {
  addWalmartOrders,
  checkInvariant,
  faultRig,
  pullLog,
  requestSync,
  seed,
  startOms,
  waitFor,
  waitForQuiet,
  waitForSuccessAfter,
} from './fixtures/harness.js';

const unavailable = await kafkaUnavailableReason();

t.test('SIGKILL during a pull: restarted, the pull resumes and every order is there once', { timeout: 180_000, skip: unavailable ?? false }, async (t) => {
  const started = Date.now();
  const { db, sandboxes, brokers, topic, env } = await faultRig(t, 'fault-kill-pull');
  const first = await startOms(t, env);
  const seeded = await seed(first.url, sandboxes);
  const initial = await waitForSuccessAfter(first.url, seeded, null, 60_000);

  addWalmartOrders(sandboxes, 3000);
  await requestSync(first.url, seeded);
  let pullId = '';
  await waitFor('a pull half-way (PullStarted, no PullCompleted, some orders recorded)', async () => {
    const log = await pullLog(first.url, seeded);
    const latest = log[0];
    if (latest?.type === 'PullCompleted' && latest.data.watermark && (latest.data.ordersNew as number) > 0) throw new Error('the pull completed before it could be killed');
    if (latest?.type !== 'PullStarted' || latest.data.trigger === 'initial') return false;
    const [{ n }] = await db.query(`SELECT count(DISTINCT stream_id)::int AS n FROM es_events WHERE event_type = 'OrderPulled'`);
    if (n < 400) return false;
    pullId = latest.data.pullId as string;
    return true;
  }, 60_000, 30);
  await first.kill();

  const [{ n: recorded }] = await db.query(`SELECT count(DISTINCT stream_id)::int AS n FROM es_events WHERE event_type = 'OrderPulled'`);
  t.ok(recorded >= 400 && recorded < 3000, `killed mid-pull: ${recorded} of 3000 orders recorded`);
  const [row] = await db.query('SELECT resume, running_pull_id FROM pull_schedule WHERE store_id = $1', [seeded.storeId]);
  t.ok(row.resume, 'a resume point was saved');
  t.equal(row.resume?.pullId, pullId, 'for the killed pull');

  // The dead instance's claim on the store is a lease (120 s, not configurable from the
  // environment): let it expire now instead of waiting two minutes.
  await db.query(`UPDATE pull_schedule SET claimed_until = now() - interval '1 second' WHERE claimed_until > now()`);

  const second = await startOms(t, env);
  await waitForSuccessAfter(second.url, seeded, initial, 90_000);
  const log = await pullLog(second.url, seeded);
  const forKilled = log.filter((e) => e.data.pullId === pullId).map((e) => `${e.type}${e.data.resumed ? '(resumed)' : ''}`);
  t.same(forKilled.reverse(), ['PullStarted', 'PullStarted(resumed)', 'PullCompleted'], 'the killed pull was resumed and completed under its id');

  await waitForQuiet(second.url, db, 90_000, true);
  await checkInvariant(t, { db, sandboxes, seeded, oms: second, env, kafka: { brokers, topic } });
  t.comment(`took ${Math.round((Date.now() - started) / 1000)} s`);
});
