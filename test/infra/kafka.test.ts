// Proves the Kafka test infrastructure is a real broker: topics, idempotent producer, consumer
// groups, headers, per-key order; and that a private broker can be stopped (or crash) and restart
// without losing acknowledged messages.
import t from 'tap';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Admin, Consumer, IHeaders, Producer } from 'kafkajs';
import {
  findKafkaBrokers,
  kafkaAnswers,
  kafkaUnavailableReason,
  localBrokerUnavailableReason,
  privateBroker,
  testLogCreator,
  uniqueTopic,
} from '../support/kafka.js';

// The subtest object type (`t` inside t.test callbacks), taken from tap's last t.test overload `(cb) => ...`.
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

interface Sent {
  key: string;
  value: string;
  headers: Record<string, string>;
}

function kafkaClient(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.ERROR,
    logCreator: testLogCreator,
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

const cleanupStacks = new WeakMap<Test, { what: string; close: () => Promise<unknown> }[]>();

/**
 * Registers `close` to run when the test ends, newest first (a client before the broker it talks
 * to), each bounded to 15 s so that a stuck client never hangs the test file.
 */
function closeOnTeardown(t: Test, what: string, close: () => Promise<unknown>): void {
  let stack = cleanupStacks.get(t);
  if (!stack) {
    const created: { what: string; close: () => Promise<unknown> }[] = [];
    stack = created;
    cleanupStacks.set(t, created);
    t.teardown(async () => {
      for (const item of created.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            process.stderr.write(`teardown: ${item.what} did not close within 15 s\n`);
            resolve();
          }, 15_000);
        });
        await Promise.race([item.close().catch(() => undefined), timeout]);
        clearTimeout(timer);
      }
    });
  }
  stack.push({ what, close });
}

async function createTopic(t: Test, admin: Admin, topic: string, numPartitions = 3): Promise<void> {
  const created = await admin.createTopics({
    waitForLeaders: true,
    timeout: 20_000,
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
  });
  t.equal(created, true, `topic ${topic} created`);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  t.equal(metadata.topics[0]?.partitions.length, numPartitions, `${numPartitions} partitions`);
}

function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Interleaved messages for several keys: per key, seq 0..perKey-1 in send order. */
function makeMessages(runId: string, keys: string[], perKey: number): Sent[] {
  const out: Sent[] = [];
  for (let seq = 0; seq < perKey; seq += 1) {
    for (const key of keys) {
      out.push({
        key,
        value: JSON.stringify({ key, seq, runId }),
        headers: { 'event-id': `${runId}:${key}:${seq}`, 'event-type': 'TestEvent', seq: String(seq) },
      });
    }
  }
  return out;
}

/** Sends each message with its own awaited request (no concurrent sends on an idempotent producer). */
async function sendInOrder(t: Test, producer: Producer, topic: string, messages: Sent[]): Promise<void> {
  for (const m of messages) {
    const [meta] = await producer.send({
      topic,
      acks: -1,
      timeout: 15_000,
      messages: [{ key: m.key, value: m.value, headers: m.headers }],
    });
    if (meta?.errorCode !== 0) t.fail(`send of ${m.headers['event-id']} answered error code ${meta?.errorCode}`);
  }
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => v.toString()).join(',') : value.toString();
  }
  return out;
}

/** Consumes the topic from the beginning with a fresh group until `count` messages arrived. */
async function consumeAll(
  t: Test,
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<Received[]> {
  const consumer: Consumer = kafka.consumer({
    groupId: `${topic}-reader-${Math.random().toString(36).slice(2, 8)}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  closeOnTeardown(t, `consumer of ${topic}`, () => consumer.disconnect());
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${received.length} of ${count} messages arrived within ${timeoutMs} ms`)),
      timeoutMs,
    );
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: headersToStrings(message.headers),
        });
        if (received.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await done;
  // Anything beyond `count` would be a duplicate: give it a moment to show up.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await consumer.disconnect();
  return received;
}

