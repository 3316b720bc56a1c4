// A publisher process SIGKILLed while it works through a large backlog — once exactly between the
// broker's ack and the checkpoint write, once at an arbitrary moment — then a new publisher takes
// over when the dead one's lease expires: everything is delivered, in order per order, and every
// duplicate is the identical record with the same message-id.
import t from 'tap';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { kafkaFeedPublisher } from '../../../src/adapters/kafka/feedPublisher.js';
import { fencedCheckpoint } from '../../../src/adapters/feed/fencedCheckpoint.js';
import { sqlLease } from '../../../src/adapters/feed/lease.js';
import { findKafkaBrokers, kafkaUnavailableReason, testKafkaClient, uniqueTopic } from '../../support/kafka.js';
import { serverDatabase } from '../../support/postgres.js';
import { spawnTs, type Spawned } from '../../support/process.js';
import {
  appendRounds,
  checkDelivery,
  expectedMessages,
  makeOrders,
  silent,
  startConsumer,
  testSource,
  topicSize,
  waitFor,
} from './fixtures/feed.js';

const unavailable = await kafkaUnavailableReason();
const FEED = 'feed:kafka:test';
const LEASE_MS = 2000;

t.test('SIGKILLed mid-backlog and restarted: all delivered, duplicates identical', { timeout: 240_000, skip: unavailable ?? false }, async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('feed-crash');
  const orders = makeOrders(40);
  await appendRounds(store, orders, 50); // 2,000 events, each order spread over the whole backlog
  const expected = await expectedMessages(store);
  t.equal(expected.length, 2000);
  const checkpoint = fencedCheckpoint(db, FEED, { name: FEED, holder: '-' });
  const lease = sqlLease({ db, name: FEED, holder: '-', ttlMs: LEASE_MS });

  const children: Spawned[] = [];
  t.teardown(() => children.forEach((c) => c.child.kill('SIGKILL')));
  const spawnPublisher = (holder: string, extra: Record<string, string>) => {
    const proc = spawnTs('test/adapters/kafka/fixtures/publisherProcess.ts', {
      env: {
        ...(process.env as Record<string, string>),
        FEED_DB_URL: db.url,
        FEED_DB_SCHEMA: db.schema,
        FEED_BROKERS: brokers.join(','),
        FEED_TOPIC: topic,
        FEED_HOLDER: holder,
        FEED_LEASE_MS: String(LEASE_MS),
        ...extra,
      },
    });
    children.push(proc);
    return proc;
  };
  const kill = async (proc: Spawned) => {
    proc.child.kill('SIGKILL');
    await proc.exited;
  };

  // 1. Killed exactly after an ack and before its checkpoint: the worst moment.
  const first = spawnPublisher('crash-1', { FEED_PAUSE_AFTER: '500' });
  await waitFor('the first publisher to pause after an ack', () => proc1Paused(first), 90_000, 50);
  await kill(first);
  const onTopic1 = await topicSize(brokers, topic);
  const stored1 = (await checkpoint.read())!.eventsProcessed;
  t.ok(onTopic1 >= 500, `${onTopic1} messages acknowledged before the kill`);
  t.ok(stored1 < onTopic1, `checkpoint (${stored1} events) behind what the broker holds: that batch will be re-sent`);

  // 2. Killed at an arbitrary moment while it publishes (slowed a little so the kill lands mid-way).
  const second = spawnPublisher('crash-2', { FEED_THROTTLE_MS: '2' });
  await waitFor('the second publisher to take over and progress', async () => (await topicSize(brokers, topic)) >= onTopic1 + 300, 90_000, 20);
  await kill(second);
  const onTopic2 = await topicSize(brokers, topic);
  t.ok(onTopic2 < onTopic1 + 2000, `killed mid-backlog (${onTopic2} records on the topic)`);
  t.equal((await lease.current())?.holder, 'crash-2', 'the second took the lease after the first one expired');

  // 3. A new publisher waits out the dead holder's lease, then finishes from the checkpoint.
  const third = kafkaFeedPublisher({
    db,
    store,
    source: testSource,
    kafka: { brokers, topic, partitions: 3, replicationFactor: 1, client: testKafkaClient() },
    log: silent,
    holderId: 'restart-3',
    leaseMs: LEASE_MS,
    maxBatch: 50,
  });
  t.teardown(() => third.stop());
  const restartedAt = Date.now();
  await third.start();
  await waitFor('the backlog to drain', async () => {
    const s = await third.status();
    return s.leader && s.lagMs === 0 && s.published > 0;
  }, 90_000, 100);
  t.ok(Date.now() - restartedAt < 30_000, 'took over within a few lease periods');
  t.match(await lease.current(), { holder: 'restart-3', epoch: 3 }, 'three holders, epoch 3 (the fencing token)');

  const received = await startConsumer(t, brokers, topic);
  const total = await topicSize(brokers, topic);
  await waitFor('the whole topic', () => received.length >= total, 90_000);
  const report = checkDelivery(t, received, expected);
  t.ok(report.duplicates > 0, `re-sent after the kills: ${report.duplicates} duplicates, each identical with the same message-id`);
  t.equal((await checkpoint.read())!.eventsProcessed >= 2000, true, 'the checkpoint covers the whole backlog');
});

const proc1Paused = (proc: Spawned): boolean => {
  if (proc.child.exitCode !== null) throw new Error(`publisher exited early:\n${proc.output()}`);
  return /PAUSED-AFTER-ACK/.test(proc.output());
};
