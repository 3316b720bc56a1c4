/**
 * bench:api — requests/s and p50/p99 latency of GET /v1/orders (API key auth, filters, keyset
 * pages) against the real service (createService + app.listen on a free port) over a tenant with
 * BENCH_ORDERS (default 1,000,000) orders in rm_orders, at a fixed concurrency for a fixed duration.
 *
 * Baseline, same run, same machine, same load generator: a bare Fastify route returning a constant
 * ({ items: [], nextCursor: null }) — the ceiling of Node + HTTP on this machine.
 *
 * The rows are written with set-based SQL straight into rm_orders (8 stores, statuses and hand-off
 * states in realistic proportions, purchase dates over a year, 1–3 lines as jsonb). The indexes are
 * dropped for the load and recreated afterwards (same end state, minutes faster), then ANALYZE.
 *
 * Load generator: `autocannon` is not installed, so a small built-in one runs in a separate Node
 * process (so it neither shares the service's event loop nor counts in its RSS): CONCURRENCY
 * keep-alive connections, each issuing requests one after another, rotating through the same list of
 * URLs: WARMUP seconds unrecorded, then DURATION seconds recording each request's latency, on the same
 * connections in the same process (a fresh generator's first second — new connections, its own JIT —
 * would otherwise land in the tail). Both targets are measured with it.
 * The service's rate limit is raised (RATE_LIMIT_PER_MINUTE) so it does not answer 429s.
 */
import { spawn } from 'node:child_process';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createService } from '../src/service.js';
import { cpuMeter, describeCpu } from './cpu.js';
import { withBenchDatabase } from './support.js';
import { emitResults } from './results.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
// Issue #17: p99 as a ratio to the bare route's p99 in the same run (the machine's speed varies ~2× by day).
const P99_FLOOR_RATIO = 8;
const CHUNK = 200_000;

const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

type LoadResult = { requests: number; errors: number; seconds: number; latencies: number[]; firstError: string | null };

/** The load generator, run as `node -e` in its own process; its input in argv, its result as JSON on stdout. */
const LOADER = `
const http = require('node:http');
const { base, paths, headers, concurrency, warmupMs, durationMs } = JSON.parse(process.argv[1]);
const latencies = [];
let requests = 0, errors = 0, next = 0, firstError = null;
const started = Date.now();
const measureFrom = process.hrtime.bigint() + BigInt(warmupMs) * 1000000n;
const deadline = started + warmupMs + durationMs;
const one = (agent, path) => new Promise((resolve) => {
  const t0 = process.hrtime.bigint();
  const measured = t0 >= measureFrom;
  const req = http.get(base + path, { agent, headers }, (res) => {
    res.on('data', () => {});
    res.on('end', () => {
      if (measured) {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        requests++;
        if (res.statusCode !== 200) { errors++; firstError ??= 'HTTP ' + res.statusCode; }
      }
      resolve();
    });
  });
  req.on('error', (e) => { if (measured) { errors++; firstError ??= String(e); } resolve(); });
});
const connection = async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < deadline) await one(agent, paths[next++ % paths.length]);
  agent.destroy();
};
setTimeout(() => process.stdout.write('measuring\\n'), warmupMs);
Promise.all(Array.from({ length: concurrency }, connection)).then(() => {
  const seconds = Number(process.hrtime.bigint() - measureFrom) / 1e9;
  process.stdout.write(JSON.stringify({ requests, errors, seconds, latencies, firstError }) + '\\n');
});
`;

/**
 * One run of the load generator: `warmupS` on the same connections first (neither the target nor the
 * generator's own connections and JIT start cold in what is measured), then `durationS` measured;
 * `onMeasuring` runs when the measured part begins.
 */
