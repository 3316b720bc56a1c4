import t, { type Test } from 'tap';
import type { Sandboxes } from '../../src/sandbox/index.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { authorizeAmazon, authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { RELEASE_POLICY_FILTER } from '../../src/application/releasePolicy.js';

const DAY = 86_400_000;
const MIN = 60_000;

const setUp = async (t: Test, sandboxOptions: Parameters<typeof sandboxesFor>[1] = {}, env: Record<string, string> = {}) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now(), ...sandboxOptions });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), ...env }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  return { clock, sandboxes, svc, tenant };
};

/** Pull a store now (as the scheduler would) once its schedule row exists. */
const pull = async (svc: TestService, storeId: string) => {
  await svc.projections.caughtUp(['pull_schedule']);
  const outcome = await svc.pulls.pullStore(storeId, 'manual');
  await svc.projections.caughtUp(['orders', 'pull_schedule']);
  return outcome;
};

const ordersOf = async (svc: TestService, storeId: string) =>
  (
    await svc.db.query<{ platform_order_id: string; status: string }>(
      'SELECT platform_order_id, status FROM rm_orders WHERE store_id = $1 ORDER BY platform_order_id',
      [storeId],
    )
  ).rows;

const usStore = async (svc: TestService, sandboxes: Sandboxes, apiKey: string, lookback: number, seller = 0) => {
  sandboxes.amazon.consentAs(sandboxes.amazon.sellers[seller]!.sellerId);
  const auth = await authorizeAmazon(svc, apiKey, { region: 'NA', initialLookbackDays: lookback });
  const us = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER');
  await svc.projections.caughtUp(['pull_schedule']);
  return us.storeId as string;
};

t.test('the initial pull honours a 3-day and a 5-day look-back exactly', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t);
  const { amazon } = sandboxes;
  const now = clock.now().getTime();
  for (const seller of [0, 1]) {
    for (const [label, ago] of [['2d', 2 * DAY], ['3d-1m', 3 * DAY - MIN], ['3d+1m', 3 * DAY + MIN], ['5d-1m', 5 * DAY - MIN], ['5d+1m', 5 * DAY + MIN]] as const) {
      amazon.orders.add({ sellerId: amazon.sellers[seller]!.sellerId, marketplaceId: 'ATVPDKIKX0DER', createdAt: now - ago, status: 'UNSHIPPED', buyerName: label });
    }
  }
  const three = await usStore(svc, sandboxes, tenant.apiKey, 3, 0);
  const five = await usStore(svc, sandboxes, tenant.apiKey, 5, 1);
  clock.advance(3 * MIN); // Amazon lists only what is at least 2 minutes old
  const o3 = await pull(svc, three);
  t.match(o3, { ok: true, ordersNew: 2 }, JSON.stringify(o3));
  t.match(await pull(svc, five), { ok: true, ordersNew: 4 });
  t.equal((await ordersOf(svc, three)).length, 2, '3 days: the two orders inside');
  t.equal((await ordersOf(svc, five)).length, 4, '5 days: the four orders inside');
  const log = (await json(await svc.call('GET', `/v1/stores/${three}/pulls`, { token: tenant.apiKey }))).items;
  t.match(log[0], { type: 'PullCompleted', data: { window: { kind: 'created' }, ordersNew: 2, pages: 1 } });
  t.match(log[1], { type: 'PullStarted', data: { trigger: 'initial' } });
});

