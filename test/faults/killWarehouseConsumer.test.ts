// SIGKILL between recording a warehouse message and committing its offset: the message is
// delivered again to the next consumer of the group, which records nothing twice (de-dup on
// messageId) and commits it.
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import t from 'tap';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { warehouseEventConsumer } from '../../src/adapters/kafka/warehouseEventConsumer.js';
import { systemClock, uuidIds } from '../../src/adapters/system.js';
import type { AppDeps } from '../../src/application/context.js';
import { warehouseEvents } from '../../src/application/warehouseEvents.js';
import { findKafkaBrokers, kafkaUnavailableReason, testKafkaClient, uniqueTopic } from '../support/kafka.js';
import { serverDatabase } from '../support/postgres.js';
import { spawnTs } from '../support/process.js';
import { seedReleasedOrder, shipment } from '../support/warehouseOrders.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const unavailable = await kafkaUnavailableReason();

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

t.test('killed after recording, before committing: re-delivered, recorded once', { timeout: 180_000, skip: unavailable ?? false }, async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db);
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('warehouse-kill');
  const group = `oms-${topic}`;
  const orderId = await seedReleasedOrder(store, { tenantId: 'tenant-k', storeId: 'store-k' });
  const kafka = new Kafka({ clientId: 'test-wms', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const m = shipment('tenant-k', orderId, [{ lineId: 'L1:0', quantity: 12 }]);
  await producer.send({ topic, messages: [{ key: orderId, value: JSON.stringify(m) }] });

  const child = spawnTs('test/faults/fixtures/warehouseConsumerChild.ts', {
    env: { ...process.env, DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, KAFKA_BROKERS: brokers.join(','), TOPIC: topic, GROUP: group } as Record<string, string>,
  });
  t.teardown(() => void child.child.kill('SIGKILL'));
  const code = await child.exited;
  t.match(child.output(), /RECORDED 0/, `the child recorded the message, then died (${code ?? 'signal'})`);
  t.equal(child.child.signalCode, 'SIGKILL');
  const shipmentsAfterKill = (await store.readStream(orderStreamId(orderId))).filter((e) => e.type === 'WarehouseShipmentRecorded');
  t.equal(shipmentsAfterKill.length, 1, 'recorded before the kill');

  // The next consumer of the group (the dead member's session must expire first) gets it again.
  const outcomes: string[] = [];
  const next = warehouseEventConsumer({
    warehouseEvents: warehouseEvents({ store, ids: uuidIds, clock: systemClock } as unknown as AppDeps),
    kafka: { brokers, topic, groupId: group, partitions: 1, replicationFactor: 1, sessionTimeoutMs: 6000, client: testKafkaClient() },
    log: pino({ level: 'silent' }),
    onHandled: (outcome) => outcomes.push(outcome),
  });
  t.teardown(() => next.stop());
  await next.start();
  await waitFor('the re-delivery', () => outcomes.length >= 1, 90_000);
  t.same(outcomes, ['duplicate'], 're-delivered and recognised as a duplicate');
  const events = await store.readStream(orderStreamId(orderId));
  t.equal(events.filter((e) => e.type === 'WarehouseShipmentRecorded').length, 1, 'recorded once');

  // Committed now: a third consumer of the group has nothing to re-read.
  await next.stop();
  const offsets = await (async () => {
    const a = kafka.admin();
    await a.connect();
    try {
      return await a.fetchOffsets({ groupId: group, topics: [topic] });
    } finally {
      await a.disconnect();
    }
  })();
  t.equal(offsets[0]?.partitions[0]?.offset, '1', 'the offset is committed past the message');
});
