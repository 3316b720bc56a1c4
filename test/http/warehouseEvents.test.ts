// POST /v1/warehouse/events over real HTTP on the whole service (real PostgreSQL): a shipment is
// recorded once (202, then 200 for the same messageId), every refusal answers its code and writes
// nothing, the tenant of the key must be the message's, and the order detail and list show what
// the warehouse reported.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { json, startTestService } from '../support/service.js';
import { createTenant, seedStore } from '../support/tenants.js';
import { seedReleasedOrder, shipment, stop } from '../support/warehouseOrders.js';
import { WAREHOUSE_EVENT_TYPES } from '../../src/domain/order/warehouseEvents.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

t.test('warehouse events over HTTP', { timeout: 120_000 }, async (t) => {
  const svc = await startTestService(t);
  const a = await createTenant(svc, 'Seller A');
  const b = await createTenant(svc, 'Seller B');
  const storeId = await seedStore(svc, a.tenantId);
  const orderId = await seedReleasedOrder(svc.store, { tenantId: a.tenantId, storeId });
  const post = (token: string, body: unknown) => svc.call('POST', '/v1/warehouse/events', { token, body });
  const withTrackingUrl = (m: ReturnType<typeof shipment>, trackingUrl: string) => ({ ...m, shipment: { ...(m as { shipment: object }).shipment, trackingUrl } });
  // Warehouse facts only: the marketplace sender appends its own outcomes to the stream in the background.
  const streamLength = async (id = orderId) =>
    (await svc.store.readStream(orderStreamId(id))).filter((e) => (WAREHOUSE_EVENT_TYPES as readonly string[]).includes(e.type)).length;

  await t.test('a shipment is recorded once; the same messageId again changes nothing', async (t) => {
    const m = shipment(a.tenantId, orderId, [{ lineId: 'L1:0', quantity: 12 }]);
    const first = await post(a.apiKey, m);
    t.equal(first.status, 202);
    t.same(await json(first), { outcome: 'recorded', orderId, messageId: m.messageId });
    const before = await streamLength();
    const again = await post(a.apiKey, m);
    t.equal(again.status, 200);
    t.equal((await json(again)).outcome, 'duplicate');
    t.equal(await streamLength(), before, 'nothing appended by the duplicate');
    const recorded = (await svc.store.readStream(orderStreamId(orderId))).filter((e) => e.type === 'WarehouseShipmentRecorded');
    t.equal(recorded.length, 1);
    t.match(recorded[0]!.data, { messageId: m.messageId, shipment: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', lines: [{ lineId: 'L1:0', quantity: 12 }] } });
  });

  await t.test('the order shows what the warehouse reported: partially shipped, then shipped', async (t) => {
    await svc.projections.caughtUp(['orders']);
    let detail = await json(await svc.call('GET', `/v1/orders/${orderId}`, { token: a.apiKey }));
    t.equal(detail.handoff.state, 'partially_shipped');
    t.same(detail.warehouse.lines, [
      { lineId: 'L1:0', released: 12, shipped: 12, stopped: 0 },
      { lineId: 'L2:0', released: 1, shipped: 0, stopped: 0 },
    ]);
    t.match(detail.warehouse.shipments, [{ carrier: 'UPS', shipMethod: 'Ground', trackingUrl: null, lines: [{ lineId: 'L1:0', quantity: 12 }] }]);
    const second = shipment(a.tenantId, orderId, [{ lineId: 'L2:0', quantity: 1 }]);
    const url = 'https://www.ups.com/track?tracknum=1Z999AA10123456784';
    t.equal((await post(a.apiKey, withTrackingUrl(second, url))).status, 202, 'with a tracking page');
    await svc.projections.caughtUp(['orders']);
    detail = await json(await svc.call('GET', `/v1/orders/${orderId}`, { token: a.apiKey }));
    t.equal(detail.handoff.state, 'shipped');
    t.equal(detail.warehouse.shipments.length, 2);
    t.equal(detail.warehouse.shipments[1].trackingUrl, url, 'the detail shows the tracking page');
    const list = await json(await svc.call('GET', '/v1/orders?handoff=shipped', { token: a.apiKey }));
    t.same(list.items.map((o: { orderId: string }) => o.orderId), [orderId], 'the list filters on the new state');
  });

  await t.test('refusals answer their code and write nothing', async (t) => {
    const other = await seedReleasedOrder(svc.store, { tenantId: a.tenantId, storeId });
    const cancelled = await seedReleasedOrder(svc.store, { tenantId: a.tenantId, storeId, cancelled: true });
    const held = await seedReleasedOrder(svc.store, { tenantId: a.tenantId, storeId, released: false });
    const cases: [string, number, string, unknown][] = [
      ['order_not_found', 422, randomUUID(), shipment(a.tenantId, randomUUID(), [{ lineId: 'L1:0', quantity: 1 }])],
      ['line_not_released', 422, other, shipment(a.tenantId, other, [{ lineId: 'L9:0', quantity: 1 }])],
      ['quantity_exceeds_released', 422, other, shipment(a.tenantId, other, [{ lineId: 'L1:0', quantity: 13 }])],
      ['quantity_exceeds_released', 422, orderId, shipment(a.tenantId, orderId, [{ lineId: 'L1:0', quantity: 1 }])],
      ['order_cancelled', 409, cancelled, shipment(a.tenantId, cancelled, [{ lineId: 'L1:0', quantity: 1 }])],
      ['order_not_released', 409, held, stop('FulfillmentRejected', a.tenantId, held)],
      ['nothing_outstanding', 409, orderId, stop('FulfillmentCancelled', a.tenantId, orderId)],
      ['tenant_mismatch', 403, other, shipment(b.tenantId, other, [{ lineId: 'L1:0', quantity: 1 }])],
    ];
    for (const [code, status, id, body] of cases) {
      const before = await streamLength(id);
      const res = await post(a.apiKey, body);
      const problem = await json(res);
      t.equal(res.status, status, `${code}: ${status}`);
      t.equal(problem.code, code, code);
      t.equal(problem.type, `/problems/${code}`);
      t.equal(await streamLength(id), before, `${code}: nothing written`);
    }
    // Tenant B's key with B's tenant id, on A's order: the same answer as a missing order.
    const foreign = await post(b.apiKey, shipment(b.tenantId, other, [{ lineId: 'L1:0', quantity: 1 }]));
    t.equal((await json(foreign)).code, 'order_not_found', "another tenant's order is not found");
    const bad = await post(a.apiKey, { ...shipment(a.tenantId, other, [{ lineId: 'L1:0', quantity: 1 }]), type: 'Shipped' });
    t.equal(bad.status, 400, 'a message outside the contract is 400');
    const valid = shipment(a.tenantId, other, [{ lineId: 'L1:0', quantity: 1 }]);
    for (const trackingUrl of ['javascript:alert(1)', 'ftp://carrier.example.com/t/1', 'not a url', `https://carrier.example.com/${'t'.repeat(2100)}`]) {
      const before = await streamLength(other);
      const res = await post(a.apiKey, withTrackingUrl(valid, trackingUrl));
      t.equal(res.status, 400, `tracking URL ${trackingUrl.slice(0, 30)}: 400`);
      t.match(JSON.stringify(await json(res)), /trackingUrl/, 'the problem names the field');
      t.equal(await streamLength(other), before, 'nothing written');
    }
    t.equal((await svc.call('POST', '/v1/warehouse/events', { body: shipment(a.tenantId, other, [{ lineId: 'L1:0', quantity: 1 }]) })).status, 401);
  });

  await t.test('rejections and cancellations of lines', async (t) => {
    const id = await seedReleasedOrder(svc.store, { tenantId: a.tenantId, storeId });
    t.equal((await post(a.apiKey, stop('FulfillmentCancelled', a.tenantId, id, [{ lineId: 'L2:0', quantity: 1 }]))).status, 202);
    t.equal((await post(a.apiKey, stop('FulfillmentRejected', a.tenantId, id))).status, 202, 'the rest, without lines');
    await svc.projections.caughtUp(['orders']);
    const detail = await json(await svc.call('GET', `/v1/orders/${id}`, { token: a.apiKey }));
    t.equal(detail.handoff.state, 'rejected');
    t.match(detail.warehouse.stops, [
      { type: 'cancelled', reason: 'stopped on request', lines: [{ lineId: 'L2:0', quantity: 1 }] },
      { type: 'rejected', reason: 'out of stock', lines: [{ lineId: 'L1:0', quantity: 12 }] },
    ]);
    const metrics = await (await svc.call('GET', '/metrics')).text();
    t.match(metrics, /oms_warehouse_messages_total\{[^}]*source="http"[^}]*outcome="recorded"[^}]*\} [1-9]/);
    t.match(metrics, /oms_warehouse_messages_rejected_total\{[^}]*reason="order_cancelled"[^}]*\} 1/);
  });
});