t.test('a marketplace change shows after the next pull; unchanged orders append nothing; a 3-day outage is caught up', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t);
  const { amazon } = sandboxes;
  const storeId = await usStore(svc, sandboxes, tenant.apiKey, 3);
  const seller = amazon.sellers[0]!.sellerId;
  const first = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: clock.now().getTime() - DAY, status: 'UNSHIPPED' });
  amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: clock.now().getTime() - 1.5 * DAY, status: 'UNSHIPPED' });
  clock.advance(3 * MIN);
  t.match(await pull(svc, storeId), { ok: true, ordersNew: 2 });

  clock.advance(15 * MIN);
  const eventsBefore = (await svc.db.query<{ n: number }>("SELECT count(*)::int AS n FROM es_events WHERE event_type = 'OrderPulled'")).rows[0]!.n;
  const lastWatermark = (await svc.schedule.get(storeId))!.watermark!;
  t.match(await pull(svc, storeId), { ok: true, ordersNew: 0, ordersChanged: 0, ordersUnchanged: 0 }, 'nothing changed: nothing even read');
  const incremental = (await json(await svc.call('GET', `/v1/stores/${storeId}/pulls?limit=1`, { token: tenant.apiKey }))).items[0];
  t.match(incremental.data.window, { kind: 'updated', from: new Date(Date.parse(lastWatermark) - 5 * MIN).toISOString(), sweep: false }, 'from the watermark less 5 minutes, not 48 h back');
  // The daily reconciliation sweep re-reads 48 hours of updates: the orders are seen again, and append nothing.
  await svc.db.query(`UPDATE pull_schedule SET last_sweep_at = last_sweep_at - interval '1 day' WHERE store_id = $1`, [storeId]);
  t.match(await pull(svc, storeId), { ok: true, ordersNew: 0, ordersChanged: 0, ordersUnchanged: 2 }, 'the sweep sees both orders, unchanged');
  const sweep = (await json(await svc.call('GET', `/v1/stores/${storeId}/pulls?limit=1`, { token: tenant.apiKey }))).items[0];
  t.match(sweep.data.window, { kind: 'updated', sweep: true });
  // The end bound is Amazon's "at least 2 minutes ago"; the start 48 hours before the pull began.
  const width = Date.parse(sweep.data.watermark) - Date.parse(sweep.data.window.from);
  t.ok(width > 47 * 60 * MIN && width <= 48 * 60 * MIN, `the last 48 hours (${width / MIN} min)`);
  t.equal((await svc.schedule.get(storeId))!.lastSweepAt, sweep.data.watermark, 'the next sweep is a day after this one');
  const eventsAfter = (await svc.db.query<{ n: number }>("SELECT count(*)::int AS n FROM es_events WHERE event_type = 'OrderPulled'")).rows[0]!.n;
  t.equal(eventsAfter, eventsBefore, 'unchanged orders append no events');

  amazon.orders.cancel(first.orderId);
  clock.advance(3 * MIN);
  t.match(await pull(svc, storeId), { ok: true, ordersChanged: 1 });
  const cancelled = (await ordersOf(svc, storeId)).find((o) => o.platform_order_id === first.orderId);
  t.equal(cancelled?.status, 'cancelled', 'the change is reflected');

  // Downtime: three days pass with orders arriving; the next pull covers everything since the watermark.
  const watermark = (await svc.schedule.get(storeId))!.watermark!;
  for (let h = 0; h < 72; h += 6) {
    clock.advance(6 * 60 * MIN);
    amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: clock.now().getTime() - 30 * MIN, status: 'UNSHIPPED' });
  }
  clock.advance(3 * MIN);
  const caughtUp = await pull(svc, storeId);
  t.match(caughtUp, { ok: true, ordersNew: 12 }, 'all 12 orders of the outage');
  const log = (await json(await svc.call('GET', `/v1/stores/${storeId}/pulls?limit=1`, { token: tenant.apiKey }))).items;
  t.ok(Date.parse(log[0].data.window.from) <= Date.parse(watermark), 'the window starts at the old watermark, not 48 h back');
});

t.test('a storm of 429s and 5xx: failed pulls move no watermark; in the end every order is there once', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, {}, { MARKETPLACE_MAX_ATTEMPTS: '3' });
  const { amazon } = sandboxes;
  const storeId = await usStore(svc, sandboxes, tenant.apiKey, 3);
  amazon.orders.generate({ count: 450, sellerId: amazon.sellers[0]!.sellerId, marketplaceId: 'ATVPDKIKX0DER', days: 2 });
  clock.advance(3 * MIN);
  const storm = [
    amazon.faults.rule({ status: 429, probability: 0.35, route: 'searchOrders' }),
    amazon.faults.rule({ status: 503, probability: 0.15, route: 'searchOrders' }),
    amazon.faults.rule({ kind: 'truncatedJson', probability: 0.1, route: 'searchOrders' }),
  ];
  let failures = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    const before = (await svc.schedule.get(storeId))!.watermark;
    const outcome = await pull(svc, storeId);
    if (outcome.ok) break;
    failures++;
    t.equal((await svc.schedule.get(storeId))!.watermark, before, 'a failed pull moves no watermark');
  }
  storm.forEach((r) => r.remove());
  t.ok(failures > 0, `the storm made ${failures} pull(s) fail and resume`);
  const expected = amazon.orders.list({ sellerId: amazon.sellers[0]!.sellerId }).filter((o) => o.orderId && JSON.stringify(o).includes('ATVPDKIKX0DER'));
  const stored = await ordersOf(svc, storeId);
  t.equal(new Set(stored.map((o) => o.platform_order_id)).size, stored.length, 'each order once');
  t.equal(stored.length, expected.length, 'every order present');
  const counters = amazon.counters.byStatus('searchOrders');
  t.ok((counters[429] ?? 0) > 0, 'throttled on the way');
});

