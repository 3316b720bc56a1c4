// The Kafka port on both clients (kafkajs and @platformatic/kafka) against the real broker: topic
// creation, an idempotent produce, a group consume with manual commits (a restarted member resumes
// after the last commit), the same partition for a key whichever client sent it, and an unreachable
// broker reported as such.
import pino from 'pino';
import t from 'tap';
import { kafkaPort } from '../../../src/adapters/kafka/kafkaPort.js';
import { isBrokerUnreachable, KAFKA_CLIENT_KINDS, type ConsumedPayload, type KafkaClientKind, type KafkaPort } from '../../../src/adapters/kafka/port.js';
import { findKafkaBrokers, kafkaUnavailableReason, uniqueTopic } from '../../support/kafka.js';

// Skipped only without a broker (no KAFKA_BROKERS, no Java/Maven jars, no container runtime); the skip
// message is that reason. .ci/run starts a broker, so CI runs these.
const unavailable = await kafkaUnavailableReason();
const log = pino({ level: 'silent' });

type Seen = { partition: number; offset: string; key?: string; value: string };

/** Consume in `groupId` until `count` messages were handled (each committed unless `commitUpTo` says otherwise). */
const consume = async (port: KafkaPort, topic: string, groupId: string, count: number, commitUpTo = Number.POSITIVE_INFINITY): Promise<Seen[]> => {
  const seen: Seen[] = [];
  const controller = new AbortController();
  const errors: unknown[] = [];
  const timer = setTimeout(() => controller.abort(), 60_000);
  await port.runGroup({
    topic,
    groupId,
    sessionTimeoutMs: 10_000,
    signal: controller.signal,
    onRunning: () => undefined,
    onError: (error) => errors.push(error),
    handle: async ({ partition, message }: ConsumedPayload, { commit }) => {
      seen.push({ partition, offset: message.offset, value: message.value?.toString('utf8') ?? '' });
      if (seen.length <= commitUpTo) await commit();
      if (seen.length >= count) controller.abort();
    },
  });
  clearTimeout(timer);
  if (seen.length < count) throw new Error(`consumed ${seen.length} of ${count} messages in 60 s; errors: ${errors.map(String).join('; ')}`);
  return seen;
};

for (const kind of KAFKA_CLIENT_KINDS) {
  t.test(`${kind}: topic, produce, group consume with manual commits`, { timeout: 180_000, skip: unavailable ?? false }, async (t) => {
    const brokers = await findKafkaBrokers();
    const port = kafkaPort({ kind, brokers, clientId: `port-test-${kind}`, log });
    t.equal(port.kind, kind);
    const topic = uniqueTopic(`port-${kind}`);
    t.equal(await port.ensureTopic({ topic, partitions: 3, replicationFactor: 1 }, log), 'created');
    t.equal(await port.ensureTopic({ topic, partitions: 3, replicationFactor: 1 }, log), 'exists', 'an existing topic is left as it is');
    await port.probe();

    const producer = await port.producer();
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `order-${i % 7}`, value: JSON.stringify({ i }), headers: { 'message-id': `m-${i}` } }));
    await producer.send(topic, records.slice(0, 20), 10_000);
    await producer.send(topic, records.slice(20), 10_000);
    await producer.close();

    const group = `g-${topic}`;
    const first = await consume(port, topic, group, 30, 25);
    t.same(new Set(first.map((m) => (JSON.parse(m.value) as { i: number }).i)), new Set(records.map((_, i) => i)), 'every record, once');
    // Per key, in the order sent (one key = one partition).
    for (let key = 0; key < 7; key++) {
      const order = first.map((m) => (JSON.parse(m.value) as { i: number }).i).filter((i) => i % 7 === key);
      t.same(order, [...order].sort((a, b) => a - b), `key order-${key} in order`);
    }

    // 25 were committed; a new member of the group resumes after the commits of each partition.
    const committedPerPartition = new Map<number, bigint>();
    for (const m of first.slice(0, 25)) committedPerPartition.set(m.partition, BigInt(m.offset) + 1n);
    const expectedAgain = first.slice(25).filter((m) => BigInt(m.offset) >= (committedPerPartition.get(m.partition) ?? 0n));
    const again = await consume(port, topic, group, expectedAgain.length);
    t.same(
      again.map((m) => `${m.partition}/${m.offset}`).sort(),
      expectedAgain.map((m) => `${m.partition}/${m.offset}`).sort(),
      'only what was not committed is delivered again',
    );
  });
}

