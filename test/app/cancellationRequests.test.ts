// Buyer cancellation requests reach the warehouse (#15.4): Amazon cancellationRequest and Walmart
// intentToCancel, from the sandboxes over HTTP, through the release policy, out on a real Kafka
// topic and on the HTTP feed alike. A held order with a request is not released.
import { Kafka, logLevel } from 'kafkajs';
import t from 'tap';
import { FeedMessage } from '../../src/domain/warehouse/feedMessage.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { findKafkaBrokers, uniqueTopic } from '../support/kafka.js';
import { authorizeAmazon, authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;

type Received = { headers: Record<string, string>; value: FeedMessage };

/** A real kafkajs consumer standing in for the WMS. */
const wms = async (t: { teardown: (fn: () => unknown) => void }, brokers: string[], topic: string) => {
  const kafka = new Kafka({ clientId: 'wms', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  for (let i = 0; i < 100 && !(await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `wms-${topic}` });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) =>
      void received.push({
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        value: JSON.parse(message.value!.toString()) as FeedMessage,
      }),
  });
  t.teardown(() => consumer.disconnect());
  const until = async (predicate: (all: Received[]) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (predicate(received)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`WMS never received ${what}`);
  };
  return { received, until };
};

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
};

t.test('a buyer cancellation request after release reaches the warehouse once, on Kafka and the HTTP feed; a held order with one stays held', async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('cancel-requests');
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(
    t,
    { ...sandboxEnv(sandboxes), KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3', RETENTION_JOB: 'off' },
    { clock, timing: clock.timing },
  );
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  for (const sku of ['WIDGET', 'GADGET']) await call('POST', '/v1/products', { sku, name: sku });
  const { amazon, walmart } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const amazonAuth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const amazonStore = amazonAuth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  await call('PUT', `/v1/stores/${amazonStore}/mappings/AMZ-KIT`, { components: [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 2 }] });
  const created = clock.now().getTime() - 60 * MIN;
  const amazonOrder = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-KIT', quantity: 1 }] });
  const heldOrder = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-NEW', quantity: 1 }] });
  const walmartOrder = walmart.orders.add({ status: 'Acknowledged', createdAt: created, lines: [{ sku: 'WM-W', quantity: 2 }, { sku: 'WM-G', quantity: 1 }] });
  const walmartAuth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const walmartStore = walmartAuth.storeIds[0] as string;
  await call('PUT', `/v1/stores/${walmartStore}/mappings/WM-W`, { components: [{ sku: 'WIDGET', quantity: 1 }] });
  await call('PUT', `/v1/stores/${walmartStore}/mappings/WM-G`, { components: [{ sku: 'GADGET', quantity: 1 }] });
  clock.advance(3 * MIN);
  await settle(svc);
  t.match(await svc.pulls.pullStore(amazonStore, 'manual'), { ok: true, ordersNew: 2 });
  t.match(await svc.pulls.pullStore(walmartStore, 'manual'), { ok: true, ordersNew: 1 });
  await settle(svc);
  const consumer = await wms(t, brokers, topic);
  await consumer.until((all) => all.filter((m) => m.value.type === 'FulfillmentOrderReleased').length >= 2, 'both releases');

  // The buyers ask: the whole Amazon order (with a reason), one line of the Walmart order; and the held one.
  amazon.orders.requestCancellation(amazonOrder.orderId, 'BuyerCanceled');
  amazon.orders.requestCancellation(heldOrder.orderId);
  const walmartLines = walmartOrder.orderLines.orderLine;
  const askedLine = walmartLines.find((l) => l.item.sku === 'WM-W')!.lineNumber;
  walmart.orders.requestCancellation(walmartOrder.purchaseOrderId, { lineNumbers: [askedLine] });
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(amazonStore, 'manual'), { ok: true, ordersChanged: 2 });
  t.match(await svc.pulls.pullStore(walmartStore, 'manual'), { ok: true, ordersChanged: 1 });
  await settle(svc);

  const requests = () => consumer.received.filter((m) => m.value.type === 'FulfillmentOrderCancellationRequested');
  await consumer.until(() => requests().length >= 2, 'two cancellation requests');
  const amazonRequest = requests().find((m) => m.value.order.platformOrderId === amazonOrder.orderId)!;
  t.ok(FeedMessage.safeParse(amazonRequest.value).success, 'the message keeps the published contract');
  t.match(amazonRequest.headers, { 'message-type': 'FulfillmentOrderCancellationRequested', 'message-id': amazonRequest.value.messageId });
  const amazonItem = amazonOrder.orderItems[0]!.orderItemId;
  t.same(amazonRequest.value.cancellationRequest, { requestedBy: 'buyer', lines: [{ platformLineId: amazonItem, reason: 'BuyerCanceled' }] });
  t.same(
    amazonRequest.value.order.lines.map((l) => [l.sku, l.quantity, l.source.platformLineId]),
    [['WIDGET', 1, amazonItem], ['GADGET', 2, amazonItem]],
    'the warehouse lines of the combination the buyer asked to cancel',
  );
  const walmartRequest = requests().find((m) => m.value.order.platformOrderId === walmartOrder.purchaseOrderId)!;
  t.same(walmartRequest.value.cancellationRequest, { requestedBy: 'buyer', lines: [{ platformLineId: askedLine, reason: null }] }, 'Walmart gives no reason');
  t.same(walmartRequest.value.order.lines.map((l) => [l.sku, l.quantity]), [['WIDGET', 2]], 'only the line asked about');

  // The HTTP feed carries the same messages.
  const feed = await json(await call('GET', '/v1/warehouse/feed?limit=100'));
  const httpRequests = (feed.messages as FeedMessage[]).filter((m) => m.type === 'FulfillmentOrderCancellationRequested');
  t.same(httpRequests.map((m) => m.messageId).sort(), requests().map((m) => m.value.messageId).sort(), 'same messages on both feeds');
  t.same(httpRequests.find((m) => m.messageId === amazonRequest.value.messageId), amazonRequest.value, 'identical content');

  // The held order is held for the request too, and a mapping for its SKU does not release it.
  const heldId = (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [heldOrder.orderId])).rows[0]!.order_id;
  await call('PUT', `/v1/stores/${amazonStore}/mappings/AMZ-NEW`, { components: [{ sku: 'WIDGET', quantity: 1 }] });
  await settle(svc);
  const detail = await json(await call('GET', `/v1/orders/${heldId}`));
  t.equal(detail.handoff.state, 'held');
  t.same(detail.holdReasons.map((r: { code: string }) => r.code), ['cancellation_requested']);
  t.same(detail.holdReasons[0].platformLineIds, [heldOrder.orderItems[0]!.orderItemId]);

  // Pulled again (nothing new asked): no second message. Then Amazon cancels: the warehouse stops, the held order is dropped.
  amazon.orders.update(amazonOrder.orderId, (o) => void (o.orderItems[0]!.product.title = 'Kit (renamed)'));
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(amazonStore, 'manual'), { ok: true, ordersChanged: 1 });
  await settle(svc);
  amazon.orders.cancel(amazonOrder.orderId);
  amazon.orders.cancel(heldOrder.orderId);
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(amazonStore, 'manual'), { ok: true, ordersChanged: 2 });
  await settle(svc);
  await consumer.until((all) => all.some((m) => m.value.type === 'FulfillmentOrderCancelled' && m.value.order.platformOrderId === amazonOrder.orderId), 'the cancellation');
  t.equal(requests().filter((m) => m.value.order.platformOrderId === amazonOrder.orderId).length, 1, 'the request was sent once');
  t.equal((await json(await call('GET', `/v1/orders/${heldId}`))).handoff.state, 'dropped', 'the held order never went to the warehouse');
  t.notOk(consumer.received.some((m) => m.value.order.platformOrderId === heldOrder.orderId), 'nothing about it on the topic');
  const amazonId = amazonRequest.value.order.orderId;
  const history = (await svc.store.readStream(orderStreamId(amazonId))).map((e) => e.type);
  t.same(history.filter((type) => type !== 'OrderPulled'), ['FulfillmentOrderReleased', 'FulfillmentOrderCancellationRequested', 'FulfillmentOrderCancelled']);
});