t.test('no stuck store: an expired pagination token restarts the window from its start; nothing lost, nothing doubled', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, {}, { MARKETPLACE_MAX_ATTEMPTS: '1' });
  const { amazon } = sandboxes;
  const storeId = await usStore(svc, sandboxes, tenant.apiKey, 3);
  amazon.orders.generate({ count: 250, sellerId: amazon.sellers[0]!.sellerId, marketplaceId: 'ATVPDKIKX0DER', days: 2 });
  clock.advance(3 * MIN);
  // Page 1 arrives, then Amazon is down: the pull stops with a resume point on page 2.
  amazon.faults.next({ status: 503, after: 1, count: 1_000, route: 'searchOrders' });
  t.match(await pull(svc, storeId), { ok: false, reason: 'server_error' });
  const stopped = (await svc.schedule.get(storeId))!;
  t.ok(stopped.resume?.cursor, 'a resume point was kept');
  t.equal((await ordersOf(svc, storeId)).length, 100, 'page 1 recorded');

  // A day and more later the token has expired (Amazon: 24 h). The sandbox refuses it as Amazon does.
  amazon.faults.clear();
  clock.advance(25 * 60 * MIN);
  const outcome = await pull(svc, storeId);
  t.match(outcome, { ok: true, ordersNew: 150, ordersUnchanged: 100 }, JSON.stringify(outcome));
  t.same(amazon.counters.byStatus('searchOrders')[400], 1, 'the stale token was sent once, never again');
  t.equal((await svc.schedule.get(storeId))!.resume, null, 'no resume point left');
  const stored = await ordersOf(svc, storeId);
  t.equal(stored.length, 250, 'every order');
  t.equal(new Set(stored.map((o) => o.platform_order_id)).size, 250, 'each once');
  const log = (await json(await svc.call('GET', `/v1/stores/${storeId}/pulls?limit=1`, { token: tenant.apiKey }))).items;
  t.match(log[0], { type: 'PullCompleted', data: { window: stopped.resume!.window, restarted: { reason: 'cursor_refused', detail: /paginationToken/ } } }, 'the log says why');

  // A resume point no source can read (written by another version, corrupted) is dropped the same way.
  await svc.schedule.saveResume(storeId, { pullId: stopped.resume!.pullId, window: stopped.resume!.window, cursor: 'walmart.bm90IG91cnM' });
  t.match(await pull(svc, storeId), { ok: true, ordersUnchanged: 250 }, 'read again from the start, nothing appended');
  t.equal((await svc.schedule.get(storeId))!.resume, null);
});

t.test('a marketplace that refuses every follow-up token: one restart per pull, then a failure that keeps no resume point', async (t) => {
  // Tokens that expire at once: page 2 is always refused.
  const { clock, sandboxes, svc, tenant } = await setUp(t, { amazon: { orders: false, paginationTokenTtlSeconds: 0 } });
  const { amazon } = sandboxes;
  const storeId = await usStore(svc, sandboxes, tenant.apiKey, 3);
  amazon.orders.generate({ count: 150, sellerId: amazon.sellers[0]!.sellerId, marketplaceId: 'ATVPDKIKX0DER', days: 2 });
  clock.advance(3 * MIN);
  t.match(await pull(svc, storeId), { ok: false, reason: 'cursor_refused' });
  t.same(amazon.counters.byStatus('searchOrders'), { 200: 2, 400: 2 }, 'page 1, refused page 2, page 1 again, refused again: then it stops');
  t.equal((await svc.schedule.get(storeId))!.resume, null, 'nothing to resume from');
  const log = (await json(await svc.call('GET', `/v1/stores/${storeId}/pulls?limit=1`, { token: tenant.apiKey }))).items;
  t.match(log[0], { type: 'PullFailed', data: { reason: 'cursor_refused', resumable: false, pages: 2 } });
  t.equal((await ordersOf(svc, storeId)).length, 100, 'what was read is recorded');
});

