/**
 * bench:import — rows/s of a 20,000-row mapping CSV imported through the HTTP API (parse, validate
 * every row, plan against the store's mappings, one append of 20,000 mapping streams, answer),
 * against the raw insert of the same rows into a plain table on the same server in the same run.
 *
 * Then (#14.7) a 50,000-row product import (BENCH_PRODUCT_ROWS, ≈1.2 MB) by one tenant while
 * another tenant lists its products over real HTTP (8 connections, BENCH_LIST_SECONDS): the
 * service's peak RSS, and the other tenant's list p99 against its p99 without the import.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import { uuidIds } from '../src/adapters/system.js';
import { decodeStore } from '../src/application/context.js';
import { commandHandler } from '../src/domain/shared/commandHandler.js';
import { storeDecider, storeStreamId } from '../src/domain/store/decider.js';
import { createService } from '../src/service.js';
import { median, printTable, withBenchDatabase } from './support.js';
import { emitResults } from './results.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRODUCT_ROWS = Number(process.env.BENCH_PRODUCT_ROWS ?? 50_000);
const LIST_SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 10);
const LIST_CONNECTIONS = 8;

const p99 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
};

/** Another tenant's product list, LIST_CONNECTIONS loops over real HTTP until `until()` says stop: latencies in ms. */
const listLoad = async (url: string, apiKey: string, until: () => boolean) => {
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: LIST_CONNECTIONS }, async () => {
      while (!until()) {
        const t0 = process.hrtime.bigint();
        const res = await fetch(`${url}/v1/products?limit=100`, { headers: { authorization: `Bearer ${apiKey}` } });
        await res.arrayBuffer();
        // Only answered lists count toward the latency; anything else is an error (none expected:
        // the rate limit is raised so the load measures the service, not its 429s).
        if (res.status !== 200) errors++;
        else latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { latencies, errors };
};

const csvFor = (round: number) =>
  ['platform_sku,system_sku,quantity', ...Array.from({ length: ROWS }, (_, i) => `R${round}-PSKU-${String(i).padStart(6, '0')},${i % 3 ? 'WIDGET' : 'GADGET'},${(i % 9) + 1}`)].join('\r\n') + '\r\n';

await withBenchDatabase('oms_bench_import', async (url) => {
  const db = await postgresDatabase({ url, poolSize: 8 });
  const admin = 'bench-admin-token-0123456789';
  const service = await createService(loadConfig({ DATABASE_URL: url, OMS_ADMIN_TOKEN: admin, OMS_MASTER_KEY: Buffer.alloc(32, 4).toString('base64'), PULL_SCHEDULER: 'off', RATE_LIMIT_PER_MINUTE: '1000000' }), {
    logger: createLogger({ level: 'warn' }),
    database: db,
  });
  await service.start();
  const tenant = await service.tenants.create('Bench', { actor: 'bench' });
  const { apiKey } = await service.tenants.issueKey(tenant.tenantId, 'bench', { actor: 'bench' });
  const caller = { tenantId: tenant.tenantId, metadata: { actor: 'bench' } };
  for (const sku of ['WIDGET', 'GADGET']) await service.catalog.create(caller, { sku, name: sku });

  const raw = new pg.Pool({ connectionString: url, max: 2 });
  await raw.query('CREATE TABLE raw_mappings (store_id text, platform_sku text, system_sku text, quantity int, PRIMARY KEY (store_id, platform_sku, system_sku))');

  const ours: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh store per round: every row is a new mapping, as in a first import.
    const storeId = randomUUID();
    await commandHandler(storeDecider, decodeStore, service.store, uuidIds)(
      storeStreamId(storeId),
      { type: 'ConnectStore', data: { storeId, tenantId: tenant.tenantId, authorizationId: randomUUID(), platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US', marketplaceName: 'Amazon.com', name: 'Bench', status: 'active', connectedAt: new Date().toISOString() } },
      { metadata: { actor: 'bench' } },
    );
    const csv = csvFor(round);
    const t0 = process.hrtime.bigint();
    const res = await service.app.inject({ method: 'POST', url: `/v1/stores/${storeId}/mappings/import`, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' }, payload: csv });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (res.statusCode !== 200) throw new Error(`import failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
    ours.push(ROWS / seconds);

    const rows = csv.trim().split('\r\n').slice(1).map((l) => l.split(','));
    const t1 = process.hrtime.bigint();
    const client = await raw.connect();
    await client.query('BEGIN');
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const params: unknown[] = [];
      const values = chunk.map((r, j) => {
        params.push(storeId, r[0], r[1], Number(r[2]));
        return `($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4})`;
      });
      await client.query(`INSERT INTO raw_mappings VALUES ${values.join(',')}`, params);
    }
    await client.query('COMMIT');
    client.release();
    baseline.push(ROWS / (Number(process.hrtime.bigint() - t1) / 1e9));
  }
  // #14.7: a large product import beside another tenant's list load.
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  const other = await service.tenants.create('Bench other', { actor: 'bench' });
  const otherKey = (await service.tenants.issueKey(other.tenantId, 'bench', { actor: 'bench' })).apiKey;
  const otherProducts = ['sku,name', ...Array.from({ length: 2_000 }, (_, i) => `OTHER-${i},Other ${i}`)].join('\n');
  await fetch(`${base}/v1/products/import`, { method: 'POST', headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'text/csv' }, body: otherProducts });
  const quietEnd = Date.now() + LIST_SECONDS * 1000;
  const quiet = await listLoad(base, otherKey, () => Date.now() > quietEnd);
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const productCsv = ['sku,name,barcode', ...Array.from({ length: PRODUCT_ROWS }, (_, i) => `PROD-${String(i).padStart(6, '0')},Product number ${i},${String(4_000_000_000_000 + i)}`)].join('\r\n') + '\r\n';
  let importing = true;
  const t2 = process.hrtime.bigint();
  const productImport = fetch(`${base}/v1/products/import`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' }, body: productCsv })
    .then(async (res) => {
      if (res.status !== 200) throw new Error(`product import failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
      return Number(process.hrtime.bigint() - t2) / 1e9;
    })
    .finally(() => (importing = false));
  const loaded = await listLoad(base, otherKey, () => !importing);
  const importSeconds = await productImport;
  clearInterval(sampler);
  const mib = (bytes: number) => bytes / 1024 / 1024;
  const busyP99 = p99(loaded.latencies);
  const quietP99 = p99(quiet.latencies);
  console.log(`\nbench:import — ${PRODUCT_ROWS.toLocaleString('en-US')}-row product import (${(productCsv.length / 1e6).toFixed(1)} MB) beside another tenant's list load`);
  console.log(`  import duration                                 ${importSeconds.toFixed(1)} s`);
  console.log(`  service peak RSS during the import              ${mib(peakRss).toFixed(0)} MiB (before: ${mib(rssBefore).toFixed(0)} MiB)`);
  console.log(`  other tenant's list p99 during the import       ${busyP99.toFixed(1)} ms (without the import: ${quietP99.toFixed(1)} ms)`);
  console.log(`list requests: ${quiet.latencies.length} quiet, ${loaded.latencies.length} during the import; errors ${quiet.errors + loaded.errors}`);

  const o = median(ours);
  const b = median(baseline);
  printTable(`bench:import — ${ROWS.toLocaleString('en-US')}-row mapping CSV, median of ${ROUNDS}`, [
    ['OMS import over HTTP (validate, plan, append)', o],
    ['raw multi-row INSERT of the same rows', b],
  ], 'rows/s');
  console.log(`ratio OMS ÷ raw insert: ${(o / b).toFixed(2)}`);
  await raw.end();
  await service.stop();
  await db.close();

  emitResults('import', [
    { name: 'import: mapping CSV over HTTP', figure: o, unit: 'rows/s', baseline: b, baselineUnit: 'rows/s (raw multi-row INSERT)', notes: `${ROWS.toLocaleString('en-US')}-row CSV: validate, plan, one append; median of ${ROUNDS}` },
    { name: 'import: peak RSS, product import', figure: mib(peakRss), unit: 'MiB', baseline: mib(rssBefore), baselineUnit: 'MiB (same service before the import)', notes: `${PRODUCT_ROWS.toLocaleString('en-US')}-row product CSV in ${importSeconds.toFixed(1)} s, beside another tenant's list load` },
    { name: 'import: other tenant list p99', figure: busyP99, unit: 'ms', baseline: quietP99, baselineUnit: 'ms (same list load, no import)', notes: `GET /v1/products?limit=100, ${LIST_CONNECTIONS} connections; ${loaded.latencies.length} requests during the import, errors ${quiet.errors + loaded.errors}` },
  ]);
});
