// OMS SIGKILLed while its projection runner replays a large backlog into the orders read model,
// restarted on the same database: the runner resumes from the checkpoint committed with the last
// batch, the read model ends identical to what it was before the rebuild, and its indexes are back.
//
// How the backlog is made real rather than left to luck: after a pull of a few thousand orders has
// settled, the service is stopped and `oms rebuild orders` (the operator CLI, a child process) is
// interrupted with Ctrl-C right after it reset the projection — the documented hand-over: "the
// service's runner continues it". The next service instance therefore starts with the whole orders
// history to replay, and is killed as soon as the checkpoint row shows it part-way.
import t from 'tap';
import { kafkaUnavailableReason } from '../support/kafka.js';
import { spawnTs } from '../support/process.js';
import {
  addWalmartOrders,
  checkInvariant,
  faultRig,
  ordersChecksum,
  requestSync,
  seed,
  startOms,
  waitFor,
  waitForQuiet,
  waitForSuccessAfter,
} from './fixtures/harness.js';
import { ordersIndexes, ordersProgress } from './fixtures/projectionState.js';

const unavailable = await kafkaUnavailableReason();
const ORDERS = 2000;

t.test('SIGKILL while a projection applies a backlog: restarted, it resumes and equals a rebuild', { timeout: 180_000, skip: unavailable ?? false }, async (t) => {
  const started = Date.now();
  const { db, sandboxes, brokers, topic, env } = await faultRig(t, 'fault-kill-projection');
  // Later instances do not pull: every event they project then exists before the rebuild, so the
  // replayed read model can be compared with the one built live (a pull could legitimately change it).
  const replayEnv = { ...env, PULL_SCHEDULER: 'off' };
  const phase = (what: string) => t.comment(`${Math.round((Date.now() - started) / 1000)} s: ${what}`);

  // 1. A settled database with a few thousand orders, their hand-offs and the read model built live.
  const first = await startOms(t, env);
  const seeded = await seed(first.url, sandboxes);
  const initial = await waitForSuccessAfter(first.url, seeded, null, 60_000);
  addWalmartOrders(sandboxes, ORDERS);
  await requestSync(first.url, seeded);
  await waitForSuccessAfter(first.url, seeded, initial, 90_000);
  await waitForQuiet(first.url, db, 90_000, true);
  phase('orders pulled, released and published');
  t.equal(await first.stop(), 0, 'first instance stopped gracefully');
  const [{ n: eventsBefore }] = await db.query(`SELECT count(*)::int AS n FROM es_events`);
  const builtLive = await ordersChecksum(db);
  const indexesBefore = await ordersIndexes(db);
  const { processed: total } = await ordersProgress(db);
  // Kept for the diagnosis should the replay differ (a throwaway database: nothing else reads it).
  await db.query('CREATE TABLE fault_live_orders AS SELECT * FROM rm_orders');
  const [{ n: orderEvents }] = await db.query(`SELECT count(*)::int AS n FROM es_events WHERE stream_id LIKE 'order-%'`);
  t.equal(total, orderEvents, `the live build applied every event of the order streams (${orderEvents})`);
  t.equal(builtLive.n, ORDERS, `read model built live: ${builtLive.n} orders from ${total} events`);
  t.ok(indexesBefore.length >= 2, `rm_orders has ${indexesBefore.length} indexes`);

  // 2. The operator starts a rebuild and interrupts it at once: the projection is reset (or barely
  //    started) and stays so — the service is to finish it.
  const cli = spawnTs('bin/oms.mjs', { env: replayEnv, args: ['rebuild', 'orders'] });
  t.teardown(() => void cli.child.kill('SIGKILL'));
  await waitFor('the CLI to start emptying the orders projection', () => /rebuild orders: emptying/.test(cli.output()), 30_000, 5);
  cli.child.kill('SIGINT');
  const cliExit = await cli.exited;
  const reset = await ordersProgress(db);
  t.equal(cliExit, 1, 'the interrupted CLI exits 1');
  t.match(cli.output(), /interrupted/, 'and says it was interrupted');
  t.ok(reset.processed < total / 4, `the projection is reset: ${reset.processed} of ${total} events applied`);
  t.equal(reset.status, 'running', 'and not failed');

  // 3. The service replays the backlog; SIGKILL as soon as its checkpoint has moved but not arrived.
  phase('rebuild interrupted');
  const second = await startOms(t, replayEnv);
  let seenBeforeKill = reset.processed;
  await waitFor('the service to be part-way through the backlog', async () => {
    seenBeforeKill = (await ordersProgress(db)).processed;
    if (seenBeforeKill >= total) throw new Error(`the replay finished (${seenBeforeKill} events) before it could be killed`);
    return seenBeforeKill > reset.processed;
  }, 60_000, 5);
  await second.kill();
  const atKill = await ordersProgress(db);
  t.ok(
    atKill.processed > reset.processed && atKill.processed < total,
    `killed mid-replay: checkpoint at ${atKill.processed} events, strictly between ${reset.processed} and ${total} (${seenBeforeKill} seen just before the kill)`,
  );
  t.not(atKill.checkpoint, null, 'a checkpoint was committed by the killed instance');
  const [{ n: partialRows }] = await db.query(`SELECT count(*)::int AS n FROM rm_orders`);
  t.ok(partialRows < ORDERS, `the read model is partial at the kill (${partialRows} of ${ORDERS} orders)`);

  // 4. Restarted: it resumes from the committed checkpoint and catches up.
  phase('killed');
  const third = await startOms(t, replayEnv);
  await waitForQuiet(third.url, db, 90_000, true);
  phase('caught up');
  const [{ n: eventsAfter }] = await db.query(`SELECT count(*)::int AS n FROM es_events`);
  t.equal(eventsAfter, eventsBefore, 'no event was appended since the live build (same history replayed)');
  const resumed = await ordersProgress(db);
  t.equal(resumed.processed, total, `caught up: ${resumed.processed} events applied in all, as many as the live build`);
  const replayed = await ordersChecksum(db);
  t.same(replayed, builtLive, 'rm_orders equals the read model built live before the rebuild');
  if (replayed.sum !== builtLive.sum) {
    const diff = await db.query(
      `SELECT to_jsonb(l) AS live, to_jsonb(r) AS replayed FROM fault_live_orders l FULL JOIN rm_orders r USING (order_id)
        WHERE to_jsonb(l) IS DISTINCT FROM to_jsonb(r)`,
    );
    t.comment(`${diff.length} rows differ; the first: ${JSON.stringify(diff.slice(0, 2))}`);
  }
  t.same(await ordersIndexes(db), indexesBefore, 'rm_orders has the same indexes as before the rebuild');

  const last = await checkInvariant(t, { db, sandboxes, seeded, oms: third, env: replayEnv, kafka: { brokers, topic } });
  phase('invariant checked');
  t.same(await ordersIndexes(db), indexesBefore, 'and the same indexes after the fresh rebuild of the invariant');
  await last.stop();
  t.comment(`took ${Math.round((Date.now() - started) / 1000)} s`);
});
