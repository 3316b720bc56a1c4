/**
 * bench:pipeline — the whole path under load: marketplace sandbox → pull → event store → read
 * models → release policy → warehouse feed → Kafka, with the real service (createService, the pull
 * scheduler on, the Kafka publisher on) over BENCH_ORDERS (default 100,000) Walmart orders spread
 * over BENCH_STORES (default 8) stores, so the scheduler pulls PULL_CONCURRENCY (default 4) stores
 * at once as in production.
 *
 * Walmart only: OMS keeps to Amazon's published searchOrders usage plan (a burst of 20 pages, then
 * one page per 180 s per authorization), so an Amazon account with more than ~2,000 orders would
 * measure Amazon's quota, not OMS.
 *
 * Figures:
 *  - orders/s: orders pulled ÷ (time of the last release on the broker − scheduler start);
 *  - per released order, the delay from its OrderPulled event's recorded time to the broker's
 *    append time of its release (the topic is created with LogAppendTime) → p50 / p99;
 *  - the service's peak RSS from the scheduler start to the last release: the kernel's high-water
 *    mark (VmHWM, reset at the start) of the service's own process. The service runs as `npm start`
 *    runs it — compiled JavaScript from dist/ (built first when stale), `npm start`'s node flags — in
 *    a child process (bench/pipeline/serviceHost.mjs); this process holds only the bench's control
 *    loop, and the sandbox, the baseline client and the consumer run in child processes of their own.
 * Baselines, same run: the sandbox's serving rate of the same orders to a plain HTTP client (same
 * concurrency), its page latency (for the delay), and the service's idle RSS before the pull. The
 * client reads the sandbox BENCH_BASELINE_RUNS times (default 3); rate and page p99 are the medians.
 * Checks: every sandbox order in rm_orders exactly once, every release event on the topic.
 * The delay is also split in its two legs (pull → release decided by the policy, decided → broker);
 * BENCH_TIMELINE=1 prints 40 samples of (pulled, decided, on the broker) over the run, to see where
 * a backlog builds up. PULL_MAX_BACKLOG overrides the pull's back-pressure for an experiment.
 * BENCH_STAGES=1 prints where the CPU goes per order, by stage, in node and PostgreSQL
 * (bench/pipelineStages.ts, run inside the service's process; the profile costs some throughput and
 * memory, so compare figures without it). BENCH_SERVICE_FLAGS replaces `npm start`'s node flags for
 * an experiment (e.g. BENCH_SERVICE_FLAGS='--max-semi-space-size=32' to see a flag's effect).
 * BENCH_IO=1 prints the relations that missed PostgreSQL's shared buffers most during the run (the
 * bench database's pg_statio counters, read before the bench's own checks) and their seq scans.
 */
import { randomUUID } from 'node:crypto';
import { sqlEventStore } from '../src/adapters/eventStore/sqlEventStore.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import type { EventStore, RecordedEvent } from '../src/domain/ports/eventStore.js';
import { nextMessage, startHelper, stopHelper, type TopicRecord } from './pipeline/protocol.js';
import { ensureBuilt, startFlags, startServiceHost } from './pipeline/serviceClient.js';
import { emitResults, type RowInput } from './results.js';
import { stageReport } from './pipelineStages.js';
import { benchServerUrl, median, withBenchDatabase } from './support.js';
// @ts-expect-error — plain JavaScript script without types
import { startBroker } from '../scripts/kafka.mjs';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const STORES = Number(process.env.BENCH_STORES ?? 8);
const CONCURRENCY = Number(process.env.PULL_CONCURRENCY ?? 4);
const PARTITIONS = 6;
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const UNMAPPED_SKUS = 2;
// Issue #17 item 5: floors as ratios to the same run's baselines (the machine's speed varies ~2× by the day).
const FLOOR_RATE_RATIO = 0.08; // × the sandbox serving rate
const FLOOR_P99_RATIO = 20; // × the sandbox page p99
const FLOOR_RSS_MIB = 320;
const BASELINE_RUNS = Number(process.env.BENCH_BASELINE_RUNS ?? 3);
// Generous (20 orders/s would still finish): a slow pipeline is measured, only a stuck one ends.
const TIMEOUT_MS = Math.max(600_000, ORDERS * 50);

