/**
 * bench:pipeline helper — the WMS stand-in, in its own process: creates the topic (before OMS
 * would, with the broker stamping each record's append time — LogAppendTime — so a record's
 * timestamp is when it was on the broker, not when the producer built it). Once asked ('consume',
 * after the run), it consumes the topic from the beginning and records, per record, the message
 * id, type, key and broker timestamp; it reports progress every half second and
 * everything when asked. Consuming after the run keeps the stand-in's CPU (~85 µs per order with
 * kafkajs, ~6 % of the 2-core machine's CPU during a run) off the cores the service and PostgreSQL
 * share, and the figures do not depend on it: they come from the broker's timestamps.
 */
import { Kafka, logLevel } from 'kafkajs';
import { helperInput, onParentClose, send, type TopicRecord } from './protocol.js';

const { brokers, topic, partitions } = helperInput<{ brokers: string[]; topic: string; partitions: number }>();

const kafka = new Kafka({ clientId: 'bench-pipeline-wms', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }],
});
await admin.disconnect();

/** The topic's timestamp type now: a broker replaced mid-run would have a topic recreated by OMS with CreateTime. */
const timestampType = async () => {
  const client = kafka.admin();
  await client.connect();
  try {
    const described = await client.describeConfigs({ includeSynonyms: false, resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['message.timestamp.type'] }] });
    return described.resources[0]?.configEntries[0]?.configValue ?? 'unknown';
  } finally {
    await client.disconnect();
  }
};

const records: TopicRecord[] = [];
const releases = new Set<string>();
const header = (h: Record<string, unknown> | undefined, name: string) => String(h?.[name] ?? '');

const consumer = kafka.consumer({ groupId: `${topic}-wms`, maxBytes: 50 * 1024 * 1024 });
if ((await timestampType()) !== 'LogAppendTime') throw new Error(`topic ${topic} was not created with LogAppendTime`);

let consuming = false;
let progress: NodeJS.Timeout | undefined;
const consume = async () => {
  consuming = true;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const messageId = header(m.headers, 'message-id');
        const type = header(m.headers, 'message-type');
        records.push([messageId, type, m.key?.toString() ?? '', Number(m.timestamp)]);
        if (type === 'FulfillmentOrderReleased') releases.add(messageId);
      }
    },
  });
  progress = setInterval(() => send({ type: 'progress', records: records.length, releases: releases.size }), 500);
};
process.on('message', (m: { type?: string }) => {
  if (m.type === 'consume' && !consuming) void consume();
  if (m.type === 'report') void timestampType().then((type) => send({ type: 'report', records, timestampType: type }));
});
onParentClose(async () => {
  clearInterval(progress);
  await consumer.disconnect().catch(() => undefined);
});
send({ type: 'topic-ready' });
