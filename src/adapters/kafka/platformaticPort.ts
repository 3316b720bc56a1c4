import { Admin, Consumer, murmur2, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import type { FeedProducer, KafkaPort, KafkaPortOptions } from './port.js';

/**
 * The Kafka port on @platformatic/kafka 1.x (pure JavaScript, maintained): the default client
 * (KAFKA_CLIENT=platformatic); the comparison with kafkajs is in docs/platform.md.
 */

/**
 * kafkajs's DefaultPartitioner (and the Java client's): murmur2 of the key, sign bit cleared, modulo
 * the partition count (the client applies the modulo). @platformatic/kafka's own default uses
 * `>>> 0` instead, which sends about half of the keys to another partition: an order's messages
 * would then change partition when the client changes, and could overtake each other.
 */
const javaCompatiblePartitioner = (_message: unknown, key: Buffer | undefined): number => (Buffer.isBuffer(key) ? murmur2(key) & 0x7fffffff : 0);

const LEADERS_WAIT_MS = 30_000;

/** Any error in the chain (causes, aggregated errors) with this Kafka protocol error id? */
const hasProtocolError = (error: unknown, id: string, depth = 0): boolean => {
  const e = error as { apiId?: unknown; errors?: unknown; cause?: unknown } | null | undefined;
  if (!e || typeof e !== 'object' || depth > 8) return false;
  if (e.apiId === id) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => hasProtocolError(inner, id, depth + 1))) return true;
  return hasProtocolError(e.cause, id, depth + 1);
};

/** Close without waiting for requests in flight (the typings' overloads hide the promise of `close(true)`). */
const closeNow = (client: Readonly<{ close: (force: boolean, callback: (error?: Error | null) => void) => void }>) =>
  new Promise<void>((resolve, reject) => client.close(true, (error) => (error ? reject(error) : resolve())));

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const platformaticPort = (opts: KafkaPortOptions): KafkaPort => {
  const base = {
    clientId: opts.clientId,
    bootstrapBrokers: [...opts.brokers],
    connectTimeout: opts.connectionTimeoutMs ?? 3000,
    timeout: opts.requestTimeoutMs ?? 30_000,
    // Bounded, as with kafkajs: a call fails within seconds when the broker is away and the caller
    // decides what to do (the feed publisher backs off and resends from its checkpoint).
    retries: 4,
    retryDelay: 200,
  };

  /** Run `fn` with an admin client, always closing it (a fresh one per use: no stale state after outages). */
  const withAdmin = async <T>(fn: (admin: Admin) => Promise<T>): Promise<T> => {
    const admin = new Admin(base);
    try {
      return await fn(admin);
    } finally {
      await admin.close().catch(() => undefined);
    }
  };

  const producer = async (): Promise<FeedProducer> => {
    const p = new Producer({
      ...base,
      idempotent: true,
      acks: ProduceAcks.ALL,
      maxInflights: 1,
      autocreateTopics: false,
      serializers: stringSerializers,
      partitioner: javaCompatiblePartitioner,
      retries: 5,
      retryDelay: 300,
    });
    try {
      // The client connects lazily: take the producer id now, so an unreachable broker fails here.
      await p.initIdempotentProducer({});
    } catch (error) {
      await closeNow(p).catch(() => undefined);
      throw error;
    }
    return {
      // The request timeout is the client's `timeout` (requestTimeoutMs, the value callers pass here too).
      send: async (topic, records) => {
        await p.send({ messages: records.map((r) => ({ topic, key: r.key, value: r.value, headers: { ...r.headers } })) });
      },
      close: () => closeNow(p),
    };
  };

  return {
    kind: 'platformatic',
    ensureTopic: (spec, log) =>
      withAdmin(async (admin) => {
        let created = true;
        try {
          await admin.createTopics({ topics: [spec.topic], partitions: spec.partitions, replicas: spec.replicationFactor });
        } catch (error) {
          if (!hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
          created = false;
        }
        if (created) {
          // Wait for every partition's leader (kafkajs's waitForLeaders): a send right after the
          // creation would otherwise fail on a partition without one.
          const deadline = Date.now() + LEADERS_WAIT_MS;
          for (;;) {
            const metadata = await admin.metadata({ topics: [spec.topic], forceUpdate: true }).catch(() => null);
            const partitions = metadata?.topics.get(spec.topic)?.partitions ?? [];
            if (partitions.length === spec.partitions && partitions.every((p) => p.leader >= 0)) break;
            if (Date.now() > deadline) throw new Error(`Kafka topic ${spec.topic}: partition leaders not elected within ${LEADERS_WAIT_MS} ms`);
            await delay(100);
          }
          log.info({ topic: spec.topic, partitions: spec.partitions, replicationFactor: spec.replicationFactor }, 'created Kafka topic');
          return 'created';
        }
        const metadata = await admin.metadata({ topics: [spec.topic], forceUpdate: true });
        const partitions = metadata.topics.get(spec.topic)?.partitionsCount ?? 0;
        if (partitions !== spec.partitions) {
          log.warn({ topic: spec.topic, partitions, configured: spec.partitions }, 'Kafka topic exists with another partition count; left unchanged');
        }
        return 'exists';
      }),
    probe: async () => {
      await withAdmin((admin) => admin.metadata({ topics: [], forceUpdate: true }));
    },
    producer,
    runGroup: async ({ topic, groupId, sessionTimeoutMs, handle, onRunning, onError, signal }) => {
      const heartbeatInterval = Math.max(100, Math.min(3000, Math.floor(sessionTimeoutMs / 3)));
      const consumer = new Consumer({ ...base, groupId, sessionTimeout: sessionTimeoutMs, heartbeatInterval, autocommit: false });
      const onAbort = () => void closeNow(consumer).catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (signal.aborted) return;
        // A new group starts at the beginning of the topic; an existing one where it committed.
        const stream = await consumer.consume({
          topics: [topic],
          mode: 'committed',
          fallbackMode: 'earliest',
          autocommit: false,
          sessionTimeout: sessionTimeoutMs,
          heartbeatInterval,
        });
        onRunning();
        // One message at a time: the next is read only after the handler returned (the stream
        // pauses meanwhile). The client heartbeats on its own timer, so `heartbeat` has nothing to do.
        for await (const message of stream) {
          if (signal.aborted) break;
          await handle(
            { topic: message.topic, partition: message.partition, message: { offset: message.offset.toString(), value: message.value } },
            { commit: async () => void (await message.commit()), heartbeat: async () => undefined },
          );
        }
      } catch (error) {
        if (!signal.aborted) onError(error);
      } finally {
        signal.removeEventListener('abort', onAbort);
        await closeNow(consumer).catch(() => undefined);
      }
    },
  };
};
