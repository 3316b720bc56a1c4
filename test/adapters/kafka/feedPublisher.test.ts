// The Kafka feed publisher against a real broker and a real PostgreSQL: what reaches the topic, in
// which order, and what it does with a message the contract refuses.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sqlEventStore, sqlCheckpointOrder } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { kafkaFeedPublisher } from '../../../src/adapters/kafka/feedPublisher.js';
import { sqlLease } from '../../../src/adapters/feed/lease.js';
import type { Checkpoint } from '../../../src/domain/ports/eventStore.js';
import type { FeedSource } from '../../../src/domain/warehouse/feedMessage.js';
import { findKafkaBrokers, kafkaUnavailableReason, testKafkaClient, uniqueTopic } from '../../support/kafka.js';
import { serverDatabase } from '../../support/postgres.js';
import {
  appendRounds,
  checkDelivery,
  expectedMessages,
  makeOrders,
  silent,
  startConsumer,
  testSource,
  untilReadable,
  waitFor,
  waitForTopic,
  type OrderEventData,
} from './fixtures/feed.js';

const unavailable = await kafkaUnavailableReason();

t.test('publishes every message once, keyed by order, in order per order; creates its topic', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('feed-basic');
  const orders = makeOrders(12, [randomUUID(), randomUUID()]);
  await appendRounds(store, orders, 4, { total: 8 });
  // Not part of the feed: another stream category, and an order event the mapping turns into nothing.
  await store.append(`thing-${randomUUID()}`, [{ id: randomUUID(), type: 'FulfillmentOrderReleased', data: {} }], 'no_stream');
  const noted = `order-${randomUUID()}`;
  await store.append(noted, [{ id: randomUUID(), type: 'OrderNoted', data: {} }], 'no_stream');
  await untilReadable(store, [noted]);

  const latencies: number[] = [];
  let hooked = 0;
  const publisher = kafkaFeedPublisher({
    db,
    store,
    source: testSource,
    kafka: { brokers, topic, partitions: 3, replicationFactor: 1, client: testKafkaClient() },
    log: silent,
    leaseMs: 2000,
    maxBatch: 7,
    brokerProbeMs: 500,
    onPublished: (latencyMs, count) => {
      latencies.push(latencyMs);
      hooked += count;
    },
  });
  t.teardown(() => publisher.stop());
  await publisher.start();

  t.equal(await waitForTopic(brokers, topic), 3, 'topic created with the configured partitions');
  const received = await startConsumer(t, brokers, topic);
  await appendRounds(store, orders, 4, { from: 4, total: 8 }); // while it runs: the live path
  const expected = await expectedMessages(store);
  t.equal(expected.length, 96);
  await waitFor('all messages', () => received.length >= expected.length);
  await waitFor('the checkpoint', async () => (await publisher.status()).lagMs === 0 && (await publisher.status()).published === 96);
  await new Promise((r) => setTimeout(r, 500)); // would-be duplicates have time to show up

  const report = checkDelivery(t, received, expected);
  t.equal(report.duplicates, 0, 'no duplicates without failures');
  const sample = JSON.parse(received[0]!.value);
  t.match(sample, { schemaVersion: 1, order: { lines: [{ source: { factor: 6 } }] } }, 'value is the contract JSON');

  const status = await publisher.status();
  t.match(status, { leader: true, brokerUp: true, published: 96, lastError: null, lagMs: 0, topic, name: 'feed:kafka:test' });
  t.ok(status.lastAckAt, 'time of the last ack');
  const head = await store.headCheckpoint();
  t.ok(sqlCheckpointOrder(status.checkpoint as Checkpoint, head) >= 0, 'checkpoint at the head (past the events without messages)');
  t.equal(hooked, 96, 'onPublished counted every message');
  t.ok(latencies.length === 96 && latencies.every((l) => l >= 0 && l < 60_000), 'one latency per event, recordedAt → ack');
  t.equal(publisher.stats().published, 96);

  await publisher.stop();
  const lease = await sqlLease({ db, name: publisher.name, holder: 'someone-else', ttlMs: 1000 }).current();
  t.equal(lease?.active, false, 'stop released the lease');
  t.equal((await publisher.status()).leader, false);
});

