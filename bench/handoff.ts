/**
 * bench:handoff — messages/s from the event store to the Kafka broker through the warehouse feed
 * publisher (read, map to the contract, open the sealed ship-to, send, acknowledge, checkpoint),
 * and the p99 delay from the release event to the broker's acknowledgement; the baseline is a bare
 * kafkajs producer (idempotent, acks from all replicas) sending the same number of messages of the
 * same size in batches of the same size, on the same broker in the same run.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { kafkaFeedPublisher } from '../src/adapters/kafka/feedPublisher.js';
import { migrate } from '../src/adapters/sql/migrate.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import { sqlEventStore } from '../src/adapters/eventStore/sqlEventStore.js';
import { sqlVault } from '../src/adapters/vault/sqlVault.js';
import { warehouseFeedSource } from '../src/application/warehouseFeed.js';
import { createLogger } from '../src/logger.js';
import { printTable, withBenchDatabase } from './support.js';
import { emitResults } from './results.js';
// @ts-expect-error — plain JavaScript script without types
import { startBroker } from '../scripts/kafka.mjs';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const BATCH = 200;

const brokers: string[] = process.env.KAFKA_BROKERS ? process.env.KAFKA_BROKERS.split(',') : (await startBroker()).brokers;

await withBenchDatabase('oms_bench_handoff', async (url) => {
  const db = await postgresDatabase({ url, poolSize: 8 });
  await migrate(db);
  const store = sqlEventStore(db);
  const vault = sqlVault({ db, masterKey: Buffer.alloc(32, 5) });
  const now = new Date().toISOString();

  // The backlog: orders pulled (buyer data sealed) and released, as the release policy writes them.
  const orders = Array.from({ length: MESSAGES }, () => randomUUID());
  const sealed = await vault.sealMany(orders.map((id) => ({ ownerId: `order-${id}`, plaintext: JSON.stringify({ shipTo: { name: 'Bench Buyer', addressLines: ['1 Main St'], city: 'Seattle', stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US', phone: null }, buyer: null }) })));
  for (let i = 0; i < MESSAGES; i += 500) {
    await store.appendMany(
      orders.slice(i, i + 500).map((orderId, j) => {
        const base = { orderId, tenantId: 'bench', storeId: 'bench-store' };
        const order = {
          platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', platformOrderId: `113-${i + j}`, createdAt: now, updatedAt: now, status: 'unshipped', platformStatus: 'UNSHIPPED',
          fulfillmentChannel: 'merchant', shipBy: now, deliverBy: null, serviceLevel: 'Standard', shipToCountry: 'US', shipToRegion: 'WA', personalData: sealed[i + j],
          lines: [{ lineId: 'L1', platformSku: 'AMZ-6PK', quantityOrdered: 2, quantityShipped: 0, quantityCancelled: 0, lineStatus: null, unitPrice: null, title: null }], orderTotal: null,
        };
        return {
          streamId: `order-${orderId}`,
          expected: 'no_stream' as const,
          events: [
            { id: randomUUID(), type: 'OrderPulled', data: { ...base, pullId: 'bench', contentHash: 'h', order, pulledAt: now }, metadata: { schemaVersion: 1 } },
            {
              id: randomUUID(),
              type: 'FulfillmentOrderReleased',
              data: { ...base, lines: [{ lineId: 'L1:0', sku: 'WIDGET', quantity: 12, source: { platformSku: 'AMZ-6PK', platformLineId: 'L1', platformQuantity: 2, factor: 6, mappingVersion: 1 } }], mappingVersions: { 'AMZ-6PK': 1 }, orderVersion: 1, releasedAt: new Date().toISOString() },
              metadata: { schemaVersion: 1 },
            },
          ],
        };
      }),
    );
  }

  const topic = `bench-handoff-${Date.now()}`;
  const latencies: number[] = [];
  const publisher = kafkaFeedPublisher({
    db,
    store,
    source: warehouseFeedSource({ store, vault }),
    kafka: { brokers, topic, partitions: 6, replicationFactor: 1 },
    log: createLogger({ level: 'warn' }),
    maxBatch: BATCH,
    onPublished: (ms, n) => {
      for (let k = 0; k < n; k++) latencies.push(ms);
    },
  });
  const t0 = process.hrtime.bigint();
  await publisher.start();
  while (latencies.length < MESSAGES) await new Promise((r) => setTimeout(r, 20));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await publisher.stop();
  const ours = MESSAGES / seconds;
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)]!;

  // Baseline: the same number of messages of the same size, straight from a bare producer.
  const sample = JSON.stringify((await warehouseFeedSource({ store, vault }).toMessages((await store.readStream(`order-${orders[0]}`))[1]!))[0]);
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${topic}-bare`, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i += BATCH) {
    await producer.send({ topic: `${topic}-bare`, acks: -1, messages: orders.slice(i, i + BATCH).map((id) => ({ key: id, value: sample })) });
  }
  const bare = MESSAGES / (Number(process.hrtime.bigint() - t1) / 1e9);
  await producer.disconnect();

  printTable(`bench:handoff — ${MESSAGES.toLocaleString('en-US')} releases, batches of ${BATCH}`, [
    ['OMS feed: event store → contract → Kafka ack → checkpoint', ours],
    ['bare kafkajs idempotent producer, same messages', bare],
  ], 'msgs/s');
  console.log(`ratio OMS ÷ bare producer: ${(ours / bare).toFixed(2)}; p99 release → broker ack: ${Math.round(p99)} ms (includes the backlog's queueing)`);
  await db.close();

  emitResults('handoff', [
    { name: 'handoff: event store → Kafka ack', figure: ours, unit: 'msgs/s', baseline: bare, baselineUnit: 'msgs/s (bare idempotent kafkajs producer)', notes: `${MESSAGES.toLocaleString('en-US')} releases, batches of ${BATCH}; p99 release → ack ${Math.round(p99)} ms (backlog queueing included)` },
  ]);
});
