/**
 * bench:append — events/s appended through the PostgreSQL event store the way a pull writes them
 * (transactions of 100 events, each event opening its own order stream, 4 concurrent writers,
 * ~1 KB JSON), against two baselines measured in the same run on the same server:
 *  - the raw ceiling: the same rows as multi-row INSERTs into a bare table (primary key only);
 *  - the peer a user would otherwise pick: @event-driven-io/emmett-postgresql, one append per stream.
 * Each scenario runs ROUNDS times, interleaved, and the median is reported.
 */
import { randomUUID } from 'node:crypto';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { sqlEventStore } from '../src/adapters/eventStore/sqlEventStore.js';
import { migrate } from '../src/adapters/sql/migrate.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import { printTable, median, withBenchDatabase } from './support.js';
import { emitResults } from './results.js';

const WRITERS = 4;
const PER_TX = 100;
const TX_PER_WRITER = Number(process.env.BENCH_TX_PER_WRITER ?? 50);
const PEER_EVENTS_PER_WRITER = Number(process.env.BENCH_PEER_EVENTS_PER_WRITER ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** ~1 KB of order-like JSON. */
const orderEvent = (i: number) => ({
  id: randomUUID(),
  type: 'OrderPulled',
  data: {
    platform: 'amazon',
    marketplaceId: 'ATVPDKIKX0DER',
    platformOrderId: `113-${String(i).padStart(7, '0')}-${Math.floor(Math.random() * 1e7)}`,
    status: 'Unshipped',
    purchasedAt: '2026-11-20T10:00:00.000Z',
    lines: Array.from({ length: 3 }, (_, l) => ({
      lineId: `${i}-${l}`,
      platformSku: `SKU-${(i * 7 + l) % 500}`,
      quantity: 1 + (l % 3),
      price: { amount: '19.99', currency: 'USD' },
    })),
    shipTo: { ciphertextRef: randomUUID(), city: 'Seattle', country: 'US' },
    note: 'x'.repeat(520),
  },
  metadata: { actor: 'system:scheduler', correlationId: randomUUID() },
});

const runWriters = async (writers: number, work: (writer: number) => Promise<number>) => {
  const started = process.hrtime.bigint();
  const counts = await Promise.all(Array.from({ length: writers }, (_, w) => work(w)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return counts.reduce((a, b) => a + b, 0) / seconds;
};

await withBenchDatabase('oms_bench_append', async (url) => {
  const db = await postgresDatabase({ url, poolSize: WRITERS + 2 });
  await migrate(db);
  const store = sqlEventStore(db);

  const raw = new pg.Pool({ connectionString: url, max: WRITERS + 2 });
  // Payloads typed as es_events' are (json since migration 170), so the ceiling stores the same thing.
  await raw.query(`CREATE TABLE raw_events (
    stream_id text NOT NULL, stream_position bigint NOT NULL, event_id uuid PRIMARY KEY,
    event_type text NOT NULL, data json NOT NULL, metadata json NOT NULL)`);

  // Our own pool for the peer, so the bench can close it (and ignore the drop of idle connections).
  const peerPool = new pg.Pool({ connectionString: url, max: WRITERS + 2 });
  peerPool.on('error', () => undefined);
  const peer = getPostgreSQLEventStore(url, {
    schema: { autoMigration: 'CreateOrUpdate' },
    connectionOptions: { pooled: true, pool: peerPool },
  });
  await peer.appendToStream(`warmup-${randomUUID()}`, [{ type: 'Warm', data: {} }]);

  const ours = () =>
    runWriters(WRITERS, async () => {
      for (let tx = 0; tx < TX_PER_WRITER; tx++) {
        await store.appendMany(
          Array.from({ length: PER_TX }, (_, i) => {
            const e = orderEvent(tx * PER_TX + i);
            return { streamId: `order-${randomUUID()}`, events: [e], expected: 'no_stream' as const };
          }),
        );
      }
      return TX_PER_WRITER * PER_TX;
    });

  const rawCeiling = () =>
    runWriters(WRITERS, async () => {
      for (let tx = 0; tx < TX_PER_WRITER; tx++) {
        const params: unknown[] = [];
        const values = Array.from({ length: PER_TX }, (_, i) => {
          const e = orderEvent(tx * PER_TX + i);
          params.push(`order-${randomUUID()}`, 0, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
          const b = i * 6;
          return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
        });
        await raw.query(
          `INSERT INTO raw_events (stream_id, stream_position, event_id, event_type, data, metadata) VALUES ${values.join(',')}`,
          params,
        );
      }
      return TX_PER_WRITER * PER_TX;
    });

  const emmett = () =>
    runWriters(WRITERS, async () => {
      for (let i = 0; i < PEER_EVENTS_PER_WRITER; i++) {
        const e = orderEvent(i);
        await peer.appendToStream(`order-${randomUUID()}`, [{ type: e.type, data: e.data, metadata: e.metadata }]);
      }
      return PEER_EVENTS_PER_WRITER;
    });

  const results = { ours: [] as number[], raw: [] as number[], peer: [] as number[] };
  await ours(); // warm-up: connections, plans, first pages
  for (let round = 1; round <= ROUNDS; round++) {
    results.raw.push(await rawCeiling());
    results.ours.push(await ours());
    results.peer.push(await emmett());
    process.stderr.write(`round ${round}/${ROUNDS} done\n`);
  }

  const oursRate = median(results.ours);
  const rawRate = median(results.raw);
  const peerRate = median(results.peer);
  printTable('bench:append — 4 writers, 100 events per transaction, one new stream per event, ~1 KB JSON', [
    ['OMS PostgreSQL event store (appendMany)', oursRate],
    ['raw multi-row INSERT ceiling (same rows)', rawRate],
    ['emmett-postgresql 0.42 (one append per stream)', peerRate],
  ]);
  const ceilingRatio = oursRate / rawRate;
  const peerRatio = oursRate / peerRate;
  console.log(`ratio to raw ceiling: ${ceilingRatio.toFixed(2)}  (floor 0.5) ${ceilingRatio >= 0.5 ? 'OK' : 'BELOW FLOOR'}`);
  console.log(`ratio to peer:        ${peerRatio.toFixed(1)}x  (floor 5x) ${peerRatio >= 5 ? 'OK' : 'BELOW FLOOR'}`);

  await peer.close();
  await peerPool.end().catch(() => undefined);
  await raw.end();
  await db.close();

  const scope = `4 writers, 100 events per transaction, ~1 KB JSON, median of ${ROUNDS} rounds`;
  emitResults('append', [
    { name: 'append: OMS event store (appendMany)', figure: oursRate, unit: 'events/s', baseline: rawRate, baselineUnit: 'events/s (raw multi-row INSERT)', floor: { of: 'ratio', atLeast: 0.5 }, notes: scope },
    { name: 'append: vs emmett-postgresql', figure: oursRate, unit: 'events/s', baseline: peerRate, baselineUnit: 'events/s (emmett, one append per stream)', floor: { of: 'ratio', atLeast: 5 }, notes: 'the peer a user would otherwise pick' },
  ]);
});
