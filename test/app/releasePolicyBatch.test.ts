// The release policy decides a batch of orders with shared reads and one multi-stream append.
// Shown here: a mapping that completes many held orders releases each exactly once, and when a
// pull appends to one of them between the policy's read and its append, the batch append is
// refused and every order is decided again on its own, the raced one on its newest version. And a
// page of new orders is decided from the batch itself, without reading their streams.
import t, { type Test } from 'tap';
import { orderLookups } from '../../src/adapters/readModels/orderLookups.js';
import { releasePolicy } from '../../src/application/releasePolicy.js';
import { mappingStreamId } from '../../src/domain/mapping/streams.js';
import type { AppendRequest, EventStore, RecordedEvent } from '../../src/domain/ports/eventStore.js';
import { startTestService, type TestService } from '../support/service.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;

const streamTypes = async (svc: TestService, orderId: string) => (await svc.store.readStream(orderStreamId(orderId))).map((e) => e.type);

/** A tenant with the product WIDGET and an Amazon NA authorization; its US store. */
const sellerWithAmazonUs = async (t: Test) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  return { clock, svc, call, amazon: sandboxes.amazon, storeId };
};

t.test('a batch of held orders released by one mapping; a racing pull sends the batch back to one-by-one', async (t) => {
  const { clock, svc, call, amazon, storeId } = await sellerWithAmazonUs(t);
  const created = clock.now().getTime() - 60 * MIN;
  for (let i = 0; i < 6; i++) {
    amazon.orders.add({ sellerId: amazon.sellers[0]!.sellerId, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'KIT', quantity: 1 + i }] });
  }
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 6 });
  await svc.projections.caughtUp(['orders']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
  const held = (await svc.db.query<{ order_id: string }>(`SELECT order_id FROM rm_orders WHERE store_id = $1 AND handoff_state = 'held' ORDER BY order_id`, [storeId])).rows.map((r) => r.order_id);
  t.equal(held.length, 6, 'the pulled page was held as a batch');

  // The service's own policy stops; a second one over a store that lets a pull slip in first.
  await svc.policyRunner.stop();
  await call('PUT', `/v1/stores/${storeId}/mappings/KIT`, { components: [{ sku: 'WIDGET', quantity: 2 }] });
  await svc.projections.caughtUp(['mappings', 'orders']);
  const raced = held[2]!;
  let batchAppends = 0;
  const racingStore: EventStore = {
    ...svc.store,
    appendMany: async (requests: readonly AppendRequest[]) => {
      // A batch append writes several orders; a single order's release appends its claim with it (two streams, one order).
      if (requests.filter((r) => r.streamId.startsWith('order-')).length < 2) return svc.store.appendMany(requests);
      if (batchAppends++ === 0) {
        // A re-pull of the raced order (same content, a new version) commits first.
        const [pulled] = await svc.store.readStream(orderStreamId(raced));
        await svc.store.append(orderStreamId(raced), [{ id: crypto.randomUUID(), type: 'OrderPulled', data: pulled!.data, metadata: { actor: 'test' } }], 1);
      }
      return svc.store.appendMany(requests);
    },
  };
  const policy = releasePolicy({ ...svc.appDeps, store: racingStore, orders: orderLookups(svc.db), ordersCaughtUp: () => svc.projections.caughtUp(['orders']) });
  const mappingSet = (await svc.store.readStream(mappingStreamId(storeId, 'KIT'))).at(-1);
  t.ok(mappingSet, 'the mapping event');
  await policy.reactBatch([mappingSet!]);
  t.equal(batchAppends, 1, 'one batch append was tried, and refused');

  for (const orderId of held) {
    const types = await streamTypes(svc, orderId);
    const expected = orderId === raced ? ['OrderPulled', 'OrderHeld', 'OrderPulled', 'FulfillmentOrderReleased'] : ['OrderPulled', 'OrderHeld', 'FulfillmentOrderReleased'];
    t.same(types, expected, orderId === raced ? 'the raced order, released on its newest version' : 'released once');
  }
  const release = (await svc.store.readStream(orderStreamId(raced))).at(-1)!;
  t.match(release.data, { orderVersion: 2, mappingVersions: { KIT: 1 } });

  // Deciding the same batch again changes nothing (decisions fold from the streams).
  await policy.reactBatch([mappingSet!]);
  for (const orderId of held) t.equal((await streamTypes(svc, orderId)).filter((x) => x === 'FulfillmentOrderReleased').length, 1);
});