t.test('a key goes to the same partition whichever client sends it', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('port-partitions');
  const ports = Object.fromEntries(KAFKA_CLIENT_KINDS.map((kind) => [kind, kafkaPort({ kind, brokers, clientId: `port-test-${kind}`, log })])) as Record<KafkaClientKind, KafkaPort>;
  await ports.kafkajs.ensureTopic({ topic, partitions: 6, replicationFactor: 1 }, log);
  const keys = Array.from({ length: 40 }, (_, i) => `0f9c${i}-order-${i * 7919}`);
  for (const kind of KAFKA_CLIENT_KINDS) {
    const producer = await ports[kind].producer();
    await producer.send(topic, keys.map((key) => ({ key, value: JSON.stringify({ key, kind }), headers: {} })), 10_000);
    await producer.close();
  }
  const seen = await consume(ports.kafkajs, topic, `g-${topic}`, keys.length * 2);
  const partitionOf = new Map<string, Set<number>>();
  for (const m of seen) {
    const { key } = JSON.parse(m.value) as { key: string };
    partitionOf.set(key, (partitionOf.get(key) ?? new Set()).add(m.partition));
  }
  t.equal(partitionOf.size, keys.length);
  t.ok([...partitionOf.values()].every((partitions) => partitions.size === 1), 'one partition per key across clients');
  t.ok(new Set(seen.map((m) => m.partition)).size > 1, 'keys are spread over several partitions');
});

for (const kind of KAFKA_CLIENT_KINDS) {
  t.test(`${kind}: an unreachable broker fails fast and is recognised`, { timeout: 60_000 }, async (t) => {
    const port = kafkaPort({ kind, brokers: ['127.0.0.1:1'], clientId: 'port-test-down', log, connectionTimeoutMs: 500, requestTimeoutMs: 1000 });
    const started = Date.now();
    const error = await port.probe().then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(error, 'the probe fails');
    t.ok(isBrokerUnreachable(error), `recognised as unreachable (${String(error)})`);
    t.ok(Date.now() - started < 30_000, 'within seconds');
    const producerError = await port.producer().then(
      async (p) => {
        await p.close();
        return null;
      },
      (e: unknown) => e,
    );
    t.ok(isBrokerUnreachable(producerError), 'a producer cannot be had either');
  });
}

t.test('KAFKA_CLIENT: @platformatic/kafka by default, kafkajs on request, anything else refused by name', async (t) => {
  const { ConfigError, loadConfig } = await import('../../../src/config.js');
  const base = { KAFKA_BROKERS: 'k1:9092' };
  t.equal(loadConfig(base).kafka?.client, 'platformatic');
  t.equal(loadConfig(base).warehouseEvents?.client, 'platformatic');
  t.equal(loadConfig({ ...base, KAFKA_CLIENT: 'kafkajs' }).kafka?.client, 'kafkajs');
  t.equal(loadConfig({ ...base, KAFKA_CLIENT: '' }).kafka?.client, 'platformatic', 'empty counts as unset');
  const error = t.throws(() => loadConfig({ ...base, KAFKA_CLIENT: 'rdkafka' })) as Error;
  t.type(error, ConfigError);
  t.match(error.message, 'KAFKA_CLIENT');
  t.equal(kafkaPort({ brokers: ['k1:9092'], clientId: 'x', log }).kind, 'platformatic', 'the port defaults to the same client');
});
