import { Kafka, logLevel } from 'kafkajs';
import t from 'tap';
import { json, startTestService, type TestService } from '../support/service.js';
import { findKafkaBrokers, uniqueTopic } from '../support/kafka.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;

type Message = { key: string; headers: Record<string, string>; value: { messageId: string; type: string; tenantId: string; order: { orderId: string; platformOrderId: string; lines: { sku: string; quantity: number }[]; shipTo: { name: string | null; countryCode: string | null } } } };

/** A real kafkajs consumer standing in for the WMS. */
const wms = async (t: { teardown: (fn: () => unknown) => void }, brokers: string[], topic: string) => {
  const kafka = new Kafka({ clientId: 'wms', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `wms-${topic}` });
  const received: Message[] = [];
  const admin = kafka.admin();
  await admin.connect();
  for (let i = 0; i < 100 && !(await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
  await admin.disconnect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({
        key: message.key!.toString(),
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        value: JSON.parse(message.value!.toString()),
      });
    },
  });
  t.teardown(() => consumer.disconnect());
  const until = async (predicate: (all: Message[]) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (predicate(received)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`WMS never received ${what}`);
  };
  return { received, until };
};

t.test('end to end: sandbox orders → pull → release → Kafka (and the HTTP feed), holds and cancellations', async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('handoff');
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc: TestService = await startTestService(t, { ...sandboxEnv(sandboxes), KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3' }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  for (const sku of ['WIDGET', 'GADGET']) await call('POST', '/v1/products', { sku, name: sku });
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] });
  const created = clock.now().getTime() - 30 * MIN;
  const six = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', buyerName: 'Imogen Wexley', items: [{ sellerSku: 'AMZ-6PK', quantity: 3 }] });
  const kit = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'KIT', quantity: 2 }] });
  const fba = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', fulfilledBy: 'AMAZON', items: [{ sellerSku: 'AMZ-6PK', quantity: 1 }] });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 3 });

  const consumer = await wms(t, brokers, topic);
  await consumer.until((all) => all.some((m) => m.value.order.platformOrderId === six.orderId), 'the released order');
  const released = consumer.received.find((m) => m.value.order.platformOrderId === six.orderId)!;
  t.match(released.value, { type: 'FulfillmentOrderReleased', tenantId: tenant.tenantId, order: { lines: [{ sku: 'WIDGET', quantity: 18 }] } }, 'factor 6 × 3');
  t.equal(released.key, released.value.order.orderId, 'keyed by order id');
  t.match(released.headers, { 'message-id': released.value.messageId, 'message-type': 'FulfillmentOrderReleased', 'schema-version': '1', 'tenant-id': tenant.tenantId });
  t.equal(released.value.order.shipTo.countryCode, 'US', 'the ship-to reaches the warehouse');

  const imported = await call('POST', `/v1/stores/${storeId}/mappings/import`, 'platform_sku,system_sku,quantity\nKIT,WIDGET,1\nKIT,GADGET,2\n', { 'content-type': 'text/csv' });
  t.equal(imported.status, 200);
  await consumer.until((all) => all.some((m) => m.value.order.platformOrderId === kit.orderId), 'the held order once mapped');
  t.match(consumer.received.find((m) => m.value.order.platformOrderId === kit.orderId)!.value.order.lines, [{ sku: 'WIDGET', quantity: 2 }, { sku: 'GADGET', quantity: 4 }], 'combination × 2');

  amazon.orders.cancel(six.orderId);
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersChanged: 1 });
  await consumer.until((all) => all.some((m) => m.value.type === 'FulfillmentOrderCancelled'), 'the cancellation');
  const forSix = consumer.received.filter((m) => m.value.order.platformOrderId === six.orderId).map((m) => m.value.type);
  t.same([...new Set(forSix)], ['FulfillmentOrderReleased', 'FulfillmentOrderCancelled'], 'release then cancellation, in order');
  t.notOk(consumer.received.some((m) => m.value.order.platformOrderId === fba.orderId), 'FBA never reaches the warehouse');

  const feed = await json(await call('GET', '/v1/warehouse/feed?limit=100'));
  const kafkaIds = [...new Set(consumer.received.map((m) => m.value.messageId))];
  t.same(feed.messages.map((m: { messageId: string }) => m.messageId), kafkaIds, 'the HTTP feed serves the same messages in the same order');
  t.notOk(JSON.stringify((await svc.store.readAll(null, { maxCount: 10_000 })).events).includes('Imogen Wexley'), 'the buyer name is sealed in the events');
  t.notOk(svc.logs().includes('Imogen Wexley'), 'and never logged');
});