const log = (message: string) => process.stderr.write(`${message}\n`);
const mib = (bytes: number) => bytes / 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** Pages held back by the pull's gate and their total wait, from the service's Prometheus text. */
const backpressure = (text: string) => {
  const sum = (name: string) =>
    text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { pages: sum('oms_pull_backpressure_pages_total'), seconds: sum('oms_pull_backpressure_wait_seconds_total') };
};

const brokers: string[] = process.env.KAFKA_BROKERS ? process.env.KAFKA_BROKERS.split(',') : (await startBroker()).brokers;

/** Every event of the given types, in global order. */
const readAllOf = async (store: EventStore, eventTypes: string[]) => {
  const events: RecordedEvent[] = [];
  let after = null;
  for (;;) {
    const batch = await store.readAll(after, { maxCount: 10_000, filter: { eventTypes } });
    events.push(...batch.events);
    if (batch.events.length === 0 || batch.checkpoint === null) return events;
    after = batch.checkpoint;
  }
};

// The service runs dist/: compile it first when it is older than the sources (npm start's prestart).
ensureBuilt();

await withBenchDatabase('oms_bench_pipeline', async (url) => {
  const topic = `bench-pipeline-${Date.now()}`;
  const sandbox = startHelper('./sandboxHost.ts', { orders: ORDERS, sellers: STORES, seed: `bench-pipeline-${randomUUID().slice(0, 8)}` });
  const watcher = startHelper('./topicWatcher.ts', { brokers, topic, partitions: PARTITIONS });
  try {
    const market = await nextMessage(sandbox, 'ready');
    await nextMessage(watcher, 'topic-ready');
    log(`sandbox: ${fmt(market.orders)} Walmart orders over ${STORES} sellers; topic ${topic} (LogAppendTime)`);

    // 1. Baseline: the sandbox serving the same orders to a plain client, same concurrency. A single
    //    pass is ~550 pages, so its p99 is the ~5th-slowest page and swung 33–69 ms between runs (the
    //    first pass also warms the sandbox): BASELINE_RUNS passes, each figure their median.
    const passes: { distinct: number; seconds: number; requests: number; pageP99Ms: number }[] = [];
    for (let pass = 0; pass < BASELINE_RUNS; pass++) {
      const client = startHelper('./servingRate.ts', { url: market.walmartUrl, sellers: market.sellers, concurrency: CONCURRENCY, fromMs: market.fromMs, toMs: market.toMs, ordersPerSeller: Math.ceil(ORDERS / STORES) });
      const served = await nextMessage(client, 'served', TIMEOUT_MS);
      await stopHelper(client);
      if (served.distinct !== market.orders) throw new Error(`the baseline client read ${served.distinct} distinct orders, the sandbox has ${market.orders}`);
      passes.push(served);
      log(`baseline pass ${pass + 1}: ${fmt(served.distinct)} orders in ${served.seconds.toFixed(1)} s (${served.requests} requests, page p99 ${served.pageP99Ms.toFixed(1)} ms)`);
    }
    const servingRate = median(passes.map((p) => p.distinct / p.seconds));
    const served = { distinct: market.orders, requests: passes[0]!.requests, seconds: market.orders / servingRate, pageP99Ms: median(passes.map((p) => p.pageP99Ms)) };
    log(`baseline (median of ${passes.length}): ${fmt(servingRate)} orders/s, page p99 ${served.pageP99Ms.toFixed(1)} ms`);

    const stages = Boolean(process.env.BENCH_STAGES);
    // 2. The service, as production runs it, in its own process (scheduler held back until the seller is set up).
    const service = await startServiceHost({
      env: {
        DATABASE_URL: url,
        WALMART_API_URL: market.walmartUrl,
        OMS_MASTER_KEY: Buffer.alloc(32, 6).toString('base64'),
        OMS_ADMIN_TOKEN: ADMIN_TOKEN,
        PULL_SCHEDULER: 'off',
        PULL_CONCURRENCY: String(CONCURRENCY),
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC: topic,
        KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        // The pull's back-pressure, at its default unless set for an experiment.
        ...(process.env.PULL_MAX_BACKLOG ? { PULL_MAX_BACKLOG: process.env.PULL_MAX_BACKLOG } : {}),
      },
      ...(stages ? { stages: { databaseName: new URL(url).pathname.slice(1), adminUrl: benchServerUrl() } } : {}),
    });
    // The bench's own reads (counts, events, the read model) on a connection of its own.
    const db = await postgresDatabase({ url, poolSize: 2, applicationName: 'oms-bench' });
    const store = sqlEventStore(db);
    try {
      // 3. The seller, over the HTTP API: tenant, key, products, one Walmart authorization per seller key, mappings.
      const { tenantId } = await service.api<{ tenantId: string }>('POST', '/v1/tenants', { token: ADMIN_TOKEN, json: { name: 'Bench seller' } });
      const { apiKey } = await service.api<{ apiKey: string }>('POST', `/v1/tenants/${tenantId}/api-keys`, { token: ADMIN_TOKEN, json: { name: 'bench' } });
      const mapped = market.skus.slice(0, market.skus.length - UNMAPPED_SKUS);
      await service.api('POST', '/v1/products/import', { token: apiKey, csv: ['sku,name,barcode', ...mapped.map((s) => `SYS-${s},System ${s},`)].join('\n') + '\n' });
      const mappingsCsv = ['platform_sku,system_sku,quantity', ...mapped.map((s, i) => `${s},SYS-${s},${i % 5 === 0 ? 2 : 1}`)].join('\n') + '\n';
      const storeIds: string[] = [];
      for (const [i, seller] of market.sellers.entries()) {
        const auth = await service.api<{ marketplaces: { storeId: string }[] }>('POST', '/v1/authorizations/walmart', {
          token: apiKey,
          json: { name: `Walmart seller ${i + 1}`, clientId: seller.clientId, clientSecret: seller.clientSecret, initialLookbackDays: 3 },
        });
        const storeId = auth.marketplaces[0]!.storeId;
        storeIds.push(storeId);
        await service.api('POST', `/v1/stores/${storeId}/mappings/import`, { token: apiKey, csv: mappingsCsv });
      }
      await service.caughtUp(['orders', 'mappings', 'pull_schedule']);
      const idleRss = service.memory().rss;

      // 4. The run: from the scheduler's start until the last release is on the broker.
      if (stages) await service.stagesBegin();
      service.resetPeak();
      const cpuAtStart = service.cpuMs();
      const t0 = Date.now();
      await service.startScheduler();
      let pullsDoneAt = 0;
      for (let lastLog = 0; ; await sleep(250)) {
        const { items } = await service.api<{ items: { storeId: string; sync: { lastSuccessAt: string | null; lastError: string | null; failures: number } }[] }>('GET', '/v1/stores', { token: apiKey });
        const done = items.filter((s) => storeIds.includes(s.storeId) && s.sync.lastSuccessAt !== null);
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          const failing = items.filter((s) => s.sync.failures > 0).map((s) => s.sync.lastError);
          log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${done.length}/${storeIds.length} stores pulled${failing.length ? `; failing: ${failing.join('; ')}` : ''}`);
        }
        if (done.length === storeIds.length) {
          pullsDoneAt = Math.max(...done.map((s) => Date.parse(s.sync.lastSuccessAt!)));
          break;
        }
        if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`pulls not complete after ${TIMEOUT_MS} ms`);
      }
      await service.caughtUp(['orders'], TIMEOUT_MS);
      const ordersCaughtUpAt = Date.now();
      await service.policyCaughtUp(TIMEOUT_MS);
      const policyCaughtUpAt = Date.now();
      const releasesExpected = (await store.countAfter(null, 100_000_000, { eventTypes: ['FulfillmentOrderReleased'] })) ?? 0;
      await service.feedCaughtUp(TIMEOUT_MS);
      // BENCH_IO: which relations missed PostgreSQL's shared buffers during the run (reads from the
      // OS, or new pages), the working set that a small shared_buffers turns into writes and reads.
      const io = process.env.BENCH_IO
        ? (await db.query<{ rel: string; read: string; hit: string; size: string }>(
            `SELECT * FROM (SELECT indexrelname AS rel, idx_blks_read::text AS read, idx_blks_hit::text AS hit, pg_size_pretty(pg_relation_size(indexrelid)) AS size
               FROM pg_statio_user_indexes
             UNION ALL
             SELECT t.relname || ' (seq scans ' || s.seq_scan || ', rows ' || s.seq_tup_read || ')', heap_blks_read::text, heap_blks_hit::text, pg_size_pretty(pg_relation_size(t.relid))
               FROM pg_statio_user_tables t JOIN pg_stat_user_tables s USING (relid)) r
             ORDER BY read::bigint DESC LIMIT 20`,
          )).rows
        : [];
      const peakRss = service.memory().peak;
      // How often and how long pulled pages waited at the back-pressure gate (the service's own metrics).
      const gate = backpressure(await (await fetch(new URL('/metrics', service.url))).text());
      const serviceCpuMs = service.cpuMs() - cpuAtStart;
      const peakMemory = await service.memoryAtPeak();
      const stageFigures = stages ? await service.stagesEnd() : undefined;
      // The WMS stand-in reads the topic now, off the measured window: every figure comes from the broker's timestamps.
      watcher.send({ type: 'consume' });
      for (let progress = await nextMessage(watcher, 'progress'); progress.releases < releasesExpected; progress = await nextMessage(watcher, 'progress')) {
        if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`${progress.releases} of ${releasesExpected} releases on the topic after ${TIMEOUT_MS} ms`);
      }

      // 5. What happened: the topic's records, each order's pull time, the read model.
      watcher.send({ type: 'report' });
      const { records, timestampType } = await nextMessage(watcher, 'report');
      const events = await readAllOf(store, ['OrderPulled', 'FulfillmentOrderReleased']);
      const pulledAt = new Map<string, number>();
      const releaseIds = new Map<string, string>();
      const decidedAt = new Map<string, number>();
      for (const e of events) {
        const orderId = e.streamId.slice('order-'.length);
        if (e.type === 'OrderPulled' && !pulledAt.has(orderId)) pulledAt.set(orderId, Date.parse(e.recordedAt));
        if (e.type === 'FulfillmentOrderReleased') {
          releaseIds.set(e.id, orderId);
          decidedAt.set(e.id, Date.parse(e.recordedAt));
        }
      }
      const firstDelivery = new Map<string, TopicRecord>();
      for (const r of records) if (!firstDelivery.has(r[0])) firstDelivery.set(r[0], r);
      const missing = [...releaseIds.keys()].filter((id) => !firstDelivery.has(id));
      const releaseRecords = [...releaseIds].flatMap(([id]) => (firstDelivery.has(id) ? [firstDelivery.get(id)!] : []));
      // A loop, not Math.max(...): spreading ~100,000 arguments can overflow the stack.
      const lastOnBroker = releaseRecords.reduce((latest, r) => Math.max(latest, r[3]), 0);
      const delays = releaseRecords.map((r) => r[3] - pulledAt.get(r[2])!).sort((a, b) => a - b);
      // The delay in two legs: pull → the policy's release event, and that event → the broker.
      const toDecision = releaseRecords.map((r) => decidedAt.get(r[0])! - pulledAt.get(r[2])!).sort((a, b) => a - b);
      if (process.env.BENCH_TIMELINE) {
        const byPull = releaseRecords.map((r) => [pulledAt.get(r[2])! - t0, decidedAt.get(r[0])! - t0, r[3] - t0] as const).sort((a, b) => a[0] - b[0]);
        for (let i = 0; i < byPull.length; i += Math.ceil(byPull.length / 40)) log(`timeline pulled ${byPull[i]![0]} decided ${byPull[i]![1]} broker ${byPull[i]![2]}`);
      }
      const toBroker = releaseRecords.map((r) => r[3] - decidedAt.get(r[0])!).sort((a, b) => a - b);

      const expected = await nextMessage((sandbox.send({ type: 'orders' }), sandbox), 'orders');
      const sandboxIds = new Set(Object.values(expected.byPartner).flat());
      const { rows } = await db.query<{ platform_order_id: string; n: number }>('SELECT platform_order_id, count(*)::int AS n FROM rm_orders GROUP BY platform_order_id');
      const twice = rows.filter((r) => r.n !== 1).length;
      const foreign = rows.filter((r) => !sandboxIds.has(r.platform_order_id)).length;
      const absent = sandboxIds.size - (rows.length - foreign);
      const problems = [
        ...(twice ? [`${twice} orders more than once in rm_orders`] : []),
        ...(foreign ? [`${foreign} rm_orders rows the sandbox does not have`] : []),
        ...(absent ? [`${absent} sandbox orders missing from rm_orders`] : []),
        ...(missing.length ? [`${missing.length} of ${releaseIds.size} releases not on the topic`] : []),
        ...(releaseIds.size === 0 ? ['no order was released'] : []),
        ...(timestampType !== 'LogAppendTime' ? [`topic timestamps are ${timestampType}, not LogAppendTime`] : []),
      ];
      if (problems.length) throw new Error(`pipeline check failed: ${problems.join('; ')}`);

      const seconds = (lastOnBroker - t0) / 1000;
      const rate = rows.length / seconds;
      const p50 = percentile(delays, 0.5);
      const p99 = percentile(delays, 0.99);
      const duplicates = records.length - firstDelivery.size;

      console.log(`\nbench:pipeline — ${fmt(rows.length)} Walmart orders, ${STORES} stores, ${CONCURRENCY} pulled at once: sandbox → pull → event store → read models → release → Kafka ack`);
      console.log(`  ${'OMS pipeline (scheduler start → last release on the broker)'.padEnd(64)} ${fmt(rate).padStart(8)} orders/s   (${seconds.toFixed(1)} s)`);
      console.log(`  ${'sandbox serving rate (plain HTTP client, same orders, same concurrency)'.padEnd(64)} ${fmt(servingRate).padStart(8)} orders/s   (${served.seconds.toFixed(1)} s)`);
      console.log(`ratio OMS ÷ sandbox serving rate: ${(rate / servingRate).toFixed(3)}   floor ratio ≥ ${FLOOR_RATE_RATIO}: ${rate / servingRate >= FLOOR_RATE_RATIO ? 'OK' : 'BELOW FLOOR'}`);
      console.log(`pull → broker delay over ${fmt(delays.length)} releases: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(delays.at(-1)!)} ms   (${(p99 / served.pageP99Ms).toFixed(1)}× the sandbox page p99 ${served.pageP99Ms.toFixed(1)} ms; floor ≤ ${FLOOR_P99_RATIO}×: ${p99 / served.pageP99Ms <= FLOOR_P99_RATIO ? 'OK' : 'ABOVE TARGET'})`);
      const after = (at: number) => `${((at - t0) / 1000).toFixed(1)} s`;
      console.log(`  legs: pull → release decided p50 ${fmt(percentile(toDecision, 0.5))} / p99 ${fmt(percentile(toDecision, 0.99))} ms; release decided → broker p50 ${fmt(percentile(toBroker, 0.5))} / p99 ${fmt(percentile(toBroker, 0.99))} ms`);
      console.log(`  after the scheduler start: all stores pulled ${after(pullsDoneAt)}, orders read model caught up ≤ ${after(ordersCaughtUpAt)}, release policy caught up ≤ ${after(policyCaughtUpAt)}, last release on the broker ${after(lastOnBroker)}; the WMS stand-in read the topic after that`);
      const flags = startFlags().join(' ');
      console.log(`service peak RSS (compiled service in its own process, ${flags}): ${mib(peakRss).toFixed(0)} MiB (idle before the pull: ${mib(idleRss).toFixed(0)} MiB)   (≤ ${FLOOR_RSS_MIB} MiB: ${mib(peakRss) <= FLOOR_RSS_MIB ? 'OK' : 'ABOVE TARGET'})${stages ? ' — with BENCH_STAGES the profiler and tsx run in it too: not the production figure, not in the results' : ''}`);
      const m = (bytes: number) => `${mib(bytes).toFixed(0)} MiB`;
      console.log(`  service CPU over the run: ${(serviceCpuMs / 1000).toFixed(1)} s (${fmt((serviceCpuMs * 1000) / rows.length)} µs per order; /proc/<pid>/stat utime + stime)`);
      console.log(`  at the highest sampled RSS (${m(peakMemory.rss)}): V8 heap ${m(peakMemory.heapUsed)} used of ${m(peakMemory.heapTotal)}, external ${m(peakMemory.external)} (array buffers ${m(peakMemory.arrayBuffers)}), the rest (code, stacks, allocator) ${m(peakMemory.rss - peakMemory.heapTotal - peakMemory.external)}`);
      console.log(`  back-pressure (PULL_MAX_BACKLOG): ${fmt(gate.pages)} pages waited, ${gate.seconds.toFixed(1)} s in all across the pulls`);
      if (stageFigures) for (const line of stageReport(stageFigures, rows.length)) console.log(line);
      for (const r of io) console.log(`  buffers missed: ${r.rel.padEnd(48)} ${fmt(Number(r.read)).padStart(9)} read, ${fmt(Number(r.hit)).padStart(11)} hit, ${r.size}`);
      console.log(`checks: ${fmt(rows.length)} orders in rm_orders exactly once; ${fmt(releaseIds.size)} releases all on the topic (${fmt(records.length)} records, ${duplicates} duplicate deliveries)`);

      const memoryRow: RowInput = {
        name: 'memory: service peak RSS (pipeline run)',
        figure: mib(peakRss),
        unit: 'MiB',
        baseline: mib(idleRss),
        baselineUnit: 'MiB (same service, idle before the pull)',
        floor: { of: 'figure', atMost: FLOOR_RSS_MIB },
        notes: `the compiled service (dist/, as npm start: ${flags}) in its own process, its kernel peak (VmHWM) from the scheduler start to the last release; the floor is absolute (memory does not scale with CPU speed)`,
      };
      const scope = `${fmt(rows.length)} orders, ${STORES} stores, ${CONCURRENCY} at once`;
      emitResults('pipeline', [
        {
          name: 'pipeline: sandbox → … → Kafka ack',
          figure: rate,
          unit: 'orders/s',
          baseline: servingRate,
          baselineUnit: `orders/s (sandbox serving a plain client, median of ${passes.length} passes)`,
          floor: { of: 'ratio', atLeast: FLOOR_RATE_RATIO },
          notes: `${scope}; ${seconds.toFixed(1)} s to the last release on the broker; ${fmt(releaseIds.size)} released`,
        },
        {
          name: 'pipeline: pull → broker delay p99',
          figure: p99,
          unit: 'ms',
          baseline: served.pageP99Ms,
          baselineUnit: `ms (sandbox page p99 to a plain client, median of ${passes.length} passes)`,
          floor: { of: 'ratio', atMost: FLOOR_P99_RATIO },
          notes: `p50 ${fmt(p50)} ms; from OrderPulled recorded to the broker's append time (LogAppendTime), ${fmt(delays.length)} releases`,
        },
        // Not with BENCH_STAGES: the profiler and tsx would be counted as the service's memory.
        ...(stages ? [] : [memoryRow]),
      ]);
    } finally {
      await db.close();
      await service.stop();
    }
  } finally {
    await Promise.all([stopHelper(sandbox), stopHelper(watcher)]);
  }
});