function canonical(headers: Record<string, string>): string {
  return JSON.stringify(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Every sent message arrived exactly once, intact, each key on one partition, in send order. */
function assertSameMessages(t: Test, sent: Sent[], received: Received[]): void {
  t.equal(received.length, sent.length, 'received as many messages as were sent (no loss, no duplicates)');
  const byId = new Map(received.map((r) => [r.headers['event-id'], r]));
  t.equal(byId.size, received.length, 'event ids are unique');
  let intact = 0;
  for (const s of sent) {
    const r = byId.get(s.headers['event-id']);
    if (r && r.key === s.key && r.value === s.value && canonical(r.headers) === canonical(s.headers)) {
      intact += 1;
    } else {
      t.fail(`message ${s.headers['event-id']} missing or altered`, { found: r, wanted: s });
    }
  }
  t.equal(intact, sent.length, 'keys, values and headers are intact');

  const keys = [...new Set(sent.map((s) => s.key))];
  for (const key of keys) {
    const wanted = sent.filter((s) => s.key === key).map((s) => s.headers.seq);
    const got = received.filter((r) => r.key === key);
    t.same(
      got.map((r) => r.headers.seq),
      wanted,
      `key ${key}: consumed in send order`,
    );
    t.equal(new Set(got.map((r) => r.partition)).size, 1, `key ${key}: all on one partition`);
    const offsets = got.map((r) => BigInt(r.offset));
    t.ok(
      offsets.every((o, i) => i === 0 || o > (offsets[i - 1] ?? -1n)),
      `key ${key}: offsets increase`,
    );
  }
}

// Skip (with the reason printed) only where no broker can exist at all; a broker that should start
// but does not is a failure.
const noKafka = await kafkaUnavailableReason();
const noLocalKafka = await localBrokerUnavailableReason();

t.test(
  'shared broker: idempotent producer to consumer keeps keys, values, headers and per-key order',
  { timeout: 150_000, skip: noKafka ? `kafka unavailable: ${noKafka}` : false },
  async (t) => {
    const brokers = await findKafkaBrokers();
    t.ok(brokers.length > 0, `brokers: ${brokers.join(',')}`);
    const kafka = kafkaClient(brokers, 'oms-infra-kafka-test');
    const topic = uniqueTopic('infra-roundtrip');

    const admin = kafka.admin();
    closeOnTeardown(t, 'admin', () => admin.disconnect());
    await admin.connect();
    const cluster = await admin.describeCluster();
    t.ok(cluster.clusterId, `cluster id ${cluster.clusterId}`);
    await createTopic(t, admin, topic, 3);
    closeOnTeardown(t, `delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic], timeout: 10_000 }));

    const keys = ['order-A', 'order-B', 'order-C', 'order-D', 'order-E'];
    const sent = makeMessages(topic, keys, 6);
    const producer = idempotentProducer(kafka);
    closeOnTeardown(t, 'producer', () => producer.disconnect());
    await producer.connect();
    await sendInOrder(t, producer, topic, sent);
    await producer.disconnect();

    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    t.equal(total, sent.length, 'high watermarks add up to the messages sent');
    t.ok(offsets.filter((p) => Number(p.high) > 0).length > 1, 'keys spread over more than one partition');

    const received = await consumeAll(t, kafka, topic, sent.length);
    assertSameMessages(t, sent, received);
  },
);

t.test(
  'private broker: stopped and restarted, then crashed and restarted, nothing acknowledged is lost',
  { timeout: 240_000, skip: noLocalKafka ? `no local Kafka: ${noLocalKafka}` : false },
  async (t) => {
    const broker = await privateBroker();
    closeOnTeardown(t, 'private broker', () => broker.close());
    t.not(broker.port, 19092, `private port ${broker.port}`);
    const topic = uniqueTopic('infra-restart');
    const keys = ['order-1', 'order-2', 'order-3'];

    // Phase 1: create the topic and produce, then a graceful stop.
    const before = kafkaClient(broker.brokers, 'oms-infra-restart-1');
    const admin1 = before.admin();
    closeOnTeardown(t, 'admin 1', () => admin1.disconnect());
    await admin1.connect();
    const clusterId = (await admin1.describeCluster()).clusterId;
    await createTopic(t, admin1, topic, 3);
    await admin1.disconnect();
    const firstBatch = makeMessages(`${topic}-a`, keys, 5);
    const producer1 = idempotentProducer(before);
    closeOnTeardown(t, 'producer 1', () => producer1.disconnect());
    await producer1.connect();
    await sendInOrder(t, producer1, topic, firstBatch);
    await producer1.disconnect();

    await broker.stop();
    t.equal(await kafkaAnswers(broker.brokers, 1500), false, 'broker is down after stop()');
    await broker.stop(); // stopping a stopped broker is a no-op

    // Phase 2: restart on the same data dir; everything is still there; produce more; then crash.
    await broker.start();
    const after = kafkaClient(broker.brokers, 'oms-infra-restart-2');
    const admin2 = after.admin();
    closeOnTeardown(t, 'admin 2', () => admin2.disconnect());
    await admin2.connect();
    t.equal((await admin2.describeCluster()).clusterId, clusterId, 'same cluster id after restart');
    await admin2.disconnect();
    assertSameMessages(t, firstBatch, await consumeAll(t, after, topic, firstBatch.length));

    const secondBatch = makeMessages(`${topic}-b`, keys, 3);
    const producer2 = idempotentProducer(after);
    closeOnTeardown(t, 'producer 2', () => producer2.disconnect());
    await producer2.connect();
    await sendInOrder(t, producer2, topic, secondBatch);
    await producer2.disconnect();

    await broker.kill();
    t.equal(await kafkaAnswers(broker.brokers, 1500), false, 'broker is down after kill()');

    // Phase 3: restart after the crash (log recovery); both batches are there, in order.
    await broker.start();
    const recovered = kafkaClient(broker.brokers, 'oms-infra-restart-3');
    const all = [...firstBatch, ...secondBatch];
    assertSameMessages(t, all, await consumeAll(t, recovered, topic, all.length));
  },
);
