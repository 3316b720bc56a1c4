/**
 * bench:pull — orders/s pulled from the Walmart sandbox into the event store (parse, content hash,
 * seal buyer data, append, pull log), against the sandbox's own serving rate: the same pages read
 * by a plain HTTP client that does nothing with them, measured in the same run.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import { createService } from '../src/service.js';
import { startSandboxes } from '../src/sandbox/index.js';
import { printTable, withBenchDatabase } from './support.js';
import { emitResults } from './results.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 20_000);

await withBenchDatabase('oms_bench_pull', async (url) => {
  const sandboxes = await startSandboxes({ seed: 'bench', amazon: { orders: false, throttling: false }, walmart: { orders: { count: ORDERS, days: 2 } } });
  const { walmart } = sandboxes;
  const main = walmart.client('main');

  // Baseline: a plain client reading every page, nothing else.
  const tokenRes = await fetch(`${walmart.url}/v3/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${main.clientId}:${main.clientSecret}`).toString('base64')}`,
      'wm_svc.name': 'bench',
      'wm_qos.correlation_id': randomUUID(),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const headers = { 'wm_sec.access_token': token, 'wm_svc.name': 'bench', 'wm_qos.correlation_id': randomUUID(), accept: 'application/json' };
  const since = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const started = process.hrtime.bigint();
  let served = 0;
  for (const shipNode of ['SellerFulfilled', 'WFSFulfilled']) {
    let path: string | null = `/v3/orders?limit=200&shipNodeType=${shipNode}&createdStartDate=${since}`;
    while (path) {
      const res: Response = await fetch(`${walmart.url}${path}`, { headers });
      if (res.status === 404) break;
      const body = (await res.json()) as { list: { meta: { nextCursor?: string | null }; elements: { order: unknown[] } } };
      served += body.list.elements.order.length;
      const next = body.list.meta.nextCursor;
      path = next ? `/v3/orders${next}` : null;
    }
  }
  const baseline = served / (Number(process.hrtime.bigint() - started) / 1e9);

  const db = await postgresDatabase({ url, poolSize: 12 });
  const service = await createService(
    loadConfig({ DATABASE_URL: url, WALMART_API_URL: walmart.url, OMS_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'), OMS_ADMIN_TOKEN: 'bench-admin-token-0123456789', PULL_SCHEDULER: 'off' }),
    { logger: createLogger({ level: 'warn' }), database: db },
  );
  await service.start();
  const tenant = await service.tenants.create('Bench', { actor: 'bench' });
  const caller = { tenantId: tenant.tenantId, metadata: { actor: 'bench' } };
  const auth = await service.authorizations.createWalmart(caller, { name: 'Walmart', clientId: main.clientId, clientSecret: main.clientSecret, initialLookbackDays: 3 });
  const storeId = auth.marketplaces[0]!.storeId!;
  await service.projections.caughtUp(['pull_schedule']);
  const t0 = process.hrtime.bigint();
  const outcome = await service.pulls.pullStore(storeId, 'manual');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!outcome.ok) throw new Error(`pull failed: ${outcome.reason}`);
  const pulled = outcome.ordersNew + outcome.ordersChanged;
  const rate = pulled / seconds;

  printTable(`bench:pull — ${pulled.toLocaleString('en-US')} Walmart orders, one store, initial look-back`, [
    ['OMS pull: sandbox → parse → seal → event store', rate],
    ['sandbox serving rate (plain HTTP client, no work)', baseline],
  ], 'orders/s');
  console.log(`ratio OMS ÷ sandbox serving rate: ${(rate / baseline).toFixed(2)}  (served ${served.toLocaleString('en-US')} orders to the baseline client)`);

  await service.stop();
  await db.close();
  await sandboxes.close();

  emitResults('pull', [
    { name: 'pull: Walmart sandbox → event store', figure: rate, unit: 'orders/s', baseline, baselineUnit: 'orders/s (sandbox serving a plain client)', notes: `${pulled.toLocaleString('en-US')} orders, one store, initial look-back` },
  ]);
});
