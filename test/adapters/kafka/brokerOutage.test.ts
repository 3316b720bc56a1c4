// The broker goes away for a while (a private broker, stopped and started again) while orders keep
// coming: the publisher keeps retrying without crashing, reports the broker down, never moves its
// checkpoint past what the broker acknowledged, and delivers everything, in order, once it is back.
import t from 'tap';
import { sqlCheckpointOrder, sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { kafkaFeedPublisher } from '../../../src/adapters/kafka/feedPublisher.js';
import { fencedCheckpoint } from '../../../src/adapters/feed/fencedCheckpoint.js';
import type { Checkpoint } from '../../../src/domain/ports/eventStore.js';
import { localBrokerUnavailableReason, privateBroker, testKafkaClient, uniqueTopic } from '../../support/kafka.js';
import { serverDatabase } from '../../support/postgres.js';
import { appendRounds, checkDelivery, expectedMessages, makeOrders, silent, startConsumer, testSource, waitFor } from './fixtures/feed.js';

const unavailable = await localBrokerUnavailableReason();

t.test('broker stopped and restarted: nothing lost, order kept, checkpoint never ahead of acks', { timeout: 240_000, skip: unavailable ?? false }, async (t) => {
  const broker = await privateBroker();
  t.teardown(() => broker.close());
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const topic = uniqueTopic('feed-outage');
  const orders = makeOrders(10);
  const ROUNDS = 12;
  await appendRounds(store, orders, 4, { total: ROUNDS });

  const publisher = kafkaFeedPublisher({
    db,
    store,
    source: testSource,
    kafka: { brokers: broker.brokers, topic, partitions: 3, replicationFactor: 1, requestTimeoutMs: 5000, client: testKafkaClient() },
    log: silent,
    leaseMs: 2000,
    maxBatch: 15,
    maxBackoffMs: 1000,
    brokerProbeMs: 300,
  });
  t.teardown(() => publisher.stop());
  await publisher.start();
  await waitFor('the first 40 messages', async () => {
    const s = await publisher.status();
    return s.lagMs === 0 && s.published === 40;
  });
  t.equal((await publisher.status()).brokerUp, true);

  await broker.stop();
  const checkpoints = fencedCheckpoint(db, publisher.name, { name: publisher.name, holder: '-' });
  const beforeOutage = (await checkpoints.read())!.checkpoint!;
  await appendRounds(store, orders, 4, { from: 4, total: ROUNDS }); // orders keep coming
  const firstDuringOutage = (await store.readStream(orders[0]!.streamId))[4]!.checkpoint;
  await waitFor('the publisher to notice', async () => (await publisher.status()).brokerUp === false, 30_000);
  // A send retries inside kafkajs for several seconds before it fails and the publisher backs off.
  await waitFor('a failed send to be reported', async () => (await publisher.status()).lastError !== null, 60_000, 200);
  await new Promise((r) => setTimeout(r, 2000)); // more failed attempts with back-off
  await appendRounds(store, orders, 2, { from: 8, total: ROUNDS });

  const during = await publisher.status();
  t.match(during, { leader: true, brokerUp: false, published: 40 }, 'still leading, broker down, nothing more acknowledged');
  t.ok(during.lastError, `the failure is reported: ${during.lastError}`);
  t.ok(during.lagMs > 0, 'lag grows');
  const stored = (await checkpoints.read())!.checkpoint as Checkpoint;
  t.ok(sqlCheckpointOrder(stored, firstDuringOutage) < 0, 'checkpoint stays before the first unacknowledged event');
  t.ok(sqlCheckpointOrder(stored, beforeOutage) >= 0, 'and did not move backwards');

  await broker.start();
  await appendRounds(store, orders, 2, { from: 10, total: ROUNDS });
  await waitFor('the backlog after the outage', async () => {
    const s = await publisher.status();
    return s.lagMs === 0 && s.brokerUp && s.published >= ROUNDS * orders.length;
  }, 120_000, 200);
  t.equal((await publisher.status()).lastError, null, 'error cleared');

  const received = await startConsumer(t, broker.brokers, topic);
  await waitFor('every message on the topic', () => received.length >= ROUNDS * orders.length, 60_000);
  await new Promise((r) => setTimeout(r, 500));
  const report = checkDelivery(t, received, await expectedMessages(store));
  t.comment(`duplicates after the outage: ${report.duplicates}`);
});

t.test('broker crashes (SIGKILL) in the middle of a backlog: all delivered after it restarts', { timeout: 240_000, skip: unavailable ?? false }, async (t) => {
  const broker = await privateBroker();
  t.teardown(() => broker.close());
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const topic = uniqueTopic('feed-broker-crash');
  const orders = makeOrders(30);
  await appendRounds(store, orders, 50); // 1,500 events
  const publisher = kafkaFeedPublisher({
    db,
    store,
    source: testSource,
    kafka: { brokers: broker.brokers, topic, partitions: 3, replicationFactor: 1, requestTimeoutMs: 5000, client: testKafkaClient() },
    log: silent,
    leaseMs: 2000,
    maxBatch: 20,
    maxBackoffMs: 1000,
    brokerProbeMs: 300,
    // A little slower than the broker, so the crash lands while the backlog is being sent.
    onPublished: () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1),
  });
  t.teardown(() => publisher.stop());
  await publisher.start();
  await waitFor('some progress', async () => (await publisher.status()).published >= 200, 60_000, 20);
  await broker.kill();
  const atCrash = (await publisher.status()).published;
  t.ok(atCrash < 1500, `crashed mid-backlog (${atCrash} acknowledged)`);
  await waitFor('the publisher to notice', async () => (await publisher.status()).brokerUp === false, 30_000);
  await broker.start();
  await waitFor('the rest of the backlog', async () => {
    const s = await publisher.status();
    return s.lagMs === 0 && s.brokerUp && s.published >= 1500;
  }, 120_000, 200);
  const received = await startConsumer(t, broker.brokers, topic);
  const expected = await expectedMessages(store);
  await waitFor('every message on the topic', () => new Set(received.map((r) => r.headers['message-id'])).size >= expected.length, 60_000);
  const report = checkDelivery(t, received, expected);
  t.comment(`duplicates after the crash: ${report.duplicates}`);
});
