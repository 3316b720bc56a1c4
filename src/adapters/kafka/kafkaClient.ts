import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { TopicSpec } from './port.js';

export type KafkaClientOptions = Readonly<{
  brokers: readonly string[];
  clientId: string;
  log: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}>;

/**
 * A kafkajs client whose own log goes to pino at debug level: kafkajs logs every failed connection
 * attempt at ERROR, which during a broker outage would flood the log with what the caller already
 * reports once per retry (with back-off).
 */
export const kafkaClient = (opts: KafkaClientOptions): Kafka =>
  new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    // Bounded: a call fails within seconds when the broker is away, and the caller decides what to
    // do (the feed publisher backs off and resends from its checkpoint).
    retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, log }: LogEntry) => {
        const { message, ...rest } = log;
        opts.log.debug({ kafkajs: namespace, ...rest }, message);
      },
  });

/** Moved to the port (it knows both clients' errors); re-exported for existing imports. */
export { isBrokerUnreachable } from './port.js';

/** Run `fn` with a connected admin client, always disconnecting (a fresh one per use: no stale state after outages). */
export const withAdmin = async <T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> => {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};


/**
 * Create the topic if it is missing and wait for its partition leaders. An existing topic is left
 * as it is (partitions are never changed here: that would move keys between partitions); a
 * different partition count is logged.
 */
export const ensureTopic = async (kafka: Kafka, spec: TopicSpec, log: Logger): Promise<'created' | 'exists'> =>
  withAdmin(kafka, async (admin) => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      timeout: 30_000,
      topics: [{ topic: spec.topic, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor }],
    });
    if (created) {
      log.info({ topic: spec.topic, partitions: spec.partitions, replicationFactor: spec.replicationFactor }, 'created Kafka topic');
      return 'created';
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [spec.topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== spec.partitions) {
      log.warn({ topic: spec.topic, partitions, configured: spec.partitions }, 'Kafka topic exists with another partition count; left unchanged');
    }
    return 'exists';
  });
