// OMS SIGKILLed while its warehouse feed publishes a backlog of releases to Kafka, restarted: the
// new instance takes the feed lease over and finishes from the checkpoint. Every release reaches
// the broker; re-sent records are identical; per order the messages stay in event order.
import { Kafka, logLevel } from 'kafkajs';
import t from 'tap';
import { findKafkaBrokers, kafkaUnavailableReason, uniqueTopic } from '../support/kafka.js';
import {
  addWalmartOrders,
  checkInvariant,
  feedLagSeconds,
  freshDatabase,
  faultSandboxes,
  omsEnv,
  requestSync,
  seed,
  startOms,
  topicSize,
  waitFor,
  waitForQuiet,
  waitForSuccessAfter,
} from './fixtures/harness.js';

const unavailable = await kafkaUnavailableReason();

t.test('SIGKILL while publishing a backlog: restarted, every release reaches the broker', { timeout: 180_000, skip: unavailable ?? false }, async (t) => {
  const started = Date.now();
  const db = await freshDatabase(t);
  const sandboxes = await faultSandboxes(t);
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('fault-kill-publish');

  // A backlog: orders pulled and released while this instance has no Kafka configured.
  const withoutKafka = omsEnv({ databaseUrl: db.url, sandboxes });
  const first = await startOms(t, withoutKafka);
  const seeded = await seed(first.url, sandboxes);
  const initial = await waitForSuccessAfter(first.url, seeded, null, 60_000);
  addWalmartOrders(sandboxes, 4000);
  await requestSync(first.url, seeded);
  await waitForSuccessAfter(first.url, seeded, initial, 90_000);
  await waitForQuiet(first.url, db, 90_000);
  await first.stop();
  const [{ n: releases }] = await db.query(`SELECT count(*)::int AS n FROM es_events WHERE event_type = 'FulfillmentOrderReleased'`);
  t.ok(releases > 1500, `a backlog of ${releases} releases`);

  // The topic exists before the service starts, so a consumer can watch it from the first record.
  const kafka = new Kafka({ clientId: 'fault-watch', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const watcher = kafka.consumer({ groupId: `watch-${topic}` });
  await watcher.connect();
  t.teardown(() => watcher.disconnect().catch(() => undefined));
  await watcher.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await watcher.run({ eachBatch: async ({ batch }) => void (seen += batch.messages.length) });

  const env = omsEnv({ databaseUrl: db.url, sandboxes, brokers, topic });
  const second = await startOms(t, env);
  await waitFor('the feed to have published part of the backlog', () => seen >= 150, 60_000, 2);
  await second.kill();
  const onTopic = await topicSize(brokers, topic);
  t.ok(onTopic < releases, `killed mid-backlog: ${onTopic} of ${releases} records on the topic`);

  const third = await startOms(t, env);
  await waitFor('the restarted feed to drain the backlog', async () => (await topicSize(brokers, topic)) >= releases && (await feedLagSeconds(third.url)) === 0, 90_000, 200);
  await waitForQuiet(third.url, db, 60_000, true);
  await watcher.disconnect();
  await checkInvariant(t, { db, sandboxes, seeded, oms: third, env, kafka: { brokers, topic } });
  t.comment(`took ${Math.round((Date.now() - started) / 1000)} s`);
});