const runLoad = (base: string, paths: string[], headers: Record<string, string>, warmupS: number, durationS: number, onMeasuring?: () => void): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const input = { base, paths, headers, concurrency: CONCURRENCY, warmupMs: warmupS * 1000, durationMs: durationS * 1000 };
    const child = spawn(process.execPath, ['-e', LOADER, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('measuring\n') && onMeasuring) {
        onMeasuring();
        onMeasuring = undefined;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice(out.indexOf('\n') + 1)) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const summarize = (r: LoadResult) => {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return { rps: r.requests / r.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: r.errors, requests: r.requests, firstError: r.firstError };
};

/** Peak RSS of this process (the service) while `fn` runs, sampled every 50 ms. */
const withPeakRss = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await fn();
    return [result, Math.max(peak, process.memoryUsage().rss)];
  } finally {
    clearInterval(timer);
  }
};

// RFC 4122 version-4 shape (the API validates store ids as UUIDs).
const STORE_ID = (i: string) => `overlay(overlay(md5('store' || (${i} % 8)) placing '4' from 13) placing '8' from 17)::uuid`;
const PURCHASED = (i: string) => `(timestamptz '2025-01-01T00:00:00Z' + ((${i} * 31) % 525600) * interval '1 minute' + (${i} % 60) * interval '1 second')`;
// none 40 %, released 35 %, held 10 %, marketplace 8 %, cancelled 5 %, dropped 2 %
const HANDOFF = (i: string) => `CASE WHEN ${i} % 100 < 40 THEN 'none' WHEN ${i} % 100 < 75 THEN 'released' WHEN ${i} % 100 < 85 THEN 'held'
  WHEN ${i} % 100 < 93 THEN 'marketplace' WHEN ${i} % 100 < 98 THEN 'cancelled' ELSE 'dropped' END`;

const ordersSql = (tenantId: string, from: number, to: number) => `
  INSERT INTO rm_orders (order_id, tenant_id, store_id, platform, marketplace_id, platform_order_id, status, platform_status,
    fulfillment_channel, purchased_at, platform_updated_at, ship_by, service_level, ship_to_country, lines, content_hash, versions,
    first_pulled_at, last_pulled_at, handoff_state, hold_skus, held_since, released_at, warehouse_lines, mapping_versions,
    last_message_type, last_message_at)
  SELECT overlay(overlay(md5('order' || i) placing '4' from 13) placing '8' from 17)::uuid::text, '${tenantId}', ${STORE_ID('i')}::text,
    CASE WHEN i % 4 = 0 THEN 'walmart' ELSE 'amazon' END, CASE WHEN i % 4 = 0 THEN 'WALMART_US' ELSE 'ATVPDKIKX0DER' END,
    '113-' || lpad((i % 10000000)::text, 7, '0') || '-' || lpad(((i * 7919) % 10000000)::text, 7, '0'),
    (ARRAY['unshipped','unshipped','unshipped','shipped','shipped','pending','partially_shipped','cancelled'])[1 + (i / 8) % 8],
    (ARRAY['Unshipped','Unshipped','Unshipped','Shipped','Shipped','Pending','PartiallyShipped','Canceled'])[1 + (i / 8) % 8],
    CASE WHEN i % 100 BETWEEN 85 AND 92 THEN 'marketplace' ELSE 'merchant' END,
    ${PURCHASED('i')}, ${PURCHASED('i')} + interval '5 minutes', ${PURCHASED('i')} + interval '2 days', 'Standard', 'US',
    (SELECT jsonb_agg(jsonb_build_object('lineId', i::text || '-' || l, 'platformSku', 'SKU-' || ((i * 7 + l) % 500),
        'quantityOrdered', 1 + l % 3, 'quantityShipped', 0, 'quantityCancelled', 0, 'lineStatus', NULL,
        'unitPrice', jsonb_build_object('amount', '19.99', 'currency', 'USD'), 'title', 'Bench product ' || ((i * 7 + l) % 500)))
       FROM generate_series(1, 1 + i % 3) AS l),
    md5('content' || i), 1, ${PURCHASED('i')} + interval '20 minutes', ${PURCHASED('i')} + interval '20 minutes',
    h.state,
    CASE WHEN h.state = 'held' THEN jsonb_build_array('SKU-' || ((i * 7 + 1) % 500)) ELSE '[]' END,
    CASE WHEN h.state = 'held' THEN ${PURCHASED('i')} + interval '21 minutes' END,
    CASE WHEN h.state IN ('released', 'cancelled') THEN ${PURCHASED('i')} + interval '21 minutes' END,
    CASE WHEN h.state IN ('released', 'cancelled') THEN jsonb_build_array(jsonb_build_object('lineId', i::text || '-1:0', 'sku', 'WIDGET', 'quantity', 6,
      'source', jsonb_build_object('platformSku', 'SKU-' || ((i * 7 + 1) % 500), 'platformLineId', i::text || '-1', 'platformQuantity', 1, 'factor', 6, 'mappingVersion', 1))) ELSE '[]' END,
    CASE WHEN h.state IN ('released', 'cancelled') THEN jsonb_build_object('SKU-' || ((i * 7 + 1) % 500), 1) ELSE '{}' END,
    CASE WHEN h.state = 'released' THEN 'FulfillmentOrderReleased' WHEN h.state = 'cancelled' THEN 'FulfillmentOrderCancelled' END,
    CASE WHEN h.state IN ('released', 'cancelled') THEN ${PURCHASED('i')} + interval '21 minutes' END
  FROM generate_series(${from}::bigint, ${to - 1}) AS i, LATERAL (SELECT ${HANDOFF('i')} AS state) h`;

