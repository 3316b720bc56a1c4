import t from 'tap';
import { findKafkaBrokers, uniqueTopic } from '../support/kafka.js';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor, walmartConsent } from '../support/marketplaces.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';
import { settledReleases as settled, wmsConsumer as wms } from '../support/wms.js';

/**
 * Issue #16 item 2: a key-based Walmart authorization moves to Walmart Connect (OAuth 2.0) and keeps
 * its store, mappings, order identities and watermarks — the warehouse (a real Kafka consumer) gets
 * every order once.
 */
const MIN = 60_000;

t.test('a key-based Walmart authorization moves to Connect and releases no order twice', async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('walmart-connect-move');
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { seed: 'walmart-move', amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  // Every pull a sweep (PULL_SWEEP_HOURS=0): the pull after the move re-reads the orders released before it.
  const svc = await startTestService(
    t,
    { ...sandboxEnv(sandboxes), PULL_SWEEP_HOURS: '0', KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3' },
    { clock, timing: clock.timing },
  );
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { walmart } = sandboxes;
  const before = Array.from({ length: 4 }, () => walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] }));
  clock.advance(3 * MIN);

  const keyed = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = keyed.storeIds[0]!;
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  const consumer = await wms(t, brokers, topic);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 4 });
  t.equal(await settled(svc), 4);
  await consumer.until((all) => all.filter((m) => m.type === 'FulfillmentOrderReleased').length >= 4, 'the key-based releases');

  // The move: re-authorize answers a Connect consent URL; the seller approves on Walmart's page.
  const keySecret = (await svc.store.readStream(`authorization-${keyed.authorizationId}`)).flatMap((e) => (e.type === 'AuthorizationGranted' ? [(e.data as { secretRef: string }).secretRef] : []))[0]!;
  const reauth = await call('POST', `/v1/authorizations/${keyed.authorizationId}/reauthorize`);
  t.equal(reauth.status, 200);
  const started = await json(reauth);
  t.match(started, { authorizationId: keyed.authorizationId, consentUrl: String, expiresAt: String });
  const moved = await json(await (await walmartConsent(svc, started.consentUrl)).callback());
  t.match(moved, {
    authorizationId: keyed.authorizationId, status: 'active', clientIdHint: null, accountId: walmart.mainClient.partnerId,
    walmartConnect: { sellerId: walmart.mainClient.partnerId, market: 'us' }, renewal: { renewBy: String },
    marketplaces: [{ storeId }],
  }, 'the same authorization and store, now on OAuth');
  await t.rejects(svc.vault.readSecret(keySecret), 'the key secret is destroyed');
  t.match(await json(await call('GET', `/v1/stores/${storeId}/mappings/WM-1`)), { platformSku: 'WM-1', components: [{ sku: 'WIDGET', quantity: 1 }] }, 'the mapping stays');

  // Right after the move, while the key's access token would still be valid: it is not used again.
  const atMove = walmart.counters.count('token');
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 0 });
  t.ok(walmart.counters.count('token') > atMove, 'the token minted from the key was forgotten at the move');

  // New orders, and a pull well after the key's access token expired: it must use the refresh token.
  const after = Array.from({ length: 2 }, () => walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] }));
  clock.advance(20 * MIN);
  const tokenCalls = walmart.counters.count('token');
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 }, 'only the new orders are new');
  t.ok(walmart.counters.count('token') > tokenCalls, 'a Connect access token was minted');
  t.equal(await settled(svc), 6);
  await consumer.until((all) => all.filter((m) => m.type === 'FulfillmentOrderReleased').length >= 6, 'the new releases');
  await new Promise((r) => setTimeout(r, 500));
  const released = consumer.received.filter((m) => m.type === 'FulfillmentOrderReleased').map((m) => m.order.platformOrderId);
  t.equal(released.length, 6, 'six releases, none twice');
  t.same([...released].sort(), [...before, ...after].map((o) => o.purchaseOrderId).sort(), 'each order reached the warehouse once');
  t.ok(consumer.received.every((m) => m.order.storeId === storeId), 'all from the one store');
});
