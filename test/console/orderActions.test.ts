// The order detail page in a real Chromium against the whole service (real PostgreSQL, the
// Walmart sandbox): an operator holds and releases an order with reasons (mouse, then keyboard),
// the reasons and actors show in the history, the buyer-data reveal is recorded, a seller viewer
// is offered nothing to change, a shipment reported with a tracking page shows as a link with what
// Walmart was told, another tenant's order answers "Not found.", axe-core on the page
// and on the open dialog. CONSOLE_SCREENSHOTS=1 writes docs/console/order-*.png.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildConsole } from '../../src/console/build.js';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { repoRoot } from '../support/process.js';
import { ADMIN_TOKEN, json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';
import { chromiumMissing, openBrowser, seriousViolations } from './browser.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1' ? join(repoRoot, 'docs/console') : null;

if (chromiumMissing) console.log(`# SKIP browser tests of the order actions: ${chromiumMissing}`);

t.test('order actions on the detail page, in Chromium', { skip: chromiumMissing ?? false, timeout: 240_000 }, async (t) => {
  const consoleDir = await buildConsole(await mkdtemp(join(tmpdir(), 'oms-console-build-')));
  t.teardown(() => rm(consoleDir, { recursive: true, force: true }));
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RATE_LIMIT_PER_MINUTE: '100000' }, { clock, timing: clock.timing, consoleDir });
  const alpha = await createTenant(svc, 'Alpha Goods');
  const bravo = await createTenant(svc, 'Bravo Supplies');
  const asAlpha = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: alpha.apiKey, ...(body !== undefined ? { body } : {}) });
  await asAlpha('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const order = sandboxes.walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-6PK', quantity: 2 }] });
  clock.advance(3 * MIN);
  const storeId = (await authorizeWalmart(svc, alpha.apiKey, sandboxes, { initialLookbackDays: 3 })).storeIds[0] as string;
  await asAlpha('PUT', `/v1/stores/${storeId}/mappings/WM-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] });
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 });
  const settle = async () => {
    await svc.policyRunner.caughtUp();
    await svc.projections.caughtUp(['orders']);
  };
  await settle();
  const orderId = (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [order.purchaseOrderId])).rows[0]!.order_id;
  const user = async (body: Record<string, unknown>) => (await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body }))).userId as string;
  const opsId = await user({ email: 'ops@oms.example', role: 'operator', password: 'operator password 1' });
  await user({ email: 'viewer@alpha.example', role: 'seller_viewer', tenantId: alpha.tenantId, password: 'viewer password 1' });
  await user({ email: 'admin@bravo.example', role: 'seller_admin', tenantId: bravo.tenantId, password: 'bravo password 1' });

  const browser = await openBrowser(t);
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));
  const checkScreen = async (t: Test, name: string) => {
    t.same(await seriousViolations(page), [], `${name}: no serious or critical accessibility violations`);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const signIn = async (email: string, password: string) => {
    await browser.clearCookies();
    await page.goto(`${svc.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };
  const openOrder = async () => {
    await page.goto(`${svc.url}/#/orders/${orderId}`);
    await page.reload();
    await page.getByRole('heading', { name: `Order ${order.purchaseOrderId}` }).waitFor();
  };
  const history = () => page.getByRole('list', { name: 'Order history' });

  await t.test('an operator holds the released order with a reason (mouse)', async (t) => {
    await signIn('ops@oms.example', 'operator password 1');
    await page.getByLabel('Tenant').selectOption({ label: 'Alpha Goods' });
    await openOrder();
    t.match(await page.locator('dl.facts').first().textContent(), /released/);
    t.match(await page.locator('table').nth(1).textContent(), /WIDGET12WM-6PK × factor 6v1/, 'the expansion with its mapping version');
    t.ok(await page.getByRole('button', { name: 'Release' }).isDisabled(), 'nothing to release yet');
    await checkScreen(t, 'order-actions');
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Hold' });
    await dialog.waitFor();
    await dialog.getByLabel('Reason').fill('Buyer asked us to wait a day');
    await checkScreen(t, 'order-action-dialog');
    await dialog.getByRole('button', { name: 'Hold', exact: true }).click();
    t.equal(await page.getByRole('status').textContent(), 'Hold: done.');
    await settle();
    await openOrder();
    await page.getByRole('list', { name: 'Hold reasons' }).waitFor();
    t.match(await page.getByRole('list', { name: 'Hold reasons' }).textContent(), `Held by user:${opsId}: Buyer asked us to wait a day`);
    await history().getByText('OrderHeldByOperator').waitFor();
    t.match(await history().textContent(), `OrderHeldByOperator by user:${opsId} — Buyer asked us to wait a day`);
    await checkScreen(t, 'order-held');
  });

  await t.test('and releases it with the keyboard; the reasons are in the history', async (t) => {
    const release = page.getByRole('button', { name: 'Release' });
    t.notOk(await release.isDisabled());
    await release.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Release' });
    await dialog.waitFor();
    t.ok(await dialog.getByLabel('Reason').evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement), 'focus starts in the reason field');
    await page.keyboard.type('Buyer confirmed the order');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').waitFor();
    t.equal(await page.getByRole('status').textContent(), 'Release: done.');
    await settle();
    await openOrder();
    await history().getByText('OrderReleasedByOperator').waitFor();
    const text = await history().textContent();
    t.match(text, `OrderHeldByOperator by user:${opsId} — Buyer asked us to wait a day`);
    t.match(text, `OrderReleasedByOperator by user:${opsId} — Buyer confirmed the order`);
    t.match(text, /FulfillmentOrderReleased[\s\S]*OrderHeldByOperator[\s\S]*OrderReleasedByOperator[\s\S]*FulfillmentOrderReleased/, 'released again by the policy');
    t.match(await page.locator('dl.facts').first().textContent(), /released/);
    await checkScreen(t, 'order-history');
  });

  await t.test('a dialog without a reason sends nothing; Escape closes it', async (t) => {
    await page.getByRole('button', { name: 'Re-send to the warehouse' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-send to the warehouse' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Re-send to the warehouse' }).click();
    t.ok(await dialog.getByLabel('Reason').evaluate((el) => !(el as unknown as { validity: { valid: boolean } }).validity.valid), 'the browser asks for the reason');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    t.equal((await svc.store.readStream(orderStreamId(orderId))).filter((e) => e.type === 'FulfillmentOrderResent').length, 0, 'nothing was sent');
  });

  await t.test('the buyer-data reveal is recorded', async (t) => {
    await page.getByRole('button', { name: 'Show buyer data' }).click();
    await page.getByText(/^Ship to/).waitFor();
    t.ok(await page.getByRole('region', { name: 'Buyer and ship-to' }).isVisible());
    await history().getByText('BuyerDataViewed').waitFor();
    t.match(await history().textContent(), `BuyerDataViewed by user:${opsId}`);
  });

  await t.test('a shipment the warehouse reported shows with its tracking page, and what Walmart was told', async (t) => {
    const released = (await json(await asAlpha('GET', `/v1/orders/${orderId}`))).warehouseLines as { lineId: string; quantity: number }[];
    const url = 'https://speedy-freight.example.com/track/SF123456789';
    const report = await asAlpha('POST', '/v1/warehouse/events', {
      messageId: 'console-ship-1', type: 'ShipmentConfirmed', schemaVersion: 1, occurredAt: new Date(clock.now()).toISOString(), tenantId: alpha.tenantId, orderId,
      shipment: { shipmentId: 'SF-1', carrier: 'Speedy Freight', trackingNumber: 'SF123456789', trackingUrl: url, shipMethod: 'Standard', shippedAt: new Date(clock.now()).toISOString(), lines: released.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) },
    });
    t.equal(report.status, 202, 'recorded');
    await settle();
    await svc.syncRunner.caughtUp();
    await svc.projections.caughtUp(['orders', 'marketplace_sync']);
    await openOrder();
    const shipments = page.getByRole('table', { name: 'Shipments (as the warehouse reported them)' });
    await shipments.waitFor();
    t.match(await shipments.textContent(), /Speedy Freight\s*SF123456789\s*Standard/);
    t.equal(await shipments.getByRole('link', { name: 'SF123456789' }).getAttribute('href'), url, 'the tracking number links to the carrier’s page');
    t.match(await page.locator('dl.facts').first().textContent(), /Walmart: confirmed/, 'Walmart took the unlisted carrier with the tracking page');
    t.match(sandboxes.walmart.orders.get(order.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus, [{ status: 'Shipped', trackingInfo: { carrierName: { otherCarrier: 'Speedy Freight' }, trackingURL: url } }]);
    await checkScreen(t, 'order-shipped');
  });

  await t.test('a seller viewer is offered nothing to change and no buyer data', async (t) => {
    await signIn('viewer@alpha.example', 'viewer password 1');
    await openOrder();
    t.ok(await page.getByText('Your role can only read').isVisible());
    t.equal(await page.getByRole('group', { name: 'Order actions' }).count(), 0);
    t.equal(await page.getByRole('button', { name: 'Show buyer data' }).count(), 0);
    await checkScreen(t, 'order-viewer');
  });

  await t.test("another tenant's order answers not found", async (t) => {
    await signIn('admin@bravo.example', 'bravo password 1');
    await page.goto(`${svc.url}/#/orders/${orderId}`);
    await page.getByRole('alert').waitFor();
    t.equal(await page.getByRole('alert').textContent(), 'Not found.');
  });

  t.same(pageErrors.filter((e) => !/status of (401|403|404)/.test(e)), [], 'no script errors in the page');
});
