// The web console in a real Chromium (Debian's, driven by playwright-core) against the whole
// service over real HTTP, with the Amazon sandbox and the real PostgreSQL: sign in, create a
// product, map a combination with the plus sign (which releases a held order), an order's detail
// and history, Manual Synchronization, a seller viewer who cannot change anything, another
// tenant's order answering "not found", and axe-core on every screen. CONSOLE_SCREENSHOTS=1 also
// writes the screenshots of docs/console/ (npm run docs:console).
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { buildConsole } from '../../src/console/build.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { repoRoot } from '../support/process.js';
import { ADMIN_TOKEN, json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';
import { chromiumMissing, openBrowser, seriousViolations } from './browser.js';

const MIN = 60_000;
const US = 'ATVPDKIKX0DER';
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1' ? join(repoRoot, 'docs/console') : null;

if (chromiumMissing) console.log(`# SKIP browser tests of the console: ${chromiumMissing}`);

t.test('the console in Chromium', { skip: chromiumMissing ?? false, timeout: 240_000 }, async (t) => {
  // Built from the current source into a directory of this test (never a stale dist/).
  const consoleDir = await buildConsole(await mkdtemp(join(tmpdir(), 'oms-console-build-')));
  t.teardown(() => rm(consoleDir, { recursive: true, force: true }));
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RATE_LIMIT_PER_MINUTE: '100000' }, { clock, timing: clock.timing, consoleDir });
  const alpha = await createTenant(svc, 'Alpha Goods');
  const bravo = await createTenant(svc, 'Bravo Supplies');
  const asAlpha = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: alpha.apiKey, ...(body !== undefined ? { body } : {}) });
  await asAlpha('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const auth = await authorizeAmazon(svc, alpha.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === US).storeId as string;
  const seller = sandboxes.amazon.sellers[0]!.sellerId;
  const created = clock.now().getTime() - 60 * MIN;
  const shipped = sandboxes.amazon.orders.add({ sellerId: seller, marketplaceId: US, createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-6PK', quantity: 2 }] });
  const held = sandboxes.amazon.orders.add({ sellerId: seller, marketplaceId: US, createdAt: created + MIN, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-KIT', quantity: 1 }] });
  await asAlpha('PUT', `/v1/stores/${storeId}/mappings/AMZ-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 });
  const settle = async () => {
    await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule', 'stores', 'products']);
    await svc.policyRunner.caughtUp();
    await svc.projections.caughtUp(['orders']);
  };
  await settle();
  const orderIdOf = async (platformOrderId: string) =>
    (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [platformOrderId])).rows[0]!.order_id;
  const heldId = await orderIdOf(held.orderId);
  const shippedId = await orderIdOf(shipped.orderId);

  const user = async (body: Record<string, unknown>) => t.equal((await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body })).status, 201);
  await user({ email: 'ops@oms.example', role: 'operator', password: 'operator password 1' });
  await user({ email: 'viewer@alpha.example', role: 'seller_viewer', tenantId: alpha.tenantId, password: 'viewer password 1' });
  await user({ email: 'viewer@bravo.example', role: 'seller_viewer', tenantId: bravo.tenantId, password: 'viewer password 2' });

  const browser = await openBrowser(t);
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));

  /** axe on the screen as it is now (and its screenshot when asked). */
  const checkScreen = async (t: Test, name: string) => {
    const violations = await seriousViolations(page);
    t.same(violations, [], `${name}: no serious or critical accessibility violations`);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const go = async (hash: string) => {
    await page.goto(`${svc.url}/${hash}`);
  };
  const signIn = async (email: string, password: string) => {
    await browser.clearCookies();
    await go('');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };

  await t.test('sign in (a wrong password first)', async (t) => {
    await go('');
    await page.getByLabel('Email').waitFor();
    await checkScreen(t, 'sign-in');
    await page.getByLabel('Email').fill('ops@oms.example');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    t.equal(await page.getByRole('alert').textContent(), 'The e-mail or the password is not correct');
    await page.getByLabel('Password').fill('operator password 1');
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    t.match(await page.locator('header').textContent(), /ops@oms\.example \(Operator\)/);
    const cookies = await browser.cookies();
    t.match(cookies, [{ name: 'oms_session', httpOnly: true, sameSite: 'Strict' }]);
    await page.getByLabel('Tenant').selectOption({ label: 'Alpha Goods' });
  });

  await t.test('Products: create one, then find it', async (t) => {
    await go('#/products');
    await page.getByLabel('SKU', { exact: true }).fill('GADGET');
    await page.getByLabel('Name', { exact: true }).fill('Gadget');
    await page.getByRole('button', { name: 'Create product' }).click();
    t.equal(await page.getByRole('status').textContent(), 'Product GADGET created.');
    await svc.projections.caughtUp(['products']);
    await page.getByLabel('Search products').fill('GADG');
    await page.getByRole('button', { name: 'Search' }).click();
    // The caption changes with the answer: until then the table still shows the list before the search.
    await page.getByText('System SKUs matching “GADG”').waitFor();
    await page.getByRole('cell', { name: 'Gadget', exact: true }).waitFor();
    t.equal(await page.locator('tbody tr').count(), 1, 'the search finds it alone');
    t.equal((await asAlpha('GET', '/v1/products/GADGET')).status, 200, 'in the tenant the operator picked');
    await checkScreen(t, 'products');
  });

  await t.test('Product Mapping: a combination with the plus sign releases the held order', async (t) => {
    await go(`#/mappings?store=${storeId}`);
    await page.getByRole('cell', { name: 'AMZ-6PK' }).waitFor();
    await page.getByRole('button', { name: 'New' }).click();
    await page.getByLabel('Platform SKU').fill('AMZ-KIT');
    await page.getByLabel('System SKU 1').fill('WIDGET');
    await page.getByLabel('Quantity 1').fill('2');
    t.match(await page.locator('#quantity-hint').textContent(), /conversion factor/);
    await page.getByRole('button', { name: 'Add component' }).click();
    t.ok(await page.getByLabel('System SKU 2').evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement), 'focus moves to the new component');
    await page.keyboard.type('GADGET');
    await page.getByLabel('Quantity 2').fill('1');
    await checkScreen(t, 'mapping-new');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    t.equal(await page.getByRole('status').textContent(), 'Mapping of AMZ-KIT saved.');
    await page.getByRole('cell', { name: 'WIDGET × 2, GADGET × 1' }).waitFor();
    t.match(await json(await asAlpha('GET', `/v1/stores/${storeId}/mappings/AMZ-KIT`)), { components: [{ sku: 'WIDGET', quantity: 2 }, { sku: 'GADGET', quantity: 1 }] });
    await checkScreen(t, 'mappings');
    await settle();
  });

  await t.test('Orders: the keyset list with a store filter, the detail with lines and history', async (t) => {
    await go('#/orders');
    await page.getByLabel('Store').selectOption(storeId);
    await page.getByRole('link', { name: held.orderId }).waitFor();
    t.equal(await page.locator('tbody tr').count(), 2);
    t.ok(await page.getByRole('button', { name: 'Next page' }).isDisabled(), 'one page only');
    await checkScreen(t, 'orders');
    await page.getByRole('link', { name: held.orderId }).click();
    await page.getByRole('heading', { name: `Order ${held.orderId}` }).waitFor();
    await page.getByRole('cell', { name: 'AMZ-KIT' }).first().waitFor();
    await page.getByRole('list', { name: 'Order history' }).getByText('OrderPulled').waitFor();
    const history = await page.getByRole('list', { name: 'Order history' }).textContent();
    t.match(history, /OrderPulled/);
    t.match(history, /FulfillmentOrderHeld|Held/i, 'held first');
    t.match(history, /FulfillmentOrderReleased|Released/i, 'then released by the new mapping');
    t.match(await page.locator('table').nth(1).textContent(), /WIDGET2AMZ-KIT × factor 2/, 'the expansion with the factor');
    await checkScreen(t, 'order-detail');
  });

  await t.test('Manual Synchronization of a store', async (t) => {
    await go('#/stores');
    const button = page.getByRole('button', { name: /Manual Synchronization of .*Amazon\.com/ });
    await button.waitFor();
    await checkScreen(t, 'stores');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/v1/stores/${storeId}/sync`)), button.click()]);
    t.equal(response.status(), 202, 'the sync request was accepted');
    t.match(await page.getByRole('status').textContent(), /^Synchronization of .* requested\.$/);
  });

  await t.test('sign out', async (t) => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    t.equal((await browser.cookies()).filter((c) => c.name === 'oms_session' && c.value).length, 0, 'the cookie is gone');
  });

  await t.test('a seller viewer sees its tenant and cannot change anything', async (t) => {
    await signIn('viewer@alpha.example', 'viewer password 1');
    t.equal(await page.getByLabel('Tenant').count(), 0, 'no tenant picker for a seller role');
    await go('#/products');
    await page.getByRole('cell', { name: 'GADGET', exact: true }).waitFor();
    t.equal(await page.getByRole('button', { name: 'Create product' }).count(), 0);
    t.ok(await page.getByText('Your role can only read').isVisible());
    await go('#/stores');
    await page.getByRole('cell', { name: 'amazon' }).first().waitFor();
    t.equal(await page.getByRole('button', { name: /Manual Synchronization/ }).count(), 0);
    await go(`#/mappings?store=${storeId}`);
    await page.getByRole('cell', { name: 'AMZ-KIT' }).waitFor();
    t.equal(await page.getByRole('button', { name: 'New' }).count(), 0);
    // And the API refuses what the screens do not offer, with the session's own CSRF token.
    const refused = await page.evaluate(async (store) => {
      const session = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
      const res = await fetch(`/v1/stores/${store}/sync`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
      return { status: res.status, body: await res.json() };
    }, storeId);
    t.match(refused, { status: 403, body: { code: 'read_only_role' } });
    await checkScreen(t, 'viewer-mappings');
  });

  await t.test("another tenant's order answers not found", async (t) => {
    await signIn('viewer@bravo.example', 'viewer password 2');
    await go(`#/orders/${shippedId}`);
    t.equal(await page.getByRole('alert').textContent(), 'Not found.');
    await go('#/orders');
    await page.getByRole('cell', { name: 'No orders.' }).waitFor();
    await checkScreen(t, 'not-found');
    t.equal(heldId.length, 36);
  });

  t.same(pageErrors.filter((e) => !/status of (401|403|404)/.test(e)), [], 'no script errors in the page');
});