// Walmart serves at most 10,000 orders per search; the sandbox's cap is lowered to 1,000 so that
// 2,500 orders take the same three searches a 25,000-order window would (the 20,000-order version of
// this test took ~150 s on a loaded machine and proved nothing more).
t.test('Walmart: a store with more orders in its window than one search serves is pulled completely', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, { walmart: { orders: false, maxOrdersPerQuery: 1_000 } });
  const { walmart } = sandboxes;
  walmart.orders.generate({ count: 2_500, days: 2, wfsShare: 0 });
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes);
  clock.advance(3 * MIN);
  const outcome = await pull(svc, auth.storeIds[0]!);
  t.match(outcome, { ok: true, ordersNew: 2_500 });
  const { rows } = await svc.db.query<{ n: number; distinct: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT platform_order_id)::int AS distinct FROM rm_orders WHERE store_id = $1',
    [auth.storeIds[0]],
  );
  t.same(rows[0], { n: 2_500, distinct: 2_500 }, 'every order once');
});

t.test('Walmart: each page is one append transaction, pages in page order, every buyer sealed under its own key', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, { walmart: { orders: false } });
  sandboxes.walmart.orders.generate({ count: 650, days: 2 });
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes);
  clock.advance(3 * MIN);
  const outcome = await pull(svc, auth.storeIds[0]!);
  t.match(outcome, { ok: true, ordersNew: 650 });
  // Pages are fetched and prepared ahead, but appended one after the other: one transaction per
  // page (Walmart pages hold up to 200 orders), committed in page order.
  const { rows: transactions } = await svc.db.query<{ n: number; first: number }>(
    `SELECT count(*)::int AS n, min(global_position) AS first FROM es_events
      WHERE event_type = 'OrderPulled' AND data->>'storeId' = $1
      GROUP BY transaction_id ORDER BY transaction_id`,
    [auth.storeIds[0]],
  );
  t.equal(transactions.reduce((sum, r) => sum + r.n, 0), 650, 'every order once');
  t.ok(transactions.length >= 4 && transactions.every((r) => r.n <= 200), `one append per page (${transactions.map((r) => r.n).join(', ')})`);
  t.same(transactions.map((r) => r.first), [...transactions.map((r) => r.first)].sort((a, b) => a - b), 'pages committed in order');
  const { rows: keys } = await svc.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM vault_data_keys k
       JOIN es_events e ON k.owner_id = e.stream_id
      WHERE e.event_type = 'OrderPulled' AND e.data->>'storeId' = $1`,
    [auth.storeIds[0]],
  );
  t.equal(keys[0]!.n, 650, 'one data key per order');
  const { rows: clear } = await svc.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM es_events WHERE event_type = 'OrderPulled' AND data->>'storeId' = $1 AND (data::text LIKE '%addressLines%' OR data->'order'->>'personalData' IS NULL)`,
    [auth.storeIds[0]],
  );
  t.equal(clear[0]!.n, 0, 'no ship-to in clear; every order carries its sealed buyer data');
});

