/**
 * bench:handoff — messages/s from the event store to the Kafka broker through the warehouse feed
 * publisher (read, map to the contract, open the sealed ship-to, send, acknowledge, checkpoint),
 * and the p99 delay from the release event to the broker's acknowledgement; the baseline is a bare
 * producer on the same client (idempotent, acks from all replicas) sending the same number of
 * messages of the same size in batches of the same size, on the same broker in the same run.
 * BENCH_KAFKA_CLIENT=both compares kafkajs and @platformatic/kafka in BENCH_ROUNDS alternating rounds.
 */
import { randomUUID } from 'node:crypto';
import { kafkaFeedPublisher } from '../src/adapters/kafka/feedPublisher.js';
import { kafkaPort } from '../src/adapters/kafka/kafkaPort.js';
import { DEFAULT_KAFKA_CLIENT, KAFKA_CLIENT_KINDS, type KafkaClientKind } from '../src/adapters/kafka/port.js';
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
/** BENCH_KAFKA_CLIENT: kafkajs, platformatic (the service's default), or both (compared in alternating rounds). */
const CLIENT_CHOICE = process.env.BENCH_KAFKA_CLIENT ?? DEFAULT_KAFKA_CLIENT;
const CLIENTS: KafkaClientKind[] = CLIENT_CHOICE === 'both' ? [...KAFKA_CLIENT_KINDS] : KAFKA_CLIENT_KINDS.filter((c) => c === CLIENT_CHOICE);
if (CLIENTS.length === 0) throw new Error(`BENCH_KAFKA_CLIENT must be kafkajs, platformatic or both, not ${CLIENT_CHOICE}`);
/** BENCH_ROUNDS: runs per client (each over the whole backlog); default 1. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be a positive integer');

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

  const source = warehouseFeedSource({ store, vault });
  const log = createLogger({ level: 'warn' });

  /** The OMS feed over the whole backlog, from the start (a checkpoint and topic of its own), on `client`. */
  const runFeed = async (client: KafkaClientKind, label: string) => {
    const topic = `bench-handoff-${label}-${Date.now()}`;
    const latencies: number[] = [];
    const publisher = kafkaFeedPublisher({
      db,
      store,
      source,
      kafka: { brokers, topic, partitions: 6, replicationFactor: 1, client },
      log,
      name: `feed:kafka:bench-${label}`,
      maxBatch: BATCH,
      // From the release, or from this round's start for a backlog released before it (later
      // rounds would otherwise count the earlier rounds' time).
      onPublished: (ms, n) => {
        for (let k = 0; k < n; k++) latencies.push(Math.min(ms, Date.now() - startedAt));
      },
    });
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    await publisher.start();
    while (latencies.length < MESSAGES) await new Promise((r) => setTimeout(r, 20));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await publisher.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    return { rate: MESSAGES / seconds, p99: sorted[Math.floor(sorted.length * 0.99)]! };
  };

  // Baseline: the same number of messages of the same size, straight from a bare idempotent producer
  // (acks from all replicas) on `client`, through the same port the feed uses.
  const sample = JSON.stringify((await source.toMessages((await store.readStream(`order-${orders[0]}`))[1]!))[0]);
  const runBare = async (client: KafkaClientKind, label: string) => {
    const port = kafkaPort({ kind: client, brokers, clientId: 'bench', log });
    const topic = `bench-handoff-bare-${label}-${Date.now()}`;
    await port.ensureTopic({ topic, partitions: 6, replicationFactor: 1 }, log);
    const producer = await port.producer();
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < MESSAGES; i += BATCH) {
      await producer.send(topic, orders.slice(i, i + BATCH).map((id) => ({ key: id, value: sample, headers: {} })), 30_000);
    }
    const rate = MESSAGES / (Number(process.hrtime.bigint() - t1) / 1e9);
    await producer.close();
    return rate;
  };

  // Rounds alternate the clients (ABBA…) so the machine's load drifts over both alike.
  const results = new Map(CLIENTS.map((c) => [c, { feed: [] as number[], p99: [] as number[], bare: [] as number[] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? CLIENTS : [...CLIENTS].reverse();
    for (const client of order) {
      const feed = await runFeed(client, `${client}-${round}`);
      const bare = await runBare(client, `${client}-${round}`);
      const r = results.get(client)!;
      r.feed.push(feed.rate);
      r.p99.push(feed.p99);
      r.bare.push(bare);
      console.log(`round ${round + 1}/${ROUNDS} ${client}: feed ${Math.round(feed.rate)} msgs/s (p99 ${Math.round(feed.p99)} ms), bare producer ${Math.round(bare)} msgs/s`);
    }
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };

  printTable(`bench:handoff — ${MESSAGES.toLocaleString('en-US')} releases, batches of ${BATCH}, median of ${ROUNDS} round(s)`, [
    ...CLIENTS.flatMap((c): [string, number][] => [
      [`OMS feed on ${c}: event store → contract → Kafka ack → checkpoint`, median(results.get(c)!.feed)],
      [`bare ${c} idempotent producer, same messages`, median(results.get(c)!.bare)],
    ]),
  ], 'msgs/s');
  for (const c of CLIENTS) {
    const r = results.get(c)!;
    console.log(`${c}: ratio OMS ÷ bare producer ${(median(r.feed) / median(r.bare)).toFixed(2)}; p99 release → broker ack ${Math.round(median(r.p99))} ms (includes the backlog's queueing)`);
  }
  await db.close();

  emitResults(
    'handoff',
    CLIENTS.map((c) => {
      const r = results.get(c)!;
      return {
        name: c === DEFAULT_KAFKA_CLIENT ? 'handoff: event store → Kafka ack' : `handoff: event store → Kafka ack (${c})`,
        figure: median(r.feed),
        unit: 'msgs/s',
        baseline: median(r.bare),
        baselineUnit: `msgs/s (bare idempotent ${c} producer)`,
        notes: `${MESSAGES.toLocaleString('en-US')} releases, batches of ${BATCH}, median of ${ROUNDS}; p99 release → ack ${Math.round(median(r.p99))} ms (backlog queueing included)`,
      };
    }),
  );
});
