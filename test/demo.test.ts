import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createService } from '../src/service.js';
import { failingStoreLine, marketplaceLine, storeLine, SUMMARY_PREFIX, totalLine, type DemoSummary } from '../scripts/demo/summary.js';
import { spawnTs } from './support/process.js';

/**
 * `npm run demo` as a user runs it: a child process with a minimal environment, on a fresh data
 * directory, exiting after its summary. The printed figures are then checked against what OMS
 * itself answers over HTTP when opened again on the same data directory.
 */

// OMS start (migrations on PGlite) alone takes 30–80 s on a loaded 2-core machine.
const DEMO_TIMEOUT_MS = 240_000;
// Two demo runs and a refusal: more than the suite's 300 s per file when the machine is busy.
t.setTimeout(900_000);

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
    stores.map((x) => x.storeId).sort(),
    [...s.stores.map((x) => x.storeId), ...s.failingStores.map((x) => x.storeId)].sort(),
    'the stores printed (the table and the failing one) are the tenant’s stores',
  );
  t.same(
    stores.filter((x) => s.stores.some((y) => y.storeId === x.storeId)).map((x) => ({ storeId: x.storeId, platform: x.platform, marketplaceId: x.marketplaceId, countryCode: x.countryCode })).sort((a, b) => a.storeId.localeCompare(b.storeId)),
    s.stores.map((x) => ({ storeId: x.storeId, platform: x.platform, marketplaceId: x.marketplaceId, countryCode: x.countryCode })).sort((a, b) => a.storeId.localeCompare(b.storeId)),
    'the table’s stores as the API has them',
  );

  // The Attention page's data: failing pulls from GET /v1/stores, re-authorization from GET /v1/authorizations.
  const failingNow = stores.filter((x) => x.sync.failures > 0 || x.sync.state !== 'ok');
  t.same(failingNow.map((x) => x.storeId), s.failingStores.map((x) => x.storeId), 'Attention lists exactly the failing store');
  for (const f of s.failingStores) {
    const store = stores.find((x) => x.storeId === f.storeId);
    t.match(store?.sync, { failures: f.failures, lastError: f.lastError }, `${f.marketplaceName}: the failed pull as printed`);
    const auths: Json[] = (await api.get('/v1/authorizations', key)).items;
    t.equal(auths.find((a) => a.authorizationId === f.authorizationId)?.status, f.authorizationStatus, 'its authorization as printed');
  }

  // The marketplace side, per platform, asked again with the list filters and the order detail.
  for (const m of s.marketplaces) {
    const count = async (query: string) => (await api.all(`/v1/orders?platform=${m.platform}&${query}`, key)).length;
    const shipped = (await count('handoff=shipped')) + (await count('handoff=partially_shipped'));
    const confirmed = (await count('handoff=shipped&confirmation=confirmed')) + (await count('handoff=partially_shipped&confirmation=confirmed'));
    t.same({ shipped: m.shipped, confirmed: m.confirmed, failed: m.failed, pending: m.pending }, { shipped, confirmed, failed: await count('confirmation=failed'), pending: await count('confirmation=pending') }, `${m.platform}: shipped, confirmed, failed, pending`);
    if (m.acknowledged !== null) {
      let acknowledged = 0;
      for (const state of ['released', 'partially_shipped', 'shipped', 'rejected']) {
        for (const o of await api.all(`/v1/orders?platform=${m.platform}&handoff=${state}`, key)) if ((await api.get(`/v1/orders/${o.orderId}`, key)).marketplaceSync?.acknowledgedAt) acknowledged += 1;
      }
      t.equal(m.acknowledged, acknowledged, `${m.platform}: acknowledged`);
    }
  }
  for (const r of s.rejected) {
    const detail: Json = await api.get(`/v1/orders/${r.orderId}`, key);
    t.match(detail, { handoff: { state: 'rejected' }, marketplaceSync: { state: r.confirmation } }, `the rejected ${r.platformOrderId} as printed`);
  }
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

  // What OMS told the marketplaces, waited for, per marketplace; the sandboxes recorded the same.
  t.ok(s.marketplaceSync.settled, `the sender caught up (${s.marketplaceSync.seconds} s)`);
  t.same(s.marketplaces.map((m) => m.platform), ['amazon', 'walmart']);
  for (const m of s.marketplaces) {
    t.ok(first.output.includes(marketplaceLine(m)), `printed: ${marketplaceLine(m).trim()}`);
    t.ok(m.released > 0 && m.shipped > 0 && m.confirmed > 0, `${m.platform}: orders released, shipped and confirmed`);
    t.ok(m.confirmed <= m.shipped && m.shipped <= m.released, `${m.platform}: confirmed ≤ shipped ≤ released`);
    t.equal(m.pending, 0, `${m.platform}: nothing left pending`);
    t.ok(m.confirmed + m.failed >= m.shipped, `${m.platform}: every shipped order confirmed or failed`);
    t.equal(m.failures.length, m.failed, `${m.platform}: each failure named`);
    t.equal(m.sandbox.shipped, m.confirmed, `${m.platform}: the sandbox holds the tracking numbers of exactly the confirmed orders`);
  }
  const [amazonSide, walmartSide] = s.marketplaces;
  t.equal(amazonSide?.acknowledged, null, 'Amazon has no acknowledgement step');
  t.equal(walmartSide?.acknowledged, walmartSide?.released, 'every released Walmart order acknowledged');
  t.equal(walmartSide?.sandbox.acknowledged, walmartSide?.released, 'and Walmart (the sandbox) has them acknowledged');
  t.equal(s.marketplaces.reduce((n, m) => n + m.shipped, 0), s.warehouse.shipped + s.warehouse.partiallyShipped, 'the marketplaces’ shipped orders are the WMS’s');
  t.equal(s.rejected.length, 1, 'one rejected order');
  for (const r of s.rejected) {
    t.match(r, { confirmation: 'confirmed', warehouseReason: /out of stock/, sandbox: { cancelled: true, reason: /\S/ } }, `${r.platformOrderId} cancelled at ${r.platform}`);
    t.ok(r.cancelledUnits > 0, 'its units cancelled');
  }

  // The failing store (the outlet account whose grant was revoked), for the console's Attention page.
  t.equal(s.failingStores.length, 1, 'one failing store');
  for (const f of s.failingStores) {
    t.ok(first.output.includes(failingStoreLine(f)), 'printed: the failing store');
    t.ok(f.failures > 0 && f.lastSuccessAt !== null, 'it pulled once, then failed');
    t.equal(f.authorizationStatus, 'reauthorization_required', 'its authorization needs re-authorizing');
  }

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
