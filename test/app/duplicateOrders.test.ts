import t from 'tap';
import { findKafkaBrokers, uniqueTopic } from '../support/kafka.js';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';
import { settledReleases as settled, wmsConsumer as wms } from '../support/wms.js';

const MIN = 60_000;

t.test('one release per marketplace order: a second Walmart key of the seller records the orders and holds them as duplicate_order', async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('duplicates');
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3' }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { walmart } = sandboxes;
  const orders = Array.from({ length: 6 }, () => walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] }));
  clock.advance(3 * MIN);

  // Two keys of the same seller account: Walmart does not tell OMS they are one account.
  const first = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const secondKey = walmart.client('ordersViewOnly');
  const second = await json(
    await call('POST', '/v1/authorizations/walmart', { name: 'Walmart again', clientId: secondKey.clientId, clientSecret: secondKey.clientSecret, initialLookbackDays: 3 }),
  );
  const stores = [first.storeIds[0] as string, second.marketplaces[0].storeId as string];
  t.not(stores[0], stores[1], 'two stores');
  for (const storeId of stores) t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  const consumer = await wms(t, brokers, topic);

  // Both stores pull at once: the release policy races itself over the same marketplace orders.
  const outcomes = await Promise.all(stores.map((storeId) => svc.pulls.pullStore(storeId, 'manual')));
  t.match(outcomes, [{ ok: true, ordersNew: 6 }, { ok: true, ordersNew: 6 }], 'each store records every order');
  t.equal(await settled(svc), 6, 'six orders released, not twelve');
  await consumer.until((all) => all.filter((m) => m.type === 'FulfillmentOrderReleased').length >= 6, 'six releases');
  const releasedIds = consumer.received.filter((m) => m.type === 'FulfillmentOrderReleased').map((m) => m.order.platformOrderId);
  t.same([...releasedIds].sort(), orders.map((o) => o.purchaseOrderId).sort(), 'each marketplace order reached the warehouse once');

  const { rows: held } = await svc.db.query<{ order_id: string; store_id: string; platform_order_id: string }>(
    `SELECT order_id, store_id, platform_order_id FROM rm_orders WHERE handoff_state = 'held' ORDER BY platform_order_id`,
  );
  t.equal(held.length, 6, 'the other copies are held');
  const copy = held[0]!;
  const detail = await json(await call('GET', `/v1/orders/${copy.order_id}`));
  const owner = consumer.received.find((m) => m.type === 'FulfillmentOrderReleased' && m.order.platformOrderId === copy.platform_order_id)!.order;
  t.match(detail.holdReasons, [{ code: 'duplicate_order', ownerStoreId: owner.storeId, ownerOrderId: owner.orderId }], 'the hold names the store that owns the order');
  t.not(owner.storeId, copy.store_id);

  // The operator releases one copy on purpose; the reason and the caller are recorded.
  const bad = await call('POST', `/v1/orders/${copy.order_id}/release`, {});
  t.equal(bad.status, 400, 'a reason is required');
  const ok = await call('POST', `/v1/orders/${copy.order_id}/release`, { reason: 'the seller sold it twice, really' });
  t.equal(ok.status, 202);
  t.equal(await settled(svc), 7);
  await consumer.until((all) => all.filter((m) => m.type === 'FulfillmentOrderReleased').length >= 7, 'the authorized copy');
  const history = (await json(await call('GET', `/v1/orders/${copy.order_id}/history`))).items as { type: string; actor: string | null; data: { reason?: string } }[];
  t.match(history.find((e) => e.type === 'OrderReleaseAuthorized'), { actor: /./, data: { reason: 'the seller sold it twice, really' } });
  const again = await call('POST', `/v1/orders/${copy.order_id}/release`, { reason: 'once more' });
  t.equal(again.status, 409, 'refused when the state does not allow it');
  t.match(await json(again), { code: 'release_not_allowed' });
  const other = await createTenant(svc, 'Someone else');
  t.equal((await svc.call('POST', `/v1/orders/${held[1]!.order_id}/release`, { token: other.apiKey, body: { reason: 'not mine' } })).status, 404, "another tenant's order");

  // Revoking the authorization of a store with held copies withdraws them for good.
  const victim = held.find((h) => h.order_id !== copy.order_id)!.store_id;
  const authorizationId = victim === stores[0] ? first.authorizationId : second.authorizationId;
  const copies = held.filter((h) => h.store_id === victim && h.order_id !== copy.order_id).length;
  t.ok(copies > 0);
  t.equal((await call('DELETE', `/v1/authorizations/${authorizationId}`)).status, 200, 'revoked');
  await settled(svc);
  const { rows: after } = await svc.db.query<{ handoff_state: string; n: number }>(
    `SELECT handoff_state, count(*)::int AS n FROM rm_orders WHERE store_id = $1 GROUP BY 1 ORDER BY 1`,
    [victim],
  );
  t.same(after.filter((r) => r.handoff_state === 'held'), [], 'nothing of the revoked store stays held');
  t.equal(after.find((r) => r.handoff_state === 'withdrawn')?.n, copies, 'its held copies are withdrawn');
  const withdrawn = await json(await call('GET', `/v1/orders/${held.find((h) => h.store_id === victim && h.order_id !== copy.order_id)!.order_id}`));
  t.match(withdrawn.handoff, { state: 'withdrawn' });
  t.match(withdrawn.handoffHistory.at(-1), { type: 'OrderWithdrawn', reason: 'store_revoked' });
});