t.test('back-pressure: while a big pull records its pages, the release policy never has more than the limit and one page waiting', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, { walmart: { orders: false } }, { PULL_MAX_BACKLOG: '300' });
  sandboxes.walmart.orders.generate({ count: 3_000, days: 2 });
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes);
  clock.advance(3 * MIN);
  const policyBacklog = async () => {
    const { rows } = await svc.db.query<{ checkpoint: string | null }>(`SELECT checkpoint FROM projection_checkpoints WHERE name = 'policy:release'`);
    // Committed events, readable yet or not: what the gate bounds.
    return (await svc.store.countAfter((rows[0]?.checkpoint ?? null) as never, 10_000, RELEASE_POLICY_FILTER, { committed: true }))!;
  };
  let sampling = true;
  let worst = 0;
  const sampler = (async () => {
    while (sampling) {
      worst = Math.max(worst, await policyBacklog());
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const outcome = await pull(svc, auth.storeIds[0]!);
  sampling = false;
  await sampler;
  t.match(outcome, { ok: true, ordersNew: 3_000 });
  // One pull: a page is recorded only when at most 300 wait, so at most 300 + one page (200) ever do.
  t.ok(worst > 0 && worst <= 500, `the policy had at most ${worst} events waiting`);
  t.notMatch(svc.logs(), /consumer downstream is behind/, 'the policy kept moving: nothing recorded without waiting');
});

t.test('back-pressure never stops ingestion: with the release policy stopped, the pull waits a few seconds once, then records everything', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, { walmart: { orders: false } }, { PULL_MAX_BACKLOG: '100' });
  sandboxes.walmart.orders.generate({ count: 1_000, days: 2 });
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes);
  clock.advance(3 * MIN);
  await svc.policyRunner.stop();
  const started = Date.now();
  t.match(await pull(svc, auth.storeIds[0]!), { ok: true, ordersNew: 1_000 });
  t.ok(Date.now() - started < 60_000, `pulled in ${Date.now() - started} ms`);
  t.match(svc.logs(), /"consumer":"policy:release".*consumer downstream is behind; recording pulled orders without waiting for it/);
  const metrics = await (await svc.call('GET', '/metrics')).text();
  t.match(metrics, /^oms_pull_backpressure_pages_total\{outcome="stalled"[^}]*\} [1-9]/m, 'the metrics say a page went without waiting for a stalled policy');
  t.match(metrics, /^oms_pull_backpressure_wait_seconds_total(\{[^}]*\})? [1-9]/m, 'and how long pages waited');
  const { rows } = await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_orders WHERE store_id = $1', [auth.storeIds[0]]);
  t.equal(rows[0]!.n, 1_000, 'every order recorded');
});

t.test('manual sync answers 202 and the scheduler pulls; two schedulers never pull one store at once', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, {}, { PULL_SCHEDULER: 'on' });
  const { amazon } = sandboxes;
  const eu = await authorizeAmazon(svc, tenant.apiKey, { region: 'EU' });
  const na = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  for (const marketplaceId of ['A1F83G8C2ARO7P', 'A1PA6795UKMFR9', 'ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2']) {
    amazon.orders.generate({ count: 120, sellerId: amazon.sellers[0]!.sellerId, marketplaceId, days: 2 });
  }
  clock.advance(3 * MIN);
  // A second instance on the same database, with its own scheduler.
  const { createService } = await import('../../src/service.js');
  const { loadConfig } = await import('../../src/config.js');
  const { createLogger } = await import('../../src/logger.js');
  const other = await createService(loadConfig({ ...sandboxEnv(sandboxes), OMS_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') }), {
    logger: createLogger({ level: 'silent' }),
    database: svc.db,
    clock,
    timing: clock.timing,
  });
  await other.start();
  t.teardown(() => other.stop());

  const storeIds = [...eu.storeIds, ...na.storeIds];
  const accepted = await svc.call('POST', `/v1/stores/${storeIds[0]}/sync`, { token: tenant.apiKey });
  t.equal(accepted.status, 202);
  for (let i = 0; i < 200; i++) {
    const rows = (await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pull_schedule WHERE last_success_at IS NOT NULL')).rows[0]!.n;
    if (rows >= storeIds.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const storeId of storeIds) {
    const log = await svc.store.readStream(`pulls-${storeId}`);
    let open = 0;
    let overlapped = false;
    for (const e of log) {
      if (e.type === 'PullStarted') open++;
      else open--;
      if (open > 1) overlapped = true;
    }
    t.notOk(overlapped, `store ${storeId.slice(0, 8)}: pulls never overlap`);
    t.ok(log.some((e) => e.type === 'PullCompleted'), 'pulled');
  }
  const dupes = await svc.db.query(
    `SELECT event_id FROM es_events GROUP BY stream_id, event_id HAVING count(*) > 1`,
  );
  t.equal(dupes.rows.length, 0, 'no duplicate events');
  const stores = (await json(await svc.call('GET', '/v1/stores', { token: tenant.apiKey }))).items;
  t.ok(stores.every((s: { sync: { lastSuccessAt: string | null; nextRunAt: string | null } }) => s.sync.lastSuccessAt && s.sync.nextRunAt), 'sync state shown');
});

t.test('a manual sync is logged with trigger "manual"; the schedule\'s own pulls with "schedule"', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, {}, { PULL_SCHEDULER: 'on' });
  const storeId = await usStore(svc, sandboxes, tenant.apiKey, 3);
  clock.advance(3 * MIN);
  const completed = async (n: number) => {
    for (let i = 0; i < 300; i++) {
      const log = await svc.store.readStream(`pulls-${storeId}`);
      if (log.filter((e) => e.type === 'PullCompleted').length >= n) return log;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`store ${storeId} did not complete ${n} pull(s): ${JSON.stringify(await svc.store.readStream(`pulls-${storeId}`))}`);
  };
  await completed(1); // the initial look-back, as soon as the store exists
  // The schedule row learns that the look-back is done from PullCompleted, through its projection: a
  // sync pressed before that would still be the look-back ('initial'), as it would for a seller.
  await svc.projections.caughtUp(['pull_schedule']);
  t.equal((await svc.call('POST', `/v1/stores/${storeId}/sync`, { token: tenant.apiKey })).status, 202);
  const afterManual = await completed(2);
  const started = afterManual.filter((e) => e.type === 'PullStarted').map((e) => (e.data as { trigger: string }).trigger);
  t.same(started, ['initial', 'manual'], 'the sync button is what the log says');

  // The schedule's next run (made due now instead of waiting 15 minutes) is logged as the schedule's.
  await svc.db.query('UPDATE pull_schedule SET next_run_at = now() WHERE store_id = $1', [storeId]);
  const afterSchedule = await completed(3);
  t.equal((afterSchedule.filter((e) => e.type === 'PullStarted').at(-1)!.data as { trigger: string }).trigger, 'schedule');
});

