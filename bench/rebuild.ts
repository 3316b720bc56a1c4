/**
 * bench:rebuild — events/s of a rebuild of the `orders` projection from zero (projectionRunner with
 * only ordersProjection: rebuild + waitUntilCaughtUp, i.e. read every order event in order, decode
 * it, turn it into SQL, apply each batch and its checkpoint in one transaction).
 *
 * The backlog (BENCH_EVENTS, default 1,000,000) is generated with set-based SQL straight into
 * es_events / es_streams of the bench database — appending a million events through the store
 * would take longer than the rebuild itself and is measured by bench:append anyway. The rows are
 * what the application writes: 80 % OrderPulled (one new stream per order, ~1 KB of JSON, 1–3
 * lines, 8 stores, purchase dates over a year) and 20 % hand-off events on the first orders
 * (FulfillmentOrderReleased and OrderHeld, alternately), every one valid for the projection's decoders.
 *
 * Baselines, same run, same server:
 *  - raw COPY (the issue's): the rows the rebuild wrote, exported beforehand (not timed), loaded
 *    with COPY … FROM STDIN into an empty table of rm_orders' shape with only its primary key,
 *    then the same secondary indexes built as the rebuild builds them (2 at a time, same
 *    maintenance_work_mem) — the cost of loading the end state with no events, decoding or
 *    projection logic at all. Counted as the rebuild's 1,000,000 events over that time;
 *  - set-based SQL: the same end state computed by PostgreSQL alone from the events — one
 *    INSERT … SELECT extracting the OrderPulled JSON into a table with rm_orders' shape and
 *    indexes (CREATE TABLE … LIKE rm_orders INCLUDING ALL), then one UPDATE … FROM for the
 *    hand-off events: no client round trips, no decoding, no per-event statements.
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { sqlEventStore } from '../src/adapters/eventStore/sqlEventStore.js';
import { projectionRunner } from '../src/adapters/projections/projectionRunner.js';
import { migrate } from '../src/adapters/sql/migrate.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import { createLogger } from '../src/logger.js';
import { ordersProjection } from '../src/projections/orders.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { printTable, withBenchDatabase } from './support.js';
import { emitResults } from './results.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const FULFILLMENT = Math.floor(EVENTS / 5);
const ORDERS = EVENTS - FULFILLMENT;
const CHUNK = 100_000;
// Issue #17: a ratio to the same run's raw COPY (the machine's speed varies ~2× by day).
const FLOOR_RATIO = 0.7;

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const log = (message: string) => process.stderr.write(`${message}\n`);

/** Deterministic ids and times from the order number `i` (SQL expressions). */
const ORDER_ID = (i: string) => `md5('order' || ${i})::uuid::text`;
const STORE_ID = (i: string) => `md5('store' || (${i} % 8))::uuid::text`;
const ISO = (ts: string) => `to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const PURCHASED = (i: string) => `(timestamptz '2025-01-01T00:00:00Z' + ((${i} * 31) % 525600) * interval '1 minute')`;

const orderPulledSql = (from: number, to: number) => `
  INSERT INTO es_events (stream_id, stream_position, event_id, event_type, data, metadata, recorded_at)
  SELECT 'order-' || ${ORDER_ID('i')}, 0, md5('pulled' || i)::uuid, 'OrderPulled',
    jsonb_build_object(
      'orderId', ${ORDER_ID('i')}, 'tenantId', 'bench-tenant', 'storeId', ${STORE_ID('i')},
      'pullId', md5('pull' || (i / 1000))::uuid::text, 'contentHash', md5('content' || i), 'pulledAt', ${ISO(`${PURCHASED('i')} + interval '20 minutes'`)},
      'order', jsonb_build_object(
        'platform', CASE WHEN i % 4 = 0 THEN 'walmart' ELSE 'amazon' END,
        'marketplaceId', CASE WHEN i % 4 = 0 THEN 'WALMART_US' ELSE 'ATVPDKIKX0DER' END,
        'platformOrderId', '113-' || lpad((i % 10000000)::text, 7, '0') || '-' || lpad(((i * 7919) % 10000000)::text, 7, '0'),
        'createdAt', ${ISO(PURCHASED('i'))}, 'updatedAt', ${ISO(`${PURCHASED('i')} + interval '5 minutes'`)},
        'status', (ARRAY['unshipped','unshipped','unshipped','shipped','shipped','pending','partially_shipped','cancelled'])[1 + i % 8],
        'platformStatus', (ARRAY['Unshipped','Unshipped','Unshipped','Shipped','Shipped','Pending','PartiallyShipped','Canceled'])[1 + i % 8],
        'fulfillmentChannel', CASE WHEN i % 10 = 9 THEN 'marketplace' ELSE 'merchant' END,
        'shipBy', ${ISO(`${PURCHASED('i')} + interval '2 days'`)}, 'deliverBy', ${ISO(`${PURCHASED('i')} + interval '5 days'`)},
        'serviceLevel', 'Standard', 'shipToCountry', 'US', 'shipToRegion', (ARRAY['WA','CA','NY','TX','FL'])[1 + i % 5],
        'personalData', 'v1.' || md5('sealed' || i) || md5('sealed2' || i) || md5('sealed3' || i),
        'orderTotal', jsonb_build_object('amount', ((i % 200) + 9.99)::text, 'currency', 'USD'),
        'lines', (SELECT jsonb_agg(jsonb_build_object(
            'lineId', i::text || '-' || l, 'platformSku', 'SKU-' || ((i * 7 + l) % 500),
            'quantityOrdered', 1 + l % 3, 'quantityShipped', 0, 'quantityCancelled', 0, 'lineStatus', NULL,
            'unitPrice', jsonb_build_object('amount', '19.99', 'currency', 'USD'),
            'title', 'Bench product ' || ((i * 7 + l) % 500) || ' — a reasonably long marketplace listing title, as they are')
          ) FROM generate_series(1, 1 + i % 3) AS l))),
    jsonb_build_object('schemaVersion', 1, 'actor', 'system:scheduler', 'correlationId', md5('corr' || (i / 1000))::uuid::text),
    ${PURCHASED('i')} + interval '20 minutes'
  FROM generate_series(${from}::bigint, ${to - 1}) AS i`;

/** The hand-off event of order `i` (i < FULFILLMENT): released when even, held when odd. */
const fulfillmentSql = (from: number, to: number) => `
  INSERT INTO es_events (stream_id, stream_position, event_id, event_type, data, metadata, recorded_at)
  SELECT 'order-' || ${ORDER_ID('i')}, 1, md5('handoff' || i)::uuid,
    CASE WHEN i % 2 = 0 THEN 'FulfillmentOrderReleased' ELSE 'OrderHeld' END,
    CASE WHEN i % 2 = 0 THEN jsonb_build_object(
        'orderId', ${ORDER_ID('i')}, 'tenantId', 'bench-tenant', 'storeId', ${STORE_ID('i')},
        'lines', jsonb_build_array(jsonb_build_object('lineId', i::text || '-1:0', 'sku', 'WIDGET', 'quantity', 6,
          'source', jsonb_build_object('platformSku', 'SKU-' || ((i * 7 + 1) % 500), 'platformLineId', i::text || '-1', 'platformQuantity', 1, 'factor', 6, 'mappingVersion', 1))),
        'mappingVersions', jsonb_build_object('SKU-' || ((i * 7 + 1) % 500), 1), 'orderVersion', 1,
        'releasedAt', ${ISO(`${PURCHASED('i')} + interval '21 minutes'`)})
      ELSE jsonb_build_object(
        'orderId', ${ORDER_ID('i')}, 'tenantId', 'bench-tenant', 'storeId', ${STORE_ID('i')},
        'unmappedSkus', jsonb_build_array('SKU-' || ((i * 7 + 1) % 500)), 'heldSince', ${ISO(`${PURCHASED('i')} + interval '21 minutes'`)}, 'orderVersion', 1)
    END,
    jsonb_build_object('schemaVersion', 1, 'actor', 'system:release-policy'),
    ${PURCHASED('i')} + interval '21 minutes'
  FROM generate_series(${from}::bigint, ${to - 1}) AS i`;

const streamsSql = (from: number, to: number) => `
  INSERT INTO es_streams (stream_id, version, last_xid)
  SELECT 'order-' || ${ORDER_ID('i')}, CASE WHEN i < ${FULFILLMENT} THEN 1 ELSE 0 END, pg_current_xact_id()
  FROM generate_series(${from}::bigint, ${to - 1}) AS i`;

await withBenchDatabase('oms_bench_rebuild', async (url) => {
  const db = await postgresDatabase({ url, poolSize: 4 });
  await migrate(db);
  const raw = new pg.Pool({ connectionString: url, max: 2 });

  // 1. The backlog: pulled orders first (in chunks, one transaction each), then their hand-off events.
  let t0 = process.hrtime.bigint();
  for (let from = 0; from < ORDERS; from += CHUNK) {
    const to = Math.min(ORDERS, from + CHUNK);
    await raw.query(orderPulledSql(from, to));
    await raw.query(streamsSql(from, to));
  }
  for (let from = 0; from < FULFILLMENT; from += CHUNK) await raw.query(fulfillmentSql(from, Math.min(FULFILLMENT, from + CHUNK)));
  await raw.query('VACUUM ANALYZE es_events');
  await raw.query('VACUUM ANALYZE es_streams');
  const { rows: sizeRows } = await raw.query<{ n: string; bytes: string }>('SELECT count(*) AS n, avg(pg_column_size(data))::int AS bytes FROM es_events');
  log(`generated ${Number(sizeRows[0]!.n).toLocaleString('en-US')} events (data ${sizeRows[0]!.bytes} B on average) in ${seconds(t0).toFixed(1)} s`);

  // 2. OMS: rebuild the orders projection from zero and wait until it has applied everything.
  const runner = projectionRunner({ db, store: sqlEventStore(db), projections: [ordersProjection], log: createLogger({ level: 'warn' }) });
  t0 = process.hrtime.bigint();
  const meter = cpuMeter(raw);
  await runner.rebuild('orders');
  const status = await runner.waitUntilCaughtUp(3_600_000);
  const rebuildSeconds = seconds(t0);
  const rebuildCpu = await meter.stop();
  await runner.stop();
  const applied = status[0]!.eventsProcessed;
  if (status[0]!.status === 'failed' || applied !== EVENTS) throw new Error(`rebuild incomplete: ${JSON.stringify(status[0])}`);
  const oursRate = EVENTS / rebuildSeconds;
  log(`rebuild: ${applied.toLocaleString('en-US')} events in ${rebuildSeconds.toFixed(1)} s; ${describeCpu(rebuildCpu, EVENTS, 'event')}`);

  // 3. Baseline (raw COPY): the rows the rebuild wrote, exported (not timed), loaded into an empty
  //    table with the primary key only, then rm_orders' secondary indexes built, 2 at a time.
  const dump = join(os.tmpdir(), `oms-bench-rebuild-${process.pid}.copy`);
  const exporter = await raw.connect();
  try {
    await pipeline(exporter.query(copyTo('COPY rm_orders TO STDOUT')), createWriteStream(dump));
  } finally {
    exporter.release();
  }
  const { rows: secondary } = await raw.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'rm_orders' AND indexname <> 'rm_orders_pkey'`,
  );
  await raw.query('CREATE TABLE copy_orders (LIKE rm_orders INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)');
  await raw.query('ALTER TABLE copy_orders ADD PRIMARY KEY (order_id)');
  await raw.query('CHECKPOINT');
  t0 = process.hrtime.bigint();
  const copyMeter = cpuMeter(raw);
  const loader = await raw.connect();
  try {
    await pipeline(createReadStream(dump), loader.query(copyFrom('COPY copy_orders FROM STDIN')));
  } finally {
    loader.release();
  }
  const buildIndex = async (index: { indexname: string; indexdef: string }) => {
    const c = await raw.connect();
    try {
      await c.query(`SET maintenance_work_mem = '256MB'`);
      await c.query(index.indexdef.replace(index.indexname, `copy_${index.indexname}`).replace(/ ON (\S+\.)?rm_orders /, ' ON copy_orders '));
    } finally {
      c.release();
    }
  };
  const queue = [...secondary];
  await Promise.all([0, 1].map(async () => {
    for (let index = queue.shift(); index; index = queue.shift()) await buildIndex(index);
  }));
  const copySeconds = seconds(t0);
  const copyCpu = await copyMeter.stop();
  rmSync(dump, { force: true });
  const copyRate = EVENTS / copySeconds;
  log(`raw COPY baseline: ${ORDERS.toLocaleString('en-US')} rows and ${secondary.length} secondary indexes in ${copySeconds.toFixed(1)} s; ${describeCpu(copyCpu, EVENTS, 'event')}`);

  // 4. Baseline: the same end state by set-based SQL into a table of rm_orders' shape and indexes.
  await raw.query('CREATE TABLE baseline_orders (LIKE rm_orders INCLUDING ALL)');
  await raw.query('CHECKPOINT');
  t0 = process.hrtime.bigint();
  const client = await raw.connect();
  try {
    await client.query('BEGIN');
    await client.query(`
      INSERT INTO baseline_orders (order_id, tenant_id, store_id, platform, marketplace_id, platform_order_id, status, platform_status,
                                   fulfillment_channel, purchased_at, platform_updated_at, ship_by, service_level, ship_to_country,
                                   lines, content_hash, versions, first_pulled_at, last_pulled_at)
      SELECT d->>'orderId', d->>'tenantId', d->>'storeId', d->'order'->>'platform', d->'order'->>'marketplaceId', d->'order'->>'platformOrderId',
             d->'order'->>'status', d->'order'->>'platformStatus', d->'order'->>'fulfillmentChannel', (d->'order'->>'createdAt')::timestamptz,
             (d->'order'->>'updatedAt')::timestamptz, (d->'order'->>'shipBy')::timestamptz, d->'order'->>'serviceLevel', d->'order'->>'shipToCountry',
             d->'order'->'lines', d->>'contentHash', 1, (d->>'pulledAt')::timestamptz, (d->>'pulledAt')::timestamptz
        FROM (SELECT data AS d FROM es_events WHERE event_type = 'OrderPulled' ORDER BY transaction_id, global_position) e`);
    await client.query(`
      UPDATE baseline_orders o SET
             handoff_state = CASE WHEN e.event_type = 'OrderHeld' THEN 'held' ELSE 'released' END,
             hold_skus = CASE WHEN e.event_type = 'OrderHeld' THEN e.data->'unmappedSkus' ELSE '[]' END,
             held_since = (e.data->>'heldSince')::timestamptz,
             released_at = (e.data->>'releasedAt')::timestamptz,
             warehouse_lines = COALESCE((e.data->'lines')::jsonb, o.warehouse_lines),
             mapping_versions = COALESCE((e.data->'mappingVersions')::jsonb, o.mapping_versions),
             last_message_type = CASE WHEN e.event_type = 'OrderHeld' THEN o.last_message_type ELSE e.event_type END,
             last_message_at = CASE WHEN e.event_type = 'OrderHeld' THEN o.last_message_at ELSE (e.data->>'releasedAt')::timestamptz END
        FROM es_events e
       WHERE e.event_type IN ('FulfillmentOrderReleased', 'OrderHeld') AND o.order_id = e.data->>'orderId'`);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const baselineSeconds = seconds(t0);
  const baselineRate = EVENTS / baselineSeconds;
  log(`baseline: ${EVENTS.toLocaleString('en-US')} events in ${baselineSeconds.toFixed(1)} s`);

  // Both paths must have produced the same read model.
  const summary = (table: string) =>
    raw.query(`SELECT count(*)::int AS n, handoff_state, count(DISTINCT store_id)::int AS stores, sum(jsonb_array_length(lines))::int AS lines
                 FROM ${table} GROUP BY handoff_state ORDER BY handoff_state`).then((r) => JSON.stringify(r.rows));
  const [a, b, c] = await Promise.all([summary('rm_orders'), summary('baseline_orders'), summary('copy_orders')]);
  if (a !== b || a !== c) throw new Error(`read models differ:\n rm_orders       ${a}\n baseline_orders ${b}\n copy_orders     ${c}`);

  printTable(`bench:rebuild — orders projection from zero, ${EVENTS.toLocaleString('en-US')} events (${ORDERS.toLocaleString('en-US')} OrderPulled + ${FULFILLMENT.toLocaleString('en-US')} hand-off), ${ORDERS.toLocaleString('en-US')} rm_orders rows`, [
    ['OMS projectionRunner rebuild + waitUntilCaughtUp', oursRate],
    ['raw COPY of the same rows + the same indexes built', copyRate],
    ['set-based SQL baseline (INSERT … SELECT + UPDATE … FROM)', baselineRate],
  ]);
  console.log(`  (baseline as rows written: ${Math.round(ORDERS / baselineSeconds).toLocaleString('en-US')} rm_orders rows/s)`);
  const ratio = oursRate / baselineRate;
  console.log(`ratio OMS ÷ raw COPY: ${(oursRate / copyRate).toFixed(2)}; OMS ÷ set-based SQL: ${ratio.toFixed(2)}`);
  console.log(`floor ratio to raw COPY ≥ ${FLOOR_RATIO}: ${oursRate / copyRate >= FLOOR_RATIO ? 'OK' : 'BELOW FLOOR'}`);

  await raw.end();
  await db.close();

  emitResults('rebuild', [
    { name: 'rebuild: orders projection from zero', figure: oursRate, unit: 'events/s', baseline: copyRate, baselineUnit: 'events/s (raw COPY of the same rows + indexes)', floor: { of: 'ratio', atLeast: FLOOR_RATIO }, notes: `${EVENTS.toLocaleString('en-US')} events (80 % OrderPulled, 20 % hand-off) → ${ORDERS.toLocaleString('en-US')} rows; baseline COPY FROM STDIN of the rows the rebuild wrote, then the same ${secondary.length} secondary indexes` },
    { name: 'rebuild: vs set-based SQL', figure: oursRate, unit: 'events/s', baseline: baselineRate, baselineUnit: 'events/s (set-based SQL)', notes: `${EVENTS.toLocaleString('en-US')} events (80 % OrderPulled, 20 % hand-off); baseline INSERT … SELECT + UPDATE … FROM` },
  ]);
});
