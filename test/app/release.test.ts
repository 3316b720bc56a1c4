import t from 'tap';
import { startTestService, type TestService } from '../support/service.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
};

const handoff = async (svc: TestService, platformOrderId: string) =>
  (
    await svc.db.query<{ handoff_state: string; hold_skus: string[]; warehouse_lines: { sku: string; quantity: number }[]; last_message_type: string | null }>(
      'SELECT handoff_state, hold_skus, warehouse_lines, last_message_type FROM rm_orders WHERE platform_order_id = $1',
      [platformOrderId],
    )
  ).rows[0];

t.test('pulled orders are released, held on unmapped SKUs until mapped, cancelled after release; FBA never', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  for (const [sku, name] of [['WIDGET', 'Widget'], ['GADGET', 'Gadget']]) await call('POST', '/v1/products', { sku, name });

  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  const created = clock.now().getTime() - 60 * MIN;
  const sixPack = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-6PK', quantity: 2 }] });
  const kit = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'KIT', quantity: 1 }] });
  const fba = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', fulfilledBy: 'AMAZON', items: [{ sellerSku: 'AMZ-6PK', quantity: 1 }] });
  await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] });

  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 3 });
  await settle(svc);
  t.match(await handoff(svc, sixPack.orderId), { handoff_state: 'released', warehouse_lines: [{ sku: 'WIDGET', quantity: 12 }] }, 'factor 6 × 2');
  t.match(await handoff(svc, kit.orderId), { handoff_state: 'held', hold_skus: ['KIT'] }, 'held with the unmapped SKU');
  t.match(await handoff(svc, fba.orderId), { handoff_state: 'marketplace', last_message_type: null }, 'FBA recorded, not released');

  const imported = await call('POST', `/v1/stores/${storeId}/mappings/import`, 'platform_sku,system_sku,quantity\nKIT,WIDGET,1\nKIT,GADGET,3\n', { 'content-type': 'text/csv' });
  t.equal(imported.status, 200);
  await settle(svc);
  t.match(await handoff(svc, kit.orderId), { handoff_state: 'released', warehouse_lines: [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 3 }] }, 'the import released the held order');

  amazon.orders.cancel(sixPack.orderId);
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersChanged: 1 });
  await settle(svc);
  t.match(await handoff(svc, sixPack.orderId), { handoff_state: 'cancelled', last_message_type: 'FulfillmentOrderCancelled' });

  const order = (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [kit.orderId])).rows[0]!;
  const history = await svc.store.readStream(orderStreamId(order.order_id));
  t.same(history.map((e) => e.type), ['OrderPulled', 'OrderHeld', 'FulfillmentOrderReleased']);
  t.match(history[2]!.data, { mappingVersions: { KIT: 1 } }, 'the mapping version used is recorded');
  t.match(history[2]!.metadata, { actor: 'system:release-policy', causationId: /./ });
});
