import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createService } from '../src/service.js';
import { storeLine, SUMMARY_PREFIX, totalLine, type DemoSummary } from '../scripts/demo/summary.js';
import { spawnTs } from './support/process.js';

/**
 * `npm run demo` as a user runs it: a child process with a minimal environment, on a fresh data
 * directory, exiting after its summary. The printed figures are then checked against what OMS
 * itself answers over HTTP when opened again on the same data directory.
 */

const DEMO_TIMEOUT_MS = 150_000;

const runDemo = async (t: Test, dataDir: string, expectedCode = 0) => {
  const proc = spawnTs('scripts/demo.ts', {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DEMO_EXIT: '1', PORT: '0', DEMO_DATA_DIR: dataDir },
  });
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), DEMO_TIMEOUT_MS);
  const code = await proc.exited;
  clearTimeout(timer);
  const output = proc.output();
  if (code !== expectedCode) t.comment(output);
  const line = output.split('\n').find((l) => l.startsWith(SUMMARY_PREFIX));
  return { code, output, summary: line ? (JSON.parse(line.slice(SUMMARY_PREFIX.length)) as DemoSummary) : null };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** OMS opened again on the demo's data directory (no scheduler, no marketplaces), over real HTTP. */
const reopen = async (t: Test, dataDir: string) => {
  const config = loadConfig({ NODE_ENV: 'test', OMS_DATA_DIR: dataDir, PULL_SCHEDULER: 'off', LOG_LEVEL: 'silent' });
  const svc = await createService(config, { logger: createLogger({ level: 'silent' }) });
  await svc.start();
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(svc.app.server.address() as { port: number }).port}`;
  const get = async (path: string, key: string): Promise<Json> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const status = async (path: string, key: string) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })).status;
  const all = async (path: string, key: string): Promise<Json[]> => {
    const items: Json[] = [];
    let after: string | null = null;
    do {
      const page: Json = await get(`${path}${path.includes('?') ? '&' : '?'}limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`, key);
      items.push(...page.items);
      after = page.nextCursor;
    } while (after);
    return items;
  };
  return { svc, get, all, status };
};

/** Every figure of the summary, asked again of the API (filters instead of client-side counting). */
const checkAgainstApi = async (t: Test, api: Awaited<ReturnType<typeof reopen>>, s: DemoSummary) => {
  const key = s.apiKey;
  const stores: Json[] = (await api.get('/v1/stores', key)).items;
  t.same(
    stores.map((x) => ({ storeId: x.storeId, platform: x.platform, marketplaceId: x.marketplaceId, countryCode: x.countryCode })).sort((a, b) => a.storeId.localeCompare(b.storeId)),
    s.stores.map((x) => ({ storeId: x.storeId, platform: x.platform, marketplaceId: x.marketplaceId, countryCode: x.countryCode })).sort((a, b) => a.storeId.localeCompare(b.storeId)),
    'the stores printed are the tenant’s stores',
  );
  for (const store of s.stores) {
    const base = `/v1/orders?storeId=${store.storeId}`;
    const pulled = (await api.all(base, key)).length;
    // Released = sent to the warehouse, whatever the warehouse reported since.
    let released = 0;
    for (const state of ['released', 'partially_shipped', 'shipped', 'rejected']) released += (await api.all(`${base}&handoff=${state}`, key)).length;
    const held = (await api.all(`${base}&handoff=held`, key)).length;
    const marketplace = (await api.all(`${base}&handoff=marketplace`, key)).length;
    t.same(store.orders, { pulled, released, held, marketplace, other: pulled - released - held - marketplace }, `order counts of ${store.marketplaceName}`);
    const unmapped: Json[] = (await api.get(`/v1/stores/${store.storeId}/unmapped-skus`, key)).items;
    t.same(store.heldSkus, unmapped.map((u) => ({ platformSku: u.platformSku, heldOrders: u.heldOrders })), `held SKUs of ${store.marketplaceName}`);
  }
  t.equal((await api.all('/v1/orders', key)).length, s.totals.pulled, 'total orders');
  t.same(
    s.warehouse,
    {
      shipped: (await api.all('/v1/orders?handoff=shipped', key)).length,
      partiallyShipped: (await api.all('/v1/orders?handoff=partially_shipped', key)).length,
      rejected: (await api.all('/v1/orders?handoff=rejected', key)).length,
      awaiting: (await api.all('/v1/orders?handoff=released', key)).length,
      shipments: s.warehouse.shipments,
    },
    'what the WMS reported, by hand-off state',
  );

  let messages = 0;
  let after: string | null = null;
  for (;;) {
    const page: Json = await api.get(`/v1/warehouse/feed?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`, key);
    messages += page.messages.length;
    if (page.caughtUp || !page.nextCursor) break;
    after = page.nextCursor;
  }
  t.equal(messages, s.feed.messages, 'warehouse feed messages');
};

t.test('npm run demo: from a clean directory, summary confirmed by the API, and again on its own data', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-demo-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const first = await runDemo(t, dataDir);
  t.equal(first.code, 0, 'exits 0 with DEMO_EXIT=1');
  const s = first.summary;
  if (!s) throw new Error('no DEMO_SUMMARY line');

  // The printed table says what the machine-readable line says.
  for (const store of s.stores) t.ok(first.output.includes(storeLine(store)), `printed: ${storeLine(store).trim()}`);
  t.ok(first.output.includes(totalLine(s.totals)), 'printed: totals');
  t.match(first.output, `${s.feed.messages} messages`);
  t.match(first.output, `${s.url}/docs`);
  t.match(first.output, `KEY=${s.apiKey}`);

  // What the demo is meant to show.
  const amazon = s.stores.filter((x) => x.platform === 'amazon');
  t.same(amazon.map((x) => x.countryCode).sort(), ['DE', 'FR', 'GB'], 'one Amazon account, three EU marketplaces');
  t.equal(s.stores.filter((x) => x.platform === 'walmart').length, 1, 'a Walmart store');
  for (const store of s.stores) t.ok(store.orders.pulled > 0, `${store.marketplaceName} has orders`);
  t.ok(s.totals.released > 0 && s.totals.held > 0 && s.totals.marketplace > 0, 'released, held and marketplace-fulfilled orders');
  t.same(s.stores.flatMap((x) => x.heldSkus.map((h) => h.platformSku)).filter((sku) => sku !== s.mappings.unmapped), [], 'held only on the SKU left unmapped');
  t.same(s.feed.byType, { FulfillmentOrderReleased: s.totals.released }, 'one feed message per released order');
  t.equal(s.warehouse.rejected, 1, 'the WMS rejected one order');
  t.ok(s.warehouse.shipped > s.warehouse.awaiting && s.warehouse.awaiting > 0, 'most orders shipped, some still awaiting');
  t.ok(s.warehouse.shipments > s.warehouse.shipped, 'one order went out in two parcels');
  t.match(first.output, `${s.warehouse.shipped} orders shipped (${s.warehouse.shipments} shipments with tracking)`);

  // The console's first operator, printed with its one-time password (signs in on the reopened service below).
  const consoleLines = /CONSOLE_URL=http:\/\/\S+\/\nCONSOLE_USER=(\S+)\nCONSOLE_PASSWORD=([\w-]+)\n/.exec(first.output);
  t.ok(consoleLines, 'the console lines are printed');

  const api = await reopen(t, dataDir);
  try {
    await checkAgainstApi(t, api, s);
    const signIn = await api.svc.app.inject({ method: 'POST', url: '/v1/session', payload: { email: consoleLines?.[1], password: consoleLines?.[2] } });
    t.equal(signIn.statusCode, 200, 'the printed operator signs in to the console');
    // The 6-pack and the kit reached the warehouse expanded.
    for (const mapping of [s.mappings.sixPack, s.mappings.kit]) {
      const orders: Json[] = [
        ...(await api.all(`/v1/orders?sku=${mapping.platformSku}&handoff=released`, s.apiKey)),
        ...(await api.all(`/v1/orders?sku=${mapping.platformSku}&handoff=shipped`, s.apiKey)),
      ];
      t.ok(orders.length > 0, `released orders with ${mapping.platformSku}`);
      for (const o of orders) {
        const detail: Json = await api.get(`/v1/orders/${o.orderId}`, s.apiKey);
        const line = detail.lines.find((l: Json) => l.platformSku === mapping.platformSku);
        t.same(
          detail.warehouseLines.map((w: Json) => ({ sku: w.sku, quantity: w.quantity })),
          mapping.components.map((c) => ({ sku: c.sku, quantity: c.quantity * line.quantityOrdered })),
          `${o.platformOrderId}: ${mapping.platformSku} expanded`,
        );
      }
    }
  } finally {
    await api.svc.stop();
  }

  // Run again on the same directory: it starts over (the first run's tenant is gone).
  const second = await runDemo(t, dataDir);
  t.equal(second.code, 0, 'the second run exits 0 too');
  if (!second.summary) throw new Error('no DEMO_SUMMARY line on the second run');
  t.equal(second.summary.stores.length, 4);
  t.same(second.summary.totals, s.totals, 'the same figures from the same seed');
  const again = await reopen(t, dataDir);
  try {
    await checkAgainstApi(t, again, second.summary);
    t.equal(await again.status('/v1/orders', s.apiKey), 401, 'the first run’s API key is gone with its data');
  } finally {
    await again.svc.stop();
  }
});

t.test('refuses a data directory the demo did not create, and leaves it alone', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-demo-foreign-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await writeFile(join(dataDir, 'keep.txt'), 'precious');
  const run = await runDemo(t, dataDir, 1);
  t.equal(run.code, 1, 'exits 1');
  t.match(run.output, /demo failed: .*not created by the demo/);
  t.equal(await readFile(join(dataDir, 'keep.txt'), 'utf8'), 'precious', 'nothing deleted');
});