// A page of new orders: each order's stream is its OrderPulled, which the batch holds — decided
// without reading the order streams. A repeated batch (a crash before the checkpoint) and an order
// re-pulled after the batch are decided again on the streams as they are.
t.test('new orders decided from the batch itself; a repeated batch and a newer version re-read their streams', async (t) => {
  const { clock, svc, call, amazon, storeId } = await sellerWithAmazonUs(t);
  await call('PUT', `/v1/stores/${storeId}/mappings/KIT`, { components: [{ sku: 'WIDGET', quantity: 2 }] });
  await svc.policyRunner.stop();
  const created = clock.now().getTime() - 60 * MIN;
  for (let i = 0; i < 6; i++) {
    amazon.orders.add({ sellerId: amazon.sellers[0]!.sellerId, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'KIT', quantity: 1 + i }] });
  }
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 6 });
  await svc.projections.caughtUp(['orders']);
  const orderIds = (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE store_id = $1 ORDER BY order_id', [storeId])).rows.map((r) => r.order_id);
  t.equal(orderIds.length, 6);
  const pulled = new Map<string, RecordedEvent>();
  for (const orderId of orderIds) pulled.set(orderId, (await svc.store.readStream(`order-${orderId}`))[0]!);

  const orderStreamsRead: string[] = [];
  const countingStore: EventStore = {
    ...svc.store,
    readStream: async (streamId, ...rest) => (streamId.startsWith('order-') && orderStreamsRead.push(streamId), svc.store.readStream(streamId, ...rest)),
    readStreams: async (streamIds) => (orderStreamsRead.push(...streamIds.filter((s) => s.startsWith('order-'))), svc.store.readStreams(streamIds)),
  };
  const policy = releasePolicy({ ...svc.appDeps, store: countingStore, orders: orderLookups(svc.db), ordersCaughtUp: () => svc.projections.caughtUp(['orders']) });
  const first = orderIds.slice(0, 5);
  const batch = first.map((id) => pulled.get(id)!);
  await policy.reactBatch(batch);
  t.same(orderStreamsRead, [], 'no order stream was read: the batch held each of them whole');
  const releasedCount = async (orderId: string) => (await streamTypes(svc, orderId)).filter((x) => x === 'FulfillmentOrderReleased').length;
  for (const orderId of first) t.equal(await releasedCount(orderId), 1, 'released once');

  await policy.reactBatch(batch);
  t.ok(orderStreamsRead.length > 0, 'the repeated batch was decided again on the streams read');
  for (const orderId of first) t.equal(await releasedCount(orderId), 1, 'a repeated batch releases nothing twice');

  // The last order is pulled again (same content, a new version) after the batch was read.
  const late = orderIds[5]!;
  await svc.store.append(`order-${late}`, [{ id: crypto.randomUUID(), type: 'OrderPulled', data: pulled.get(late)!.data, metadata: { actor: 'test' } }], 0);
  await policy.reactBatch([pulled.get(first[0]!)!, pulled.get(late)!]);
  t.same(await streamTypes(svc, late), ['OrderPulled', 'OrderPulled', 'FulfillmentOrderReleased'], 'decided once, on its newest version');
  t.match((await svc.store.readStream(`order-${late}`)).at(-1)!.data, { orderVersion: 2, mappingVersions: { KIT: 1 } });
  t.equal(await releasedCount(first[0]!), 1);
});