t.test('a store that keeps failing shows it (API, metrics) with the reason, backs off, and is ok again after a success', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, {}, { PULL_SCHEDULER: 'on' });
  const { amazon } = sandboxes;
  // The app lost its Orders role: every search answers 403, which no retry fixes.
  const refused = amazon.faults.rule({ kind: 'missingScope', probability: 1, route: 'searchOrders' });
  const storeId = await usStore(svc, sandboxes, tenant.apiKey, 3);
  clock.advance(3 * MIN);
  const row = () => svc.db.query<{ failures: number; wait_ms: number }>(
    `SELECT failures, (extract(epoch FROM next_run_at - last_error_at) * 1000)::int AS wait_ms FROM pull_schedule WHERE store_id = $1`,
    [storeId],
  ).then((r) => r.rows[0]!);
  const failuresReach = async (n: number) => {
    for (let i = 0; i < 300 && (await row()).failures < n; i++) await new Promise((r) => setTimeout(r, 50));
    return row();
  };
  const sync = async () => (await json(await svc.call('GET', `/v1/stores/${storeId}`, { token: tenant.apiKey }))).sync;

  const waits: number[] = [];
  for (let n = 1; n <= 3; n++) {
    const r = await failuresReach(n);
    t.equal(r.failures, n, `failure ${n}`);
    waits.push(r.wait_ms);
    if (n === 1) t.match(await sync(), { state: 'retrying', reason: 'forbidden', failures: 1, failingSince: /^\d{4}-/ }, 'one failure: retrying');
    // The back-off is over (as if its minutes had passed): due again.
    if (n < 3) await svc.db.query('UPDATE pull_schedule SET next_run_at = now() WHERE store_id = $1', [storeId]);
  }
  t.same(waits, [60_000, 120_000, 240_000], 'each failure doubles the wait');
  const failing = await sync();
  t.match(failing, { state: 'failing', reason: 'forbidden', failures: 3 }, 'three in a row: failing, with the reason');
  const list = (await json(await svc.call('GET', '/v1/stores', { token: tenant.apiKey }))).items;
  t.match(list.find((s: { storeId: string }) => s.storeId === storeId).sync, { state: 'failing', reason: 'forbidden', failingSince: failing.failingSince });
  const metrics = await (await svc.call('GET', '/metrics')).text();
  t.match(metrics, /^oms_pull_stores_failing\{[^}]*reason="forbidden"[^}]*\} [1-9]/m, 'the metric counts it by reason');

  // The role is back; the next pull succeeds and the state clears.
  refused.remove();
  await svc.db.query('UPDATE pull_schedule SET next_run_at = now() WHERE store_id = $1', [storeId]);
  for (let i = 0; i < 300 && (await row()).failures > 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.match(await sync(), { state: 'ok', reason: null, failingSince: null, failures: 0 });
  t.notMatch(await (await svc.call('GET', '/metrics')).text(), /^oms_pull_stores_failing\{[^}]*reason="forbidden"[^}]*\} [1-9]/m, 'no longer counted');
});

