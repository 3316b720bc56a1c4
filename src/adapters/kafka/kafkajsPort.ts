import { Partitioners } from 'kafkajs';
import { ensureTopic, kafkaClient, withAdmin } from './kafkaClient.js';
import type { FeedProducer, KafkaPort, KafkaPortOptions } from './port.js';

/** The Kafka port on kafkajs 2.2.4 (no release since 2023; KAFKA_CLIENT=kafkajs, see docs/platform.md). */
export const kafkajsPort = (opts: KafkaPortOptions): KafkaPort => {
  const kafka = kafkaClient(opts);

  const producer = async (): Promise<FeedProducer> => {
    const p = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs retries an idempotent producer's send forever by default: a send would then hang
      // through an outage (or loop on a deleted topic) out of the caller's sight and past its stop.
      // Bounded, a send fails within seconds; the feed publisher replaces the producer and re-sends.
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 },
    });
    try {
      await p.connect();
    } catch (error) {
      await p.disconnect().catch(() => undefined);
      throw error;
    }
    return {
      send: async (topic, records, timeoutMs) => {
        await p.send({ topic, messages: records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })), acks: -1, timeout: timeoutMs });
      },
      close: () => p.disconnect(),
    };
  };

  return {
    kind: 'kafkajs',
    ensureTopic: (spec, log) => ensureTopic(kafka, spec, log),
    probe: async () => {
      await withAdmin(kafka, (admin) => admin.describeCluster());
    },
    producer,
    runGroup: async ({ topic, groupId, sessionTimeoutMs, handle, onRunning, onError, signal }) => {
      const c = kafka.consumer({ groupId, sessionTimeout: sessionTimeoutMs, allowAutoTopicCreation: false });
      const ended = new Promise<void>((resolve) => {
        c.on(c.events.CRASH, (event) => {
          onError((event.payload as { error?: unknown }).error ?? new Error('crashed'));
          // kafkajs restarts itself after a retriable crash; otherwise this run ends.
          if (!(event.payload as { restart?: boolean }).restart) resolve();
        });
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      try {
        await c.connect();
        // A new group starts at the beginning of the topic.
        await c.subscribe({ topic, fromBeginning: true });
        await c.run({
          autoCommit: false,
          eachMessage: async ({ partition, message, heartbeat }) => {
            await handle(
              { topic, partition, message: { offset: message.offset, value: message.value } },
              {
                commit: () => c.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]),
                heartbeat,
              },
            );
          },
        });
        onRunning();
        await ended;
      } finally {
        await c.disconnect().catch(() => undefined);
      }
    },
  };
};
