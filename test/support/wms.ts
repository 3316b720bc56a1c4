import { Kafka, logLevel } from 'kafkajs';
import type { TestService } from './service.js';

export type ReleasedMessage = { type: string; order: { orderId: string; storeId: string; platformOrderId: string } };

/** A real kafkajs consumer standing in for the WMS: every message value received, and a wait for a condition on them. */
export const wmsConsumer = async (t: { teardown: (fn: () => unknown) => void }, brokers: string[], topic: string) => {
  const kafka = new Kafka({ clientId: 'wms', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  for (let i = 0; i < 100 && !(await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `wms-${topic}` });
  const received: ReleasedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void received.push(JSON.parse(message.value!.toString()) as ReleasedMessage) });
  t.teardown(() => consumer.disconnect());
  const until = async (predicate: (all: ReleasedMessage[]) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (predicate(received)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`WMS never received ${what}`);
  };
  return { received, until };
};

/** Everything decided so far is in the read model and acknowledged by the broker; the number of released orders. */
export const settledReleases = async (svc: TestService) => {
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
  const released = Number((await svc.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rm_orders WHERE released_at IS NOT NULL`)).rows[0]!.n);
  for (let i = 0; i < 300 && (await svc.feed!.status()).published < released; i++) await new Promise((r) => setTimeout(r, 100));
  return released;
};
