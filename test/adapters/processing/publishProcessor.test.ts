// The runtime's publish sink against a real Kafka broker and a real PostgreSQL: the checkpoint moves
// only after the broker's ack, never for a holder that lost the lease, and a failure between the ack
// and the checkpoint sends the batch again with the same message ids. (A process killed at that
// point, with SIGKILL, is test/adapters/kafka/publisherCrash.test.ts and test/faults/killDuringPublish.test.ts.)
import t from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { kafkaPort } from '../../../src/adapters/kafka/kafkaPort.js';
import type { FeedProducer, KafkaRecord } from '../../../src/adapters/kafka/port.js';
import { loadCheckpoint } from '../../../src/adapters/processing/checkpoints.js';
import { eventProcessor } from '../../../src/adapters/processing/processor.js';
import { publishSink } from '../../../src/adapters/processing/publishSink.js';
import type { Checkpoint, RecordedEvent } from '../../../src/domain/ports/eventStore.js';
import type { Database } from '../../../src/domain/ports/sql.js';
import { findKafkaBrokers, kafkaUnavailableReason, testKafkaClient, uniqueTopic } from '../../support/kafka.js';
import { serverDatabase } from '../../support/postgres.js';
import { startConsumer, waitFor } from '../kafka/fixtures/feed.js';
import { appendThings, FILTER, until } from './fixtures/processors.js';

const silent = pino({ level: 'silent' });
const unavailable = await kafkaUnavailableReason();
const NAME = 'test:publish';

/** One message per event, its id the event's: what a consumer de-duplicates on. */
const recordOf = (e: RecordedEvent): KafkaRecord => ({ key: e.streamId, value: JSON.stringify({ id: e.id, data: e.data }), headers: { 'message-id': e.id } });

/** A real producer on a fresh topic, and a publishing processor whose `publish` runs `around` the send. */
const setUp = async (
  t: Parameters<typeof serverDatabase>[0],
  around: (send: () => Promise<void>, events: readonly RecordedEvent[], db: Database) => Promise<void>,
  lease?: Readonly<{ holder: string; ttlMs: number }>,
) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  const store = sqlEventStore(db, { pollIntervalMs: 50 });
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('publish-sink');
  const kafka = kafkaPort({ kind: testKafkaClient(), brokers, clientId: 'publish-sink-test', log: silent, requestTimeoutMs: 30_000 });
  let producer: FeedProducer | null = null;
  t.teardown(() => producer?.close());
  const processor = eventProcessor({
    name: NAME,
    store,
    filter: FILTER,
    log: silent,
    maxBatch: 5,
    backoff: { maxMs: 100 },
    ...(lease ? { lease: { db, ...lease } } : {}),
    sink: publishSink<KafkaRecord>({
      db,
      name: NAME,
      connect: async () => {
        await kafka.ensureTopic({ topic, partitions: 2, replicationFactor: 1 }, silent);
        producer ??= await kafka.producer();
      },
      messagesOf: async (events) => events.map((e) => [recordOf(e)]),
      publish: (events, messages) => around(() => producer!.send(topic, messages.flat(), 30_000), events, db),
      maxGroupEvents: 5,
    }),
  });
  t.teardown(() => processor.stop());
  return { db, store, brokers, topic, processor };
};

t.test('publish sink: the checkpoint moves only after the ack; a failed send moves nothing and goes again', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const seen: { before: Checkpoint | null; afterAck: Checkpoint | null }[] = [];
  let failed = false;
  const { db, store, brokers, topic, processor } = await setUp(t, async (send, _events, db) => {
    const before = await loadCheckpoint(db, NAME);
    if (!failed && seen.length === 1) {
      failed = true;
      throw Object.assign(new Error('send failed'), { code: 'ECONNRESET' });
    }
    await send();
    seen.push({ before, afterAck: await loadCheckpoint(db, NAME) });
  });
  await appendThings(store, 20);
  processor.start();
  await until('every batch stored', async () => processor.status().processed === 20);
  t.ok(failed, 'one send failed');
  t.ok(seen.length >= 4, `${seen.length} sends acknowledged`);
  t.ok(seen.every((s) => s.afterAck === s.before), 'when the broker acknowledged a batch, its checkpoint had not moved yet');
  t.equal(processor.status().lastErrorCode, null, 'the failure cleared once the batch went');
  const received = await startConsumer(t, brokers, topic);
  await waitFor('every message', () => received.length >= 20);
  t.equal(new Set(received.map((r) => r.headers['message-id'])).size, 20, 'every event published (the failed batch went again)');
  t.equal(received.length, 20, 'a send that failed before the broker had it duplicates nothing');
  t.equal(await loadCheckpoint(db, NAME), processor.status().checkpoint, 'the stored checkpoint is past the last batch');
});

t.test('publish sink: a holder that lost the lease sends, but never moves the checkpoint', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  let sends = 0;
  let storedWhenTaken: Checkpoint | null = null;
  const { db, store, processor } = await setUp(
    t,
    async (send, _events, db) => {
      await send();
      if (++sends !== 2) return;
      // After the second batch's ack, another instance takes the lease (a new epoch).
      storedWhenTaken = await loadCheckpoint(db, NAME);
      await db.query(`UPDATE leases SET holder = 'thief', epoch = epoch + 1, expires_at = now() + interval '1 hour' WHERE name = $1`, [NAME]);
    },
    { holder: 'one', ttlMs: 5_000 },
  );
  await appendThings(store, 20);
  processor.start();
  await until('the holder to stand by', () => processor.status().state === 'standby');
  t.equal(sends, 2, 'nothing more was sent once the lease was gone');
  t.not(storedWhenTaken, null, 'the first batch was stored');
  t.equal(await loadCheckpoint(db, NAME), storedWhenTaken, "the second batch's checkpoint was not stored: fenced by the lease epoch");
  t.equal(processor.status().leaseEpoch, null, 'no longer the holder');
});

t.test('publish sink: a failure between the ack and the checkpoint sends the batch again with the same message ids', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  let crashed: readonly string[] | null = null;
  const { store, brokers, topic, processor } = await setUp(t, async (send, events) => {
    await send();
    if (crashed === null) {
      crashed = events.map((e) => e.id);
      throw new Error('gone after the ack');
    }
  });
  await appendThings(store, 20);
  processor.start();
  await until('every batch stored', async () => processor.status().processed === 20);
  const received = await startConsumer(t, brokers, topic);
  await waitFor('every message and the repeats', () => received.length >= 20 + crashed!.length);
  const ids = received.map((r) => r.headers['message-id']!);
  t.equal(new Set(ids).size, 20, 'every event published');
  for (const id of crashed!) {
    const copies = received.filter((r) => r.headers['message-id'] === id);
    t.equal(copies.length, 2, 'the batch in hand at the failure went twice');
    t.equal(copies[0]!.value, copies[1]!.value, 'with the same id and content: a consumer de-duplicates it');
  }
  t.equal(received.length, 20 + crashed!.length, 'nothing else repeated');
});