t.test('budget: an EU account with 9 marketplaces and a day of orders is pulled from a throttled Amazon without one 429', async (t) => {
  // A clock that moves only when someone waits (the rate limiters on both sides read it), so the
  // 180-second refills cost no real time and both buckets see exactly the same instants.
  let now = Date.now();
  const clock = {
    now: () => new Date(now),
    advance: (ms: number) => void (now += ms),
    timing: { now: () => now, sleep: async (ms: number, signal?: AbortSignal) => { signal?.throwIfAborted(); now += ms; } },
  };
  const EU9 = ['A1F83G8C2ARO7P', 'A1PA6795UKMFR9', 'A13V1IB3VIYZZH', 'APJ6JRA9NG5V4', 'A1RKKUPIHCS9HS', 'A1805IZSGTT6HS', 'A2NODRKZP88ZB9', 'A1C3SOZRARQ6R3', 'AMEN7PMS3EDWL'];
  const sellerId = 'AEUNINEMARKETS';
  const sandboxes = await sandboxesFor(t, {
    now: () => clock.now(),
    // Amazon's published usage plans, enforced: searchOrders 0.0056/s, burst 20, per app, seller and region.
    amazon: { orders: false, throttling: true, sellers: [{ sellerId, storeName: 'Nine Markets', participations: EU9.map((marketplaceId) => ({ marketplaceId })) }] },
    walmart: { orders: false },
  });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const { amazon } = sandboxes;
  amazon.consentAs(sellerId);
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'EU' });
  t.equal(auth.storeIds.length, 9, 'one store per marketplace');
  for (const marketplaceId of EU9) amazon.orders.generate({ count: 230, sellerId, marketplaceId, days: 1 });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  const started = now;
  // The authorization's pull: one searchOrders sequence with all nine marketplaceIds.
  const initial = await svc.pulls.pullStores(auth.storeIds, 'schedule');
  await svc.projections.caughtUp(['orders', 'pull_schedule']);
  let pulled = 0;
  for (const storeId of auth.storeIds) {
    const outcome = initial[storeId]!;
    t.match(outcome, { ok: true, ordersNew: 230 }, `store ${storeId.slice(0, 8)}: its own orders`);
    if (outcome.ok) pulled += outcome.ordersNew;
  }
  t.equal(pulled, 9 * 230, 'every order of the day, each in its own store');
  const { rows: misrouted } = await svc.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rm_orders o JOIN rm_stores s ON s.store_id = o.store_id WHERE o.marketplace_id <> s.marketplace_id`,
  );
  t.equal(misrouted[0]!.n, 0, 'orders routed to their store by marketplaceId');
  const pullIds = new Set(Object.values(initial).map((o) => o.pullId));
  t.equal(pullIds.size, 1, 'one sequence for the authorization');
  // A scheduled round 15 minutes later: one call for all nine stores, each store's watermark kept.
  clock.advance(15 * MIN);
  const watermarks = await Promise.all(auth.storeIds.map(async (id: string) => (await svc.schedule.get(id))!.watermark));
  t.ok(watermarks.every((w: string | null) => w !== null), 'each store has its watermark');
  const round = await svc.pulls.pullStores(auth.storeIds, 'schedule');
  for (const storeId of auth.storeIds) t.match(round[storeId], { ok: true, ordersNew: 0 });
  await svc.projections.caughtUp(['pull_schedule']);
  for (const [i, storeId] of auth.storeIds.entries()) {
    t.ok(Date.parse((await svc.schedule.get(storeId))!.watermark!) > Date.parse(watermarks[i]!), 'each watermark advanced on success');
  }
  const statuses = amazon.counters.byStatus('searchOrders');
  t.equal(statuses[429] ?? 0, 0, 'not one 429');
  const calls = statuses[200] ?? 0;
  // The round re-reads what changed since the watermarks (less the 5-minute overlap), all nine
  // marketplaces in the same pages: the sandbox's generated histories put a few hundred updates there.
  const roundOrders = Object.values(round).reduce((n, o) => n + (o.ok ? o.ordersNew + o.ordersChanged + o.ordersUnchanged : 0), 0);
  const roundPages = Math.max(1, Math.ceil(roundOrders / 100));
  t.ok(Object.values(round).every((o) => o.ok && o.pages === roundPages), `the round: one sequence of ${roundPages} page(s) for ${roundOrders} order updates`);
  t.equal(calls, Math.ceil((9 * 230) / 100) + roundPages, '21 pages for the day (100 orders each, all marketplaces together), then the round\'s pages');
  // The pacing is what the plan allows: beyond the burst of 20, one call per ~180 s.
  const elapsedS = (now - started) / 1000;
  t.ok(elapsedS >= (calls - 20) / 0.0056 - 1, `${calls} calls spread over ${Math.round(elapsedS)} s of marketplace time`);
  // Per store this would have been 9 × 3 pages and then 9 calls per round: 36 calls an hour
  // against a budget of ~20. Grouped, a round costs one call whatever the number of marketplaces.
});

t.test('the scheduler pulls an authorization\'s stores together; a manual sync of one store pulls its authorization', async (t) => {
  const { clock, sandboxes, svc, tenant } = await setUp(t, {}, { PULL_SCHEDULER: 'on' });
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const eu = await authorizeAmazon(svc, tenant.apiKey, { region: 'EU' });
  t.ok(eu.storeIds.length >= 2, `${eu.storeIds.length} EU stores`);
  const markets = (await svc.db.query<{ store_id: string; marketplace_id: string }>('SELECT store_id, marketplace_id FROM rm_stores WHERE store_id = ANY($1::text[])', [eu.storeIds])).rows;
  for (const m of markets) amazon.orders.add({ sellerId: seller, marketplaceId: m.marketplace_id, createdAt: clock.now().getTime() - DAY, status: 'UNSHIPPED' });
  clock.advance(3 * MIN);
  const completedAll = async (n: number) => {
    for (let i = 0; i < 300; i++) {
      const logs: { type: string; data: unknown }[][] = await Promise.all(eu.storeIds.map((id: string) => svc.store.readStream(`pulls-${id}`)));
      // Completed and given back (the scheduler releases its claims after logging the pull).
      const claimed = (await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pull_schedule WHERE store_id = ANY($1::text[]) AND claimed_by IS NOT NULL', [eu.storeIds])).rows[0]!.n;
      if (claimed === 0 && logs.every((log) => log.filter((e) => e.type === 'PullCompleted').length >= n)) return logs;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the stores did not complete ${n} pull(s)`);
  };
  await completedAll(1);
  // The first pulls may be split while the stores' schedule rows appear one by one; a round due for
  // one store takes every store due within half an interval, so the authorization is pulled as one.
  const callsBefore = amazon.counters.byStatus('searchOrders')[200] ?? 0;
  await svc.db.query('UPDATE pull_schedule SET next_run_at = now() WHERE store_id = ANY($1::text[])', [eu.storeIds]);
  const round = await completedAll(2);
  const roundIds = new Set(round.map((log) => (log.filter((e) => e.type === 'PullCompleted').at(-1)!.data as { pullId: string }).pullId));
  t.equal(roundIds.size, 1, 'one pull (one searchOrders sequence) for every store of the authorization');
  t.equal(amazon.counters.byStatus('searchOrders')[200], callsBefore + 1, 'one call for all the marketplaces');
  const { rows } = await svc.db.query<{ store_id: string; marketplace_id: string }>('SELECT store_id, marketplace_id FROM rm_orders WHERE store_id = ANY($1::text[])', [eu.storeIds]);
  t.equal(rows.length, markets.length, 'each marketplace\'s order');
  t.ok(rows.every((r) => markets.find((m) => m.store_id === r.store_id)?.marketplace_id === r.marketplace_id), 'each in its store');

  // The others were just pulled: a manual sync of one store does not drag them along before they are due.
  // A manual sync of one store: logged as manual; the stores just pulled wait for their schedule.
  t.equal((await svc.call('POST', `/v1/stores/${eu.storeIds[0]}/sync`, { token: tenant.apiKey })).status, 202);
  for (let i = 0; i < 300; i++) {
    const log = await svc.store.readStream(`pulls-${eu.storeIds[0]}`);
    if (log.filter((e) => e.type === 'PullCompleted').length >= 3) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const logs: { type: string; data: unknown }[][] = await Promise.all(eu.storeIds.map((id: string) => svc.store.readStream(`pulls-${id}`)));
  t.equal((logs[0]!.filter((e) => e.type === 'PullStarted').at(-1)!.data as { trigger: string }).trigger, 'manual', 'the log says who asked');
  t.equal(logs[2]!.filter((e) => e.type === 'PullStarted').length, 2, 'the store nobody asked for waits for its schedule');
});
