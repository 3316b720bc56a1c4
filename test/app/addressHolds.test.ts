import t from 'tap';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;

t.test('an order without what a label needs is held as address_incomplete and released when a later pull brings the address', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { walmart } = sandboxes;
  const order = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] });
  let city = '';
  walmart.orders.update(order.purchaseOrderId, (o) => {
    const address = o.shippingInfo.postalAddress as Record<string, unknown>;
    city = String(address.city);
    address.city = null;
    address.postalCode = '';
  });
  clock.advance(3 * MIN);
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = auth.storeIds[0] as string;
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 });
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
  const [listed] = (await json(await call('GET', `/v1/orders?storeId=${storeId}&handoff=held`))).items;
  t.ok(listed, 'held');
  const detail = await json(await call('GET', `/v1/orders/${listed.orderId}`));
  t.match(detail.holdReasons, [{ code: 'address_incomplete', missingFields: ['city', 'postalCode'] }], 'names the missing fields, not values');

  walmart.orders.update(order.purchaseOrderId, (o) => {
    const address = o.shippingInfo.postalAddress as Record<string, unknown>;
    address.city = city;
    address.postalCode = '72716';
  });
  clock.advance(16 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersChanged: 1 });
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
  const after = await json(await call('GET', `/v1/orders/${listed.orderId}`));
  t.equal(after.handoff.state, 'released', 'released once the address is complete');
  t.same(after.holdReasons, []);
  t.match(after.handoffHistory.map((s: { type: string }) => s.type), ['OrderHeld', 'FulfillmentOrderReleased']);
});
