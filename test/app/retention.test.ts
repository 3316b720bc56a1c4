// Buyer-data retention end to end (docs/retention.md): real PostgreSQL, the Amazon sandbox over
// HTTP, a movable clock to pass the retention period, and two job instances racing.
import t from 'tap';
import { retentionStore } from '../../src/adapters/scheduler/retentionStore.js';
import { sqlVault } from '../../src/adapters/vault/sqlVault.js';
import { retentionService } from '../../src/application/retention.js';
import { SecretDestroyedError, type Sealed } from '../../src/domain/ports/vault.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders', 'retention']);
};

t.test('buyer data is shredded 30 days after an order ships or is cancelled, once, with the history readable', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RETENTION_JOB: 'off' }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-W`, { components: [{ sku: 'WIDGET', quantity: 1 }] });
  const created = clock.now().getTime() - 60 * MIN;
  const add = (buyerName: string) =>
    amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', buyerName, items: [{ sellerSku: 'AMZ-W', quantity: 1 }] });
  const shipped = add('Ottilie Brandvold');
  const cancelled = add('Casimir Oduya');
  const open = add('Perpetua Linwood');
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 3 });
  await settle(svc);

  amazon.orders.ship(shipped.orderId);
  amazon.orders.cancel(cancelled.orderId);
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersChanged: 2 });
  await settle(svc);
  const idOf = async (platformOrderId: string) =>
    (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [platformOrderId])).rows[0]!.order_id;
  const [shippedId, cancelledId, openId] = [await idOf(shipped.orderId), await idOf(cancelled.orderId), await idOf(open.orderId)];

  // Within the retention period nothing is erased.
  clock.advance(29 * DAY);
  t.match(await svc.retention.runOnce('instance-0'), { erased: 0 });
  t.match(await svc.retention.counts(), { due: 0, waiting: 2, erased: 0 }, 'two terminal orders wait');

  // Past it: two instances (each with its own vault cache) race over the due-list, one order per claim.
  clock.advance(2 * DAY);
  t.match(await svc.retention.counts(), { due: 2, waiting: 0, erased: 0 });
  const instance = (batchSize: number) =>
    retentionService({
      store: svc.store,
      vault: sqlVault({ db: svc.db, masterKey: Buffer.alloc(32, 9) }),
      clock,
      due: retentionStore(svc.db),
      retentionDays: 30,
      batchSize,
    });
  const runs = await Promise.all([instance(1).runOnce('instance-a'), instance(1).runOnce('instance-b'), svc.retention.runOnce('instance-c')]);
  t.equal(runs.reduce((n, r) => n + r.erased, 0), 2, 'each terminal order erased exactly once across the instances');
  t.equal(runs.reduce((n, r) => n + r.failed, 0), 0);
  for (const orderId of [shippedId, cancelledId]) {
    const stream = await svc.store.readStream(orderStreamId(orderId));
    t.equal(stream.filter((e) => e.type === 'BuyerDataErased').length, 1, `one BuyerDataErased on ${orderId}`);
  }
  t.equal((await svc.store.readStream(orderStreamId(openId))).filter((e) => e.type === 'BuyerDataErased').length, 0, 'the open order keeps its buyer data');
  t.match(await instance(10).runOnce('instance-d'), { erased: 0, skipped: 0 }, 'a later run finds nothing to do');

  // The key is gone: the sealed buyer data of the shipped order opens no more; the open order's still
  // does. (A fresh vault: an instance that did not shred it may keep the key cached for a minute.)
  const fresh = sqlVault({ db: svc.db, masterKey: Buffer.alloc(32, 9) });
  const sealedOf = async (orderId: string) => {
    const pulled = (await svc.store.readStream(orderStreamId(orderId))).filter((e) => e.type === 'OrderPulled').at(-1)!;
    return (pulled.data as { order: { personalData: string } }).order.personalData as Sealed;
  };
  await t.rejects(fresh.open(orderStreamId(shippedId), await sealedOf(shippedId)), SecretDestroyedError);
  await t.rejects(fresh.open(orderStreamId(cancelledId), await sealedOf(cancelledId)), SecretDestroyedError);
  t.match(JSON.parse(await fresh.open(orderStreamId(openId), await sealedOf(openId))), { buyer: { name: 'Perpetua Linwood' } });

  // The history stays readable; buyer fields read as erased; the detail says so.
  const stream = await svc.store.readStream(orderStreamId(shippedId));
  const erasedEvent = stream.find((e) => e.type === 'BuyerDataErased')!;
  t.match(erasedEvent.data, { orderId: shippedId, trigger: 'shipped', retentionDays: 30 });
  const history = await json(await call('GET', `/v1/orders/${shippedId}/history`));
  const entries = history.items as { type: string; data: { order?: { personalData: string | null } } }[];
  t.same(entries.map((e) => e.type), stream.map((e) => e.type), 'every event still listed');
  t.ok(entries.filter((e) => e.type === 'OrderPulled').every((e) => e.data.order!.personalData === '[erased]'), 'sealed fields read as erased');
  t.notMatch(JSON.stringify(entries), /Ottilie|Brandvold/, 'no buyer name anywhere');
  await svc.projections.caughtUp(['orders']);
  const detail = await json(await call('GET', `/v1/orders/${shippedId}`));
  t.match(detail.buyerData, { state: 'erased', erasedAt: erasedEvent.data && (erasedEvent.data as { erasedAt: string }).erasedAt });
  t.match((await json(await call('GET', `/v1/orders/${openId}`))).buyerData, { state: 'sealed', erasedAt: null });

  // The feed message of the erased order (its release, re-read) goes out without an address.
  const feed = await json(await call('GET', '/v1/warehouse/feed?limit=100'));
  const released = feed.messages.find((m: { type: string; order: { orderId: string } }) => m.type === 'FulfillmentOrderReleased' && m.order.orderId === shippedId);
  t.match(released.order.shipTo, { name: null, addressLine1: null, city: null, postalCode: null, phone: null, countryCode: 'US' });
  const openRelease = feed.messages.find((m: { type: string; order: { orderId: string } }) => m.type === 'FulfillmentOrderReleased' && m.order.orderId === openId);
  t.equal(openRelease.order.shipTo.name, 'Perpetua Linwood', 'the open order still carries its address');

  // A later pull of the erased order (the marketplace touched it) records it without sealing again.
  amazon.orders.update(shipped.orderId, (o) => void (o.lastUpdatedTime = new Date(clock.now().getTime() - 3 * MIN).toISOString()));
  amazon.orders.setStatus(shipped.orderId, 'SHIPPED');
  clock.advance(3 * MIN);
  const again = await svc.pulls.pullStore(storeId, 'manual');
  t.match(again, { ok: true });
  t.equal((again as { ordersChanged: number }).ordersChanged, 1, 'the erased order was recorded again');
  const repulled = (await svc.store.readStream(orderStreamId(shippedId))).filter((e) => e.type === 'OrderPulled').at(-1)!;
  const personal = (repulled.data as { order: { personalData: string | null } }).order.personalData;
  // Not sealed again — or, by an instance still caching the shredded key, sealed with a key that no longer exists.
  if (personal !== null) await t.rejects(sqlVault({ db: svc.db, masterKey: Buffer.alloc(32, 9) }).open(orderStreamId(shippedId), personal as Sealed), SecretDestroyedError);
  else t.pass('recorded without buyer data');

  // Status and metrics show the counts and the last run.
  t.match(await svc.retention.counts(), { due: 0, erased: 2, lastRun: { erased: 0 } });
  const metrics = await (await svc.call('GET', '/metrics')).text();
  t.match(metrics, /oms_retention_orders\{[^}]*state="erased"[^}]*\} 2/);
  const own = runs[2]!.erased;
  t.match(metrics, own ? new RegExp(`oms_buyer_data_erased_total\\{[^}]*\\} ${own}`) : /oms_buyer_data_erased_total\{[^}]*\} 0/, "this instance's own erasures counted");
});
