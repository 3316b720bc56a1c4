// Warehouse events in over a real Kafka broker, consumed by the whole service (real PostgreSQL):
// poison messages (not JSON, outside the contract, refused) are recorded as rejected and skipped,
// the valid message after them is recorded, a re-sent messageId changes nothing, and no payload
// (buyer data included) ends up in the store. Offsets are committed: a restarted consumer in the
// same group does not see the handled messages again.
import { Kafka, logLevel } from 'kafkajs';
import t from 'tap';
import { findKafkaBrokers, kafkaUnavailableReason, uniqueTopic } from '../../support/kafka.js';
import { json, startTestService } from '../../support/service.js';
import { createTenant, seedStore } from '../../support/tenants.js';
import { seedReleasedOrder, shipment } from '../../support/warehouseOrders.js';

const unavailable = await kafkaUnavailableReason();

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

t.test('poison messages are recorded and skipped; the valid one after them is recorded once', { timeout: 180_000, skip: unavailable ?? false }, async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('warehouse-events');
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC: uniqueTopic('feed-unused'),
    KAFKA_TOPIC_PARTITIONS: '2',
    WAREHOUSE_EVENTS_TOPIC: topic,
    WAREHOUSE_EVENTS_GROUP: `oms-${topic}`,
  };
  const svc = await startTestService(t, env);
  const a = await createTenant(svc, 'Seller A');
  const storeId = await seedStore(svc, a.tenantId);
  const orderId = await seedReleasedOrder(svc.store, { tenantId: a.tenantId, storeId });

  const kafka = new Kafka({ clientId: 'test-wms', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await waitFor('the consumer to run', () => svc.warehouseConsumer!.status().running);

  const valid = shipment(a.tenantId, orderId, [{ lineId: 'L1:0', quantity: 12 }]);
  const refused = shipment(a.tenantId, orderId, [{ lineId: 'L2:0', quantity: 5 }]);
  // Outside the contract, and carrying what looks like buyer data: only its hash may be kept.
  const invalid = { ...shipment(a.tenantId, orderId, [{ lineId: 'L1:0', quantity: 1 }]), type: 'Delivered', shipTo: { name: 'Jane Buyer', addressLine1: '1 Secret Lane' } };
  const send = (value: string) => producer.send({ topic, messages: [{ key: orderId, value }] });
  await send('{not json Jane Buyer');
  await send(JSON.stringify(invalid));
  await send(JSON.stringify(refused));
  await send(JSON.stringify(valid));
  await send(JSON.stringify(valid));
  await waitFor('five messages handled', () => svc.warehouseConsumer!.status().handled >= 5);

  const stream = await svc.store.readStream(`order-${orderId}`);
  const shipments = stream.filter((e) => e.type === 'WarehouseShipmentRecorded');
  t.equal(shipments.length, 1, 'the valid shipment, recorded once');
  t.match(shipments[0]!.data, { messageId: valid.messageId, shipment: { lines: [{ lineId: 'L1:0', quantity: 12 }] } });

  const rejected = await json(await svc.call('GET', '/v1/warehouse/events/rejected', { token: a.apiKey }));
  t.same(
    rejected.items.map((r: { reason: string }) => r.reason),
    ['quantity_exceeds_released', 'invalid_message'],
    "the tenant's rejected messages, latest first",
  );
  t.match(rejected.items[0], { messageId: refused.messageId, orderId, messageType: 'ShipmentConfirmed', source: { topic }, payloadHash: /^[0-9a-f]{64}$/ });
  t.match(rejected.items[1].detail, /type/, 'the contract violation says where');
  const unknown = await svc.store.readStream('warehouse-rejections-unknown');
  t.match(unknown.map((e) => e.data), [{ reason: 'invalid_json', tenantId: null }], 'not JSON: no tenant to file it under');
  const everything = JSON.stringify([...stream, ...unknown, ...(await svc.store.readStream(`warehouse-rejections-${a.tenantId}`))]);
  t.notMatch(everything, /Jane Buyer|Secret Lane/, 'no payload stored, only its hash');
  t.equal((await json(await svc.call('GET', '/v1/warehouse/events/rejected', { token: (await createTenant(svc, 'B')).apiKey }))).items.length, 0, 'another tenant sees none');

  const metrics = await (await svc.call('GET', '/metrics')).text();
  for (const reason of ['invalid_json', 'invalid_message', 'quantity_exceeds_released']) {
    t.match(metrics, new RegExp(`oms_warehouse_messages_rejected_total\\{[^}]*reason="${reason}"[^}]*\\} 1`), reason);
  }
  t.match(metrics, /oms_warehouse_messages_total\{[^}]*source="kafka"[^}]*outcome="duplicate"[^}]*\} 1/);

  // Offsets were committed after each: a new consumer of the group starts after them.
  await svc.warehouseConsumer!.stop();
  await svc.warehouseConsumer!.start();
  const more = shipment(a.tenantId, orderId, [{ lineId: 'L2:0', quantity: 1 }]);
  await send(JSON.stringify(more));
  await waitFor('the next message', () => svc.warehouseConsumer!.status().handled >= 6);
  t.equal(svc.warehouseConsumer!.status().handled, 6, 'only the new message was delivered after the restart');
  const after = await svc.store.readStream(`order-${orderId}`);
  t.same(after.filter((e) => e.type === 'WarehouseShipmentRecorded').map((e) => (e.data as { messageId: string }).messageId), [valid.messageId, more.messageId]);
});
