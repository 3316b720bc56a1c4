// Store pull settings end to end over real HTTP, PostgreSQL and the sandboxes (issue #13 items 4 and 6):
// a Walmart store configured as the account's 3PL node pulls and releases 3PLFulfilled orders; an
// Amazon store may leave FBA orders out of its searches (fulfilledBy=MERCHANT).
import t, { type Test } from 'tap';
import { json, startTestService, type TestService } from '../support/service.js';
import { authorizeAmazon, authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule', 'stores']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
};

const setUp = async (t: Test) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  return { clock, sandboxes, svc, tenant, call };
};

const rowOf = async (svc: TestService, platformOrderId: string) =>
  (
    await svc.db.query<{ handoff_state: string; fulfillment_channel: string }>('SELECT handoff_state, fulfillment_channel FROM rm_orders WHERE platform_order_id = $1', [platformOrderId])
  ).rows[0];

t.test('Walmart: a store set as the 3PL node pulls its 3PLFulfilled orders and releases them like seller-fulfilled ones', async (t) => {
  const { clock, sandboxes, svc, tenant, call } = await setUp(t);
  const { walmart } = sandboxes;
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes);
  const storeId = auth.storeIds[0]! as string;
  const created = clock.now().getTime() - 60 * MIN;
  const own = walmart.orders.add({ createdAt: created, lines: [{ sku: 'WM-1', quantity: 1 }] });
  const threePl = walmart.orders.add({ createdAt: created, shipNodeType: '3PLFulfilled', lines: [{ sku: 'WM-1', quantity: 2 }] });
  await call('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 1 }] });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);

  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 }, 'off by default: 3PL orders are not searched');
  await settle(svc);
  t.match(await rowOf(svc, own.purchaseOrderId), { handoff_state: 'released' });
  t.equal(await rowOf(svc, threePl.purchaseOrderId), undefined);
  t.notOk(walmart.counters.log().some((e) => JSON.stringify(e).includes('3PLFulfilled')), 'no 3PL search');

  // Refused on the wrong platform, validated, then set (an event, shown on the store).
  const amazonAuth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const wrong = await call('PATCH', `/v1/stores/${amazonAuth.storeIds[0]}`, { walmart3plNode: true });
  t.equal(wrong.status, 422);
  t.match(await json(wrong), { code: 'setting_not_applicable' });
  t.equal((await call('PATCH', `/v1/stores/${storeId}`, {})).status, 400, 'at least one setting');
  const set = await call('PATCH', `/v1/stores/${storeId}`, { walmart3plNode: true });
  t.equal(set.status, 200);
  t.match(await json(set), { settings: { walmart3plNode: true, skipMarketplaceFulfilled: false } });
  const events = await svc.store.readStream(`store-${storeId}`);
  t.match(events.at(-1), { type: 'StoreSettingsChanged', data: { settings: { walmart3plNode: true } } }, 'recorded as an event');
  await settle(svc);
  t.match((await json(await call('GET', `/v1/stores/${storeId}`))).settings, { walmart3plNode: true });

  clock.advance(3 * MIN);
  // The sweep re-reads the window (the 3PL order is older than the watermark).
  await svc.db.query(`UPDATE pull_schedule SET last_sweep_at = last_sweep_at - interval '2 days' WHERE store_id = $1`, [storeId]);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 }, 'the 3PL order is pulled');
  await settle(svc);
  t.match(await rowOf(svc, threePl.purchaseOrderId), { handoff_state: 'released', fulfillment_channel: 'merchant' }, 'released like a seller-fulfilled order');
});

t.test('Amazon: skipMarketplaceFulfilled leaves FBA orders out of the search; by default they are recorded, never sent', async (t) => {
  const { clock, sandboxes, svc, tenant, call } = await setUp(t);
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  const created = clock.now().getTime() - 60 * MIN;
  const fba1 = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', fulfilledBy: 'AMAZON' });
  amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED' });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 }, 'default: FBA recorded');
  await settle(svc);
  t.match(await rowOf(svc, fba1.orderId), { handoff_state: 'marketplace' }, 'recorded, not sent');

  t.equal((await call('PATCH', `/v1/stores/${storeId}`, { skipMarketplaceFulfilled: true })).status, 200);
  const fba2 = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: clock.now().getTime() - MIN, status: 'UNSHIPPED', fulfilledBy: 'AMAZON' });
  const mfn = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: clock.now().getTime() - MIN, status: 'UNSHIPPED' });
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 }, 'only the seller-fulfilled order');
  await settle(svc);
  t.ok(await rowOf(svc, mfn.orderId));
  t.equal(await rowOf(svc, fba2.orderId), undefined, 'the FBA order was not asked for');
});
