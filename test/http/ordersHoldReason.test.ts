// GET /v1/orders?holdReason=… over real HTTP with the real PostgreSQL and the Walmart sandbox: held
// orders by their current hold reason (unmapped SKU, incomplete address, both, a person's hold on an
// order that was held for another reason before its release), with the other filters, and a bad
// value refused with the allowed values.
import t from 'tap';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;

t.test('the orders list filtered by hold reason', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RATE_LIMIT_PER_MINUTE: '100000' }, { clock, timing: clock.timing });
  const a = await createTenant(svc, 'Alpha');
  const b = await createTenant(svc, 'Bravo');
  const key = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: a.apiKey, ...(body !== undefined ? { body } : {}) });
  await key('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { walmart } = sandboxes;
  const noCity = (purchaseOrderId: string) => walmart.orders.update(purchaseOrderId, (o) => void ((o.shippingInfo.postalAddress as Record<string, unknown>).city = null));
  const later = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-LATER', quantity: 1 }] });
  const address = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] });
  noCity(address.purchaseOrderId);
  const unmapped = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-NEW', quantity: 2 }] });
  const both = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-NEW', quantity: 1 }] });
  noCity(both.purchaseOrderId);
  const fine = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] });
  clock.advance(3 * MIN);
  const storeId = (await authorizeWalmart(svc, a.apiKey, sandboxes, { initialLookbackDays: 3 })).storeIds[0] as string;
  await key('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 1 }] });
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 5 });
  const settle = async () => {
    await svc.projections.caughtUp(['mappings']);
    await svc.policyRunner.caughtUp();
    await svc.projections.caughtUp(['orders']);
  };
  await settle();
  const all = (await json(await key('GET', `/v1/orders?storeId=${storeId}`))).items as { orderId: string; platformOrderId: string; handoff: { state: string } }[];
  const id = (o: { purchaseOrderId: string }) => all.find((x) => x.platformOrderId === o.purchaseOrderId)!.orderId;
  // Held for an unmapped SKU, then mapped (released), then held by a person: only the person's hold stands.
  await key('PUT', `/v1/stores/${storeId}/mappings/WM-LATER`, { components: [{ sku: 'WIDGET', quantity: 1 }] });
  await settle();
  t.equal((await json(await key('GET', `/v1/orders/${id(later)}`))).handoff.state, 'released');
  t.equal((await key('POST', `/v1/orders/${id(later)}/hold`, { reason: 'the buyer called' })).status, 202);
  await settle();
  const ids = async (q: string, token = a.apiKey) => {
    const res = await svc.call('GET', `/v1/orders?${q}`, { token });
    t.equal(res.status, 200, q);
    return ((await json(res)).items as { orderId: string }[]).map((o) => o.orderId).sort();
  };
  const sorted = (...orders: { purchaseOrderId: string }[]) => orders.map(id).sort();

  t.same(await ids('holdReason=unmapped_sku'), sorted(unmapped, both), 'unmapped SKU');
  t.same(await ids('holdReason=address_incomplete'), sorted(address, both), 'incomplete address');
  t.same(await ids('holdReason=operator_hold'), sorted(later), "a person's hold");
  t.same(await ids('holdReason=duplicate_order'), [], 'no duplicates');
  t.same(await ids('holdReason=cancellation_requested'), []);
  t.same(await ids(`holdReason=address_incomplete&storeId=${storeId}&handoff=held`), sorted(address, both), 'with the other filters');
  t.same(await ids('holdReason=address_incomplete&handoff=released'), [], 'a hold reason implies held');
  t.same(await ids(`holdReason=unmapped_sku&q=${both.purchaseOrderId}`), sorted(both));
  t.notOk((await ids('handoff=held')).includes(id(fine)));
  t.same(await ids('holdReason=unmapped_sku', b.apiKey), [], "another tenant's held orders are not listed");

  await t.test('keyset pages hold the filter', async (t) => {
    const first = await json(await key('GET', '/v1/orders?holdReason=address_incomplete&limit=1'));
    t.equal(first.items.length, 1);
    t.type(first.nextCursor, 'string');
    const second = await json(await key('GET', `/v1/orders?holdReason=address_incomplete&limit=1&after=${first.nextCursor}`));
    t.same([first.items[0].orderId, second.items[0].orderId].sort(), sorted(address, both));
  });

  await t.test('the detail shows the reasons the filter finds', async (t) => {
    const codes = async (o: { purchaseOrderId: string }) => ((await json(await key('GET', `/v1/orders/${id(o)}`))).holdReasons as { code: string }[]).map((r) => r.code).sort();
    t.same(await codes(both), ['address_incomplete', 'unmapped_sku']);
    t.same(await codes(later), ['operator_hold']);
  });

  await t.test('a bad value is refused with the allowed values', async (t) => {
    const res = await key('GET', '/v1/orders?holdReason=lost_in_space');
    t.equal(res.status, 400);
    const problem = await json(res);
    t.equal(problem.issues[0].path, 'querystring.holdReason');
    for (const code of ['unmapped_sku', 'address_incomplete', 'unknown_status', 'unknown_fulfillment', 'duplicate_order', 'cancellation_requested', 'operator_hold']) {
      t.match(problem.issues[0].message, code, `lists ${code}`);
    }
  });

  await t.test('documented in the OpenAPI document', async (t) => {
    const doc = await json(await svc.call('GET', '/openapi.json'));
    const param = (doc.paths['/v1/orders'].get.parameters as { name: string; schema: { enum?: string[] } }[]).find((p) => p.name === 'holdReason');
    t.same(param?.schema.enum, ['unmapped_sku', 'address_incomplete', 'unknown_status', 'unknown_fulfillment', 'duplicate_order', 'cancellation_requested', 'operator_hold']);
  });
});