t.test('a backlog goes out in groups of ready batches (one checkpoint each), still in order per order across partitions', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('feed-groups');
  const orders = makeOrders(10);
  await appendRounds(store, orders, 6, { total: 6 });
  // The first batch's mapping waits until the two batches after it are mapped (read ahead), so the
  // first group is known to hold three batches whatever the machine's speed.
  const maxBatch = 5;
  let mappedElsewhere = 0;
  let firstEventId: string | null = null;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const source: FeedSource = {
    ...testSource,
    toMessages: async (e) => {
      firstEventId ??= e.id;
      if (e.id === firstEventId) await gate;
      else if (++mappedElsewhere === 2 * maxBatch) setTimeout(openGate, 50);
      return testSource.toMessages(e);
    },
  };
  // Checkpoint writes that moved past events (an idle feed also stores its position now and then).
  let advances = 0;
  const counted = { ...db, query: <Row,>(sql: string, params?: Parameters<typeof db.query>[1]) => {
    if (sql.includes('UPDATE projection_checkpoints') && Number(params?.[3]) > 0) advances++;
    return db.query<Row>(sql, params);
  } };
  const publisher = kafkaFeedPublisher({
    db: counted,
    store,
    source,
    kafka: { brokers, topic, partitions: 3, replicationFactor: 1, client: testKafkaClient() },
    log: silent,
    leaseMs: 5000,
    maxBatch,
    lookahead: 3,
    maxGroupEvents: 15,
  });
  t.teardown(() => publisher.stop());
  await publisher.start();
  await waitForTopic(brokers, topic);
  const received = await startConsumer(t, brokers, topic);
  const expected = await expectedMessages(store);
  t.equal(expected.length, 60);
  await waitFor('all messages', () => received.length >= expected.length);
  await waitFor('the checkpoint', async () => (await publisher.status()).lagMs === 0);
  const report = checkDelivery(t, received, expected);
  t.equal(report.duplicates, 0, 'no duplicates without failures');
  // Sixty events in batches of five: twelve sends and twelve checkpoint writes without grouping.
  const stats = publisher.stats();
  t.ok(advances < 12, `fewer checkpoint writes (${advances}) than the twelve batches: batches were grouped`);
  t.ok(stats.sends < 12, `fewer producer sends (${stats.sends}) than the twelve batches`);
});

t.test('a message the contract refuses stops the feed at its event, reported, until the mapping is fixed', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('feed-poison');
  const orders = makeOrders(3);
  await appendRounds(store, orders, 2, { total: 4 });
  const poisoned = orders[1]!;
  await store.append(poisoned.streamId, [{ id: randomUUID(), type: 'FulfillmentOrderUpdated', data: { ...(await store.readStream(poisoned.streamId))[1]!.data as OrderEventData, seq: 2, broken: true } }], 1);
  const poisonAt = (await store.readStream(poisoned.streamId))[2]!.checkpoint;
  await untilReadable(store, [poisoned.streamId]);
  let fixed = false;
  const source: FeedSource = {
    ...testSource,
    toMessages: (e) => testSource.toMessages(fixed ? { ...e, data: { ...(e.data as OrderEventData), broken: false } } : e),
  };
  const publisher = kafkaFeedPublisher({
    db,
    store,
    source,
    kafka: { brokers, topic, partitions: 2, replicationFactor: 1, client: testKafkaClient() },
    log: silent,
    leaseMs: 2000,
    maxBatch: 1,
    maxBackoffMs: 300,
  });
  t.teardown(() => publisher.stop());
  await publisher.start();
  await waitFor('the mapping error', async () => /contract/.test((await publisher.status()).lastError ?? ''));
  const stuck = await publisher.status();
  t.equal(stuck.published, 6, 'everything before the bad event was published');
  t.ok(sqlCheckpointOrder(stuck.checkpoint as Checkpoint, poisonAt) < 0, 'the checkpoint stays before the bad event: nothing skipped');
  t.match(stuck.lastError, /quantity must equal/, 'the contract violation is named');
  t.notMatch(stuck.lastError, /Jane|Main St/, 'and no buyer data is in it');

  fixed = true;
  await appendRounds(store, [orders[0]!], 2, { from: 2, total: 4 });
  const received = await startConsumer(t, brokers, topic);
  const expected = await expectedMessages(store, source);
  await waitFor('all messages once fixed', () => received.length >= 9);
  checkDelivery(t, received, expected);
  t.equal((await publisher.status()).lastError, null, 'the error clears once the feed moves again');
});

t.test('refuses a nonsensical configuration up front', async (t) => {
  const base = { db: {} as never, store: {} as never, source: testSource, log: silent };
  t.throws(() => kafkaFeedPublisher({ ...base, kafka: { brokers: [], topic: 't', partitions: 1, replicationFactor: 1 } }), /no brokers/);
  t.throws(() => kafkaFeedPublisher({ ...base, kafka: { brokers: ['x:1'], topic: 't', partitions: 0, replicationFactor: 1 } }), /partitions/);
  t.throws(() => kafkaFeedPublisher({ ...base, kafka: { brokers: ['x:1'], topic: 't', partitions: 1, replicationFactor: 1.5 } }), /replicationFactor/);
});
