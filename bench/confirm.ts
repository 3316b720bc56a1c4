/**
 * bench:confirm — warehouse shipments → marketplace confirmations per second (POST
 * /v1/warehouse/events recorded, the sender folds the order, maps system-SKU lines to platform
 * lines and calls Walmart's /shipping), against the sandbox's own serving rate: the same shipping
 * updates posted by a plain HTTP client that does nothing else, in the same run. The shipments are
 * recorded first, while the sender is off (a backlog), then the sender is started and timed until
 * Walmart accepted every confirmation: recorded warehouse event → confirmation, the sender's own
 * rate (the ingest's rate over POST /v1/warehouse/events is printed apart). Both stay within
 * Walmart's attributed usage plan (shipping: burst 60, then 1 a second), so the default size is
 * one burst; a larger BENCH_ORDERS measures the plan, not OMS.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { postgresDatabase } from '../src/adapters/sql/postgresDatabase.js';
import { createService } from '../src/service.js';
import { startSandboxes } from '../src/sandbox/index.js';
import { printTable, withBenchDatabase } from './support.js';
import { emitResults } from './results.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 50);
const POSTERS = 8;
const ADMIN = 'bench-admin-token-0123456789';

await withBenchDatabase('oms_bench_confirm', async (url) => {
  const sandboxes = await startSandboxes({ seed: 'bench', amazon: { orders: false }, walmart: { orders: false } });
  const { walmart } = sandboxes;
  const main = walmart.client('main');
  const created = Date.now() - 30 * 60_000;
  const orders = Array.from({ length: ORDERS }, () => walmart.orders.add({ createdAt: created, lines: [{ sku: 'BENCH-1', quantity: 1 }] }));
  const baselineOrders = Array.from({ length: ORDERS }, () => walmart.orders.add({ createdAt: created, status: 'Acknowledged', lines: [{ sku: 'BENCH-1', quantity: 1 }] }));

  // Baseline: a plain client posting one shipping update per order, nothing else.
  const tokenRes = await fetch(`${walmart.url}/v3/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${main.clientId}:${main.clientSecret}`).toString('base64')}`, 'wm_svc.name': 'bench', 'wm_qos.correlation_id': randomUUID(), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const started = process.hrtime.bigint();
  for (const po of baselineOrders) {
    const body = { orderShipment: { orderLines: { orderLine: [{ lineNumber: po.orderLines.orderLine[0]!.lineNumber, sellerOrderId: po.purchaseOrderId, orderLineStatuses: { orderLineStatus: [{ status: 'Shipped', statusQuantity: { unitOfMeasurement: 'EACH', amount: '1' }, trackingInfo: { shipDateTime: Date.now(), carrierName: { carrier: 'UPS' }, methodCode: 'Standard', trackingNumber: `1Z${po.purchaseOrderId}` } }] } }] } } };
    const res = await fetch(`${walmart.url}/v3/orders/${po.purchaseOrderId}/shipping`, {
      method: 'POST',
      headers: { 'wm_sec.access_token': token, 'wm_svc.name': 'bench', 'wm_qos.correlation_id': randomUUID(), accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`baseline shipping answered ${res.status}`);
  }
  const baseline = ORDERS / (Number(process.hrtime.bigint() - started) / 1e9);

  const db = await postgresDatabase({ url, poolSize: 12 });
  const omsOn = async (sync: 'on' | 'off') => {
    const s = await createService(
      loadConfig({ DATABASE_URL: url, WALMART_API_URL: walmart.url, OMS_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'), OMS_ADMIN_TOKEN: ADMIN, PULL_SCHEDULER: 'off', MARKETPLACE_SYNC: sync }),
      { logger: createLogger({ level: 'warn' }), database: db },
    );
    await s.start();
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
    return s;
  };
  let base = '';
  const service = await omsOn('on');
  const call = async (method: string, path: string, tokenValue: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${tokenValue}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const tenant = await call('POST', '/v1/tenants', ADMIN, { name: 'Bench' });
  const tenantId = tenant.tenantId as string;
  const apiKey = (await call('POST', `/v1/tenants/${tenantId}/api-keys`, ADMIN, { name: 'bench' })).apiKey as string;
  await call('POST', '/v1/products', apiKey, { sku: 'WIDGET', name: 'Widget' });
  const auth = await call('POST', '/v1/authorizations/walmart', apiKey, { name: 'Walmart', clientId: main.clientId, clientSecret: main.clientSecret, initialLookbackDays: 3 });
  const storeId = (auth.marketplaces as { storeId: string }[])[0]!.storeId;
  await call('PUT', `/v1/stores/${storeId}/mappings/BENCH-1`, apiKey, { components: [{ sku: 'WIDGET', quantity: 2 }] });
  await service.projections.caughtUp(['pull_schedule', 'mappings']);
  const outcome = await service.pulls.pullStore(storeId, 'manual');
  if (!outcome.ok) throw new Error(`pull failed: ${outcome.reason}`);
  await service.projections.caughtUp(['orders']);
  await service.policyRunner.caughtUp(120_000);
  await service.syncRunner.caughtUp(120_000);
  await service.projections.caughtUp(['orders', 'marketplace_sync']);
  const { rows } = await db.query<{ order_id: string; platform_order_id: string }>(`SELECT order_id, platform_order_id FROM rm_orders WHERE store_id = $1`, [storeId]);
  const byPo = new Map(rows.map((r) => [r.platform_order_id, r.order_id]));

  // The shipments are recorded while the sender is off (a backlog, as after a wave of parcels or
  // an outage), so the timed part measures the sender, not the ingest (its rate is printed apart).
  // The WMS posts several at once (POSTERS).
  await service.stop();
  const drain = await omsOn('off');
  const i0 = process.hrtime.bigint();
  const queue = [...orders];
  const post = async () => {
    for (let po = queue.shift(); po !== undefined; po = queue.shift()) {
      const orderId = byPo.get(po.purchaseOrderId)!;
      await call('POST', '/v1/warehouse/events', apiKey, {
        messageId: randomUUID(), type: 'ShipmentConfirmed', schemaVersion: 1, occurredAt: new Date().toISOString(), tenantId, orderId,
        shipment: { shipmentId: `S-${po.purchaseOrderId}`, carrier: 'UPS', trackingNumber: `1Z${po.purchaseOrderId}`, shipMethod: 'Standard', shippedAt: new Date().toISOString(), lines: [{ lineId: `${po.orderLines.orderLine[0]!.lineNumber}:0`, quantity: 2 }] },
      });
    }
  };
  await Promise.all(Array.from({ length: POSTERS }, post));
  const ingest = ORDERS / (Number(process.hrtime.bigint() - i0) / 1e9);

  // Timed: the sender started on the backlog, until the marketplace accepted every confirmation.
  const t0 = process.hrtime.bigint();
  drain.syncRunner.start();
  await drain.syncRunner.caughtUp(600_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await drain.projections.caughtUp(['marketplace_sync']);
  const confirmed = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM rm_marketplace_sync WHERE state = 'confirmed'`)).rows[0]!.n);
  if (confirmed !== ORDERS) throw new Error(`${confirmed} of ${ORDERS} orders confirmed`);
  const rate = ORDERS / seconds;

  printTable(`bench:confirm — ${ORDERS} Walmart shipments, one store`, [
    ['OMS: recorded warehouse event → platform lines → /shipping', rate],
    ['sandbox serving rate (plain HTTP client posting /shipping)', baseline],
  ], 'confirmations/s');
  console.log(`ratio OMS ÷ sandbox serving rate: ${(rate / baseline).toFixed(2)}; ingest (POST /v1/warehouse/events, ${POSTERS} at once, not timed above): ${ingest.toFixed(1)} shipments/s`);

  await drain.stop();
  await db.close();
  await sandboxes.close();

  emitResults('confirm', [
    { name: 'confirm: warehouse event → Walmart confirmation', figure: rate, unit: 'confirmations/s', baseline, baselineUnit: 'confirmations/s (sandbox serving a plain client)', notes: `a backlog of ${ORDERS} recorded shipments, one store, within the shipping usage plan's burst; ingest ${ingest.toFixed(1)}/s apart` },
  ]);
});
