// The marketplace misbehaving while OMS pulls (scheduler every minute plus manual syncs): 429s,
// 5xx, slow answers and truncated JSON as probability rules, orders added and cancelled meanwhile.
// Once the faults stop, everything the marketplace has is in OMS, once, and reached the broker.
import t from 'tap';
import { kafkaUnavailableReason } from '../support/kafka.js';
import {
  addWalmartOrders,
  checkInvariant,
  faultRig,
  pullLog,
  requestSync,
  seed,
  sleep,
  startOms,
  waitForQuiet,
  waitForPullStartedAfter,
  waitForSuccessAfter,
} from './fixtures/harness.js';

const unavailable = await kafkaUnavailableReason();

t.test('marketplace faults during pulls: in the end every order is present once', { timeout: 240_000, skip: unavailable ?? false }, async (t) => {
  const started = Date.now();
  // The Walmart sandbox's clock runs 5 minutes behind, so what it changes "now" is already older
  // than the end of OMS's next pull window (now − 130 s) and a test need not wait that lag out.
  const { db, sandboxes, brokers, topic, env } = await faultRig(t, 'fault-marketplace', {
    walmartClockOffsetMs: -5 * 60_000,
    extra: { PULL_INTERVAL_MINUTES: '1', MARKETPLACE_MAX_ATTEMPTS: '3' },
  });
  const oms = await startOms(t, env);
  const seeded = await seed(oms.url, sandboxes);
  await waitForSuccessAfter(oms.url, seeded, null, 60_000);

  const { walmart } = sandboxes;
  const rules = [
    walmart.faults.rule({ route: 'getAllOrders', status: 429, probability: 0.15 }),
    walmart.faults.rule({ route: 'getAllOrders', status: 503, probability: 0.1 }),
    walmart.faults.rule({ route: 'getAllOrders', kind: 'truncatedJson', probability: 0.08 }),
    walmart.faults.rule({ route: 'getAllOrders', delayMs: 1500, probability: 0.1 }),
    walmart.faults.rule({ route: 'token', status: 500, probability: 0.2 }),
  ];
  const batch1 = addWalmartOrders(sandboxes, 1200);
  for (let i = 0; i < 8; i++) {
    await requestSync(oms.url, seeded);
    await sleep(2500);
    if (i === 3) {
      // Changes while the faults go on: more orders, some cancellations.
      addWalmartOrders(sandboxes, 300);
      for (const o of batch1.slice(0, 60)) walmart.orders.cancel(o.purchaseOrderId);
    }
  }
  const statuses = walmart.counters.byStatus('getAllOrders') as Record<string, number>;
  const faulty = Object.entries(statuses).filter(([code]) => code !== '200' && code !== '404').reduce((n, [, c]) => n + c, 0);
  t.ok(faulty > 0, `faults served: ${JSON.stringify(statuses)}`);

  for (const rule of rules) rule.remove();
  const clearedAt = new Date().toISOString();
  await waitForPullStartedAfter(oms.url, seeded, clearedAt, 150_000, () => requestSync(oms.url, seeded));
  const log = await pullLog(oms.url, seeded);
  if (process.env.FAULT_DEBUG) t.comment(JSON.stringify(log, null, 1), oms.proc.output().slice(-6000)); // FAULT_DEBUG=1 FAULT_LOG_LEVEL=info
  t.comment(`pull log: ${JSON.stringify(Object.entries(log.reduce<Record<string, number>>((n, e) => ({ ...n, [`${e.type}${e.type === 'PullFailed' ? `:${e.data.reason}` : ''}`]: (n[`${e.type}${e.type === 'PullFailed' ? `:${e.data.reason}` : ''}`] ?? 0) + 1 }), {})))}`);
  await waitForQuiet(oms.url, db, 90_000, true);
  const [{ n: cancelled }] = await db.query(`SELECT count(*)::int AS n FROM rm_orders WHERE platform_order_id = ANY($1) AND status = 'cancelled'`, [batch1.slice(0, 60).map((o) => o.purchaseOrderId)]);
  t.equal(cancelled, 60, 'the cancellations made during the faults are in the read model');
  await checkInvariant(t, { db, sandboxes, seeded, oms, env, kafka: { brokers, topic } });
  t.comment(`took ${Math.round((Date.now() - started) / 1000)} s`);
});