await withBenchDatabase('oms_bench_api', async (url) => {
  const service = await createService(
    loadConfig({
      DATABASE_URL: url,
      OMS_ADMIN_TOKEN: 'bench-admin-token-0123456789',
      OMS_MASTER_KEY: Buffer.alloc(32, 4).toString('base64'),
      PULL_SCHEDULER: 'off',
      RATE_LIMIT_PER_MINUTE: '1000000',
    }),
    { logger: createLogger({ level: 'warn' }) },
  );
  await service.start();
  const tenant = await service.tenants.create('Bench', { actor: 'bench' });
  const { apiKey } = await service.tenants.issueKey(tenant.tenantId, 'bench', { actor: 'bench' });

  // 1. The read model: ORDERS rows for the tenant, indexes rebuilt after the load.
  const raw = new pg.Pool({ connectionString: url, max: 1 });
  const t0 = process.hrtime.bigint();
  const { rows: indexes } = await raw.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rm_orders' AND indexname <> 'rm_orders_pkey'`,
  );
  for (const ix of indexes) await raw.query(`DROP INDEX ${ix.indexname}`);
  for (let from = 0; from < ORDERS; from += CHUNK) await raw.query(ordersSql(tenant.tenantId, from, Math.min(ORDERS, from + CHUNK)));
  await raw.query('SET maintenance_work_mem = \'256MB\'');
  for (const ix of indexes) await raw.query(ix.indexdef);
  await raw.query('VACUUM ANALYZE rm_orders');
  // The load leaves gigabytes of dirty buffers: flush them now, not while the requests are timed.
  await raw.query('CHECKPOINT');
  log(`loaded ${ORDERS.toLocaleString('en-US')} orders (with ${indexes.length} secondary indexes) in ${seconds(t0).toFixed(1)} s`);

  // 2. The request mix: realistic filter sets, each with its first pages followed by keyset cursor.
  const { rows: stores } = await raw.query<{ store_id: string }>('SELECT DISTINCT store_id FROM rm_orders ORDER BY store_id');
  const s = stores.map((r) => r.store_id);
  const filterSets = [
    `storeId=${s[0]}&handoff=held`,
    `storeId=${s[1]}&handoff=released`,
    `storeId=${s[2]}&status=unshipped`,
    `status=unshipped`,
    `handoff=held`,
    `status=shipped&from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z`,
    `storeId=${s[3]}&status=unshipped&from=2025-06-01T00:00:00Z&to=2025-06-08T00:00:00Z`,
    `from=2025-09-01T00:00:00Z&to=2025-09-02T00:00:00Z`,
    `storeId=${s[4]}`,
    ``,
  ];
  const auth = { authorization: `Bearer ${apiKey}` };
  const paths: string[] = [];
  for (const filters of filterSets) {
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < 3; pageNo++) {
      const path: string = `/v1/orders?${filters}${filters ? '&' : ''}limit=50${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`;
      const res = await service.app.inject({ method: 'GET', url: path, headers: auth });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      const body = res.json<{ items: unknown[]; nextCursor: string | null }>();
      if (body.items.length === 0) throw new Error(`${path}: empty page (the data does not match the filter set)`);
      paths.push(path);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
  }
  log(`${paths.length} URLs in rotation (${filterSets.length} filter sets × up to 3 keyset pages)`);

  // 3. OMS: the real service on a free port.
  const omsBase = await service.app.listen({ host: '127.0.0.1', port: 0 });
  let meter: ReturnType<typeof cpuMeter> | undefined;
  const [omsLoad, peakRss] = await withPeakRss(() => runLoad(omsBase, paths, auth, WARMUP_S, DURATION_S, () => (meter = cpuMeter(raw))));
  const omsCpu = await meter!.stop();
  const oms = summarize(omsLoad);
  await service.stop();
  await raw.end();

  // 4. Baseline: a bare Fastify route returning a constant, same load generator, same URLs.
  const bare = Fastify({ logger: false });
  bare.get('/v1/orders', async () => ({ items: [], nextCursor: null }));
  const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });
  const baseline = summarize(await runLoad(bareBase, paths, auth, WARMUP_S, DURATION_S));
  await bare.close();

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const row = (name: string, r: ReturnType<typeof summarize>) =>
    console.log(`  ${name.padEnd(44)} ${Math.round(r.rps).toLocaleString('en-US').padStart(8)} req/s   p50 ${ms(r.p50).padStart(10)}   p99 ${ms(r.p99).padStart(10)}   errors ${r.errors}/${r.requests}${r.firstError ? ` (${r.firstError})` : ''}`);
  console.log(`\nbench:api — GET /v1/orders, ${ORDERS.toLocaleString('en-US')} orders for one tenant, ${CONCURRENCY} keep-alive connections, ${DURATION_S} s, limit 50`);
  row('OMS service (auth, filters, keyset pages)', oms);
  row('bare Fastify route returning a constant', baseline);
  console.log(`ratio OMS ÷ bare: throughput ${(oms.rps / baseline.rps).toFixed(3)}, p50 ${(oms.p50 / baseline.p50).toFixed(1)}x, p99 ${(oms.p99 / baseline.p99).toFixed(1)}x`);
  console.log(`p99 ≤ ${P99_FLOOR_RATIO}× the bare route's: ${oms.p99 / baseline.p99 <= P99_FLOOR_RATIO ? 'OK' : 'ABOVE TARGET'} (${ms(oms.p99)})`);
  console.log(`service peak RSS during the run: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`OMS ${describeCpu(omsCpu, oms.requests, 'request')}`);
  if (oms.errors || baseline.errors) process.exitCode = 1;

  const load = `${ORDERS.toLocaleString('en-US')} orders, ${CONCURRENCY} connections, ${DURATION_S} s`;
  emitResults('api', [
    { name: 'API: GET /v1/orders throughput', figure: oms.rps, unit: 'req/s', baseline: baseline.rps, baselineUnit: 'req/s (bare Fastify route)', notes: `${load}; errors ${oms.errors}/${oms.requests}; service peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB` },
    { name: 'API: GET /v1/orders p99', figure: oms.p99, unit: 'ms', baseline: baseline.p99, baselineUnit: 'ms (bare Fastify route)', floor: { of: 'ratio', atMost: P99_FLOOR_RATIO }, notes: `${load}; p50 ${oms.p50.toFixed(1)} ms` },
  ]);
});
