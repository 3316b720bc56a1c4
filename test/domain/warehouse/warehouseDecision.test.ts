// decideWarehouseMessage: what a warehouse report records on its order, and every refusal, from the
// order's own events (pure: no store, no clock).
import t from 'tap';
import type { WarehouseStreamEvent } from '../../../src/domain/warehouse/warehouseDecision.js';
import { decideWarehouseMessage, foldWarehouse } from '../../../src/domain/warehouse/warehouseDecision.js';
import { WarehouseEventMessage, warehouseEventJsonSchema } from '../../../src/domain/warehouse/warehouseEventMessage.js';

const NOW = '2026-03-02T10:00:00.000Z';
const base = { orderId: 'o1', tenantId: 't1', storeId: 's1' };
const wl = (lineId: string, sku: string, quantity: number) => ({
  lineId, sku, quantity, source: { platformSku: `P-${sku}`, platformLineId: lineId.split(':')[0]!, platformQuantity: quantity, factor: 1, mappingVersion: 1 },
});
const pulled = { type: 'OrderPulled', schemaVersion: 1, data: { ...base, pullId: 'p', contentHash: 'h', pulledAt: NOW, order: {} } } as unknown as WarehouseStreamEvent;
const released: WarehouseStreamEvent = {
  type: 'FulfillmentOrderReleased',
  schemaVersion: 1,
  data: { ...base, lines: [wl('A:0', 'WIDGET', 6), wl('B:0', 'CUP', 2)], mappingVersions: {}, orderVersion: 1, releasedAt: NOW },
};
const msg = (m: Record<string, unknown>) => WarehouseEventMessage.parse({ messageId: 'm1', schemaVersion: 1, occurredAt: NOW, tenantId: 't1', orderId: 'o1', ...m });
const ship = (lines: { lineId: string; quantity: number }[], messageId = 'm1') =>
  msg({ messageId, type: 'ShipmentConfirmed', shipment: { shipmentId: 'S1', carrier: 'UPS', trackingNumber: '1Z', shippedAt: NOW, lines } });

const apply = (events: WarehouseStreamEvent[], m: WarehouseEventMessage) => {
  const d = decideWarehouseMessage(foldWarehouse(events), m, NOW);
  return { d, events: d.outcome === 'record' ? [...events, ...d.events] : events };
};

t.test('a shipment of part of the released lines is recorded with carrier, tracking and lines', async (t) => {
  const { d } = apply([pulled, released], ship([{ lineId: 'A:0', quantity: 4 }]));
  t.equal(d.outcome, 'record');
  t.match(d, {
    events: [{ type: 'WarehouseShipmentRecorded', data: { ...base, messageId: 'm1', shipment: { shipmentId: 'S1', carrier: 'UPS', trackingNumber: '1Z', shipMethod: null, lines: [{ lineId: 'A:0', quantity: 4 }] }, recordedAt: NOW } }],
  });
});

t.test('a tracking page given with the shipment is recorded with it; none given, none recorded', async (t) => {
  const url = 'https://www.ups.com/track?tracknum=1Z';
  const m = msg({ type: 'ShipmentConfirmed', shipment: { shipmentId: 'S1', carrier: 'UPS', trackingNumber: '1Z', trackingUrl: url, shippedAt: NOW, lines: [{ lineId: 'A:0', quantity: 1 }] } });
  t.match(apply([pulled, released], m).d, { outcome: 'record', events: [{ data: { shipment: { trackingUrl: url } } }] });
  const { d } = apply([pulled, released], ship([{ lineId: 'A:0', quantity: 1 }]));
  const [recorded] = d.outcome === 'record' ? d.events : [];
  t.equal(recorded?.type, 'WarehouseShipmentRecorded');
  t.notOk(recorded?.type === 'WarehouseShipmentRecorded' && 'trackingUrl' in recorded.data.shipment, 'absent, as on shipments recorded before the field existed');
});

t.test('the same messageId again is a duplicate, even when it could no longer apply', async (t) => {
  const first = apply([pulled, released], ship([{ lineId: 'A:0', quantity: 6 }]));
  t.same(decideWarehouseMessage(foldWarehouse(first.events), ship([{ lineId: 'A:0', quantity: 6 }]), NOW), { outcome: 'duplicate', events: [] });
});

t.test('refusals', async (t) => {
  const cases: [string, WarehouseStreamEvent[], WarehouseEventMessage][] = [
    ['order_not_found', [], ship([{ lineId: 'A:0', quantity: 1 }])],
    ['order_not_found', [pulled, released], msg({ tenantId: 't2', type: 'ShipmentConfirmed', shipment: { shipmentId: 'S', carrier: 'UPS', trackingNumber: '1', shippedAt: NOW, lines: [{ lineId: 'A:0', quantity: 1 }] } })],
    ['order_not_released', [pulled], ship([{ lineId: 'A:0', quantity: 1 }])],
    ['order_cancelled', [pulled, released, { type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'x', orderVersion: 2, cancelledAt: NOW } }], ship([{ lineId: 'A:0', quantity: 1 }])],
    ['line_not_released', [pulled, released], ship([{ lineId: 'Z:0', quantity: 1 }])],
    ['quantity_exceeds_released', [pulled, released], ship([{ lineId: 'A:0', quantity: 7 }])],
  ];
  for (const [code, events, m] of cases) {
    const d = decideWarehouseMessage(foldWarehouse(events), m, NOW);
    t.equal(d.outcome === 'refused' && d.refusal.code, code, code);
  }
  // Shipped 4 of 6, then 3 more: only 2 are outstanding.
  const after = apply([pulled, released], ship([{ lineId: 'A:0', quantity: 4 }])).events;
  const d = decideWarehouseMessage(foldWarehouse(after), ship([{ lineId: 'A:0', quantity: 3 }], 'm2'), NOW);
  t.match(d, { outcome: 'refused', refusal: { code: 'quantity_exceeds_released', detail: /2 outstanding/ } });
});

t.test('a rejection without lines stops everything still outstanding, recorded line by line', async (t) => {
  let events = apply([pulled, released], ship([{ lineId: 'A:0', quantity: 4 }])).events;
  const r = apply(events, msg({ messageId: 'm2', type: 'FulfillmentRejected', reason: 'out of stock' }));
  t.match(r.d, { outcome: 'record', events: [{ type: 'WarehouseFulfillmentRejected', data: { reason: 'out of stock', lines: [{ lineId: 'A:0', quantity: 2 }, { lineId: 'B:0', quantity: 2 }] } }] });
  events = r.events;
  const again = decideWarehouseMessage(foldWarehouse(events), msg({ messageId: 'm3', type: 'FulfillmentCancelled', reason: 'stop' }), NOW);
  t.match(again, { outcome: 'refused', refusal: { code: 'nothing_outstanding' } });
  const more = decideWarehouseMessage(foldWarehouse(events), ship([{ lineId: 'B:0', quantity: 1 }], 'm4'), NOW);
  t.match(more, { outcome: 'refused', refusal: { code: 'quantity_exceeds_released' } }, 'stopped units cannot ship any more');
});

t.test('a cancellation of some lines; an update keeps what was shipped', async (t) => {
  let events = apply([pulled, released], msg({ type: 'FulfillmentCancelled', reason: 'buyer asked', lines: [{ lineId: 'B:0', quantity: 2 }] })).events;
  t.equal(events.at(-1)!.type, 'WarehouseFulfillmentCancelled');
  events = apply(events, ship([{ lineId: 'A:0', quantity: 2 }], 'm2')).events;
  events.push({ type: 'FulfillmentOrderUpdated', schemaVersion: 1, data: { ...base, lines: [wl('A:0', 'WIDGET', 3)], mappingVersions: {}, orderVersion: 2, updatedAt: NOW } });
  const state = foldWarehouse(events);
  t.same(state.lines, { 'A:0': { released: 3, shipped: 2, stopped: 0 } }, 'the new line set, with what shipped of it');
  t.match(decideWarehouseMessage(state, ship([{ lineId: 'B:0', quantity: 1 }], 'm3'), NOW), { outcome: 'refused', refusal: { code: 'line_not_released' } }, 'a line the update removed');
});

t.test('the contract: schema failures and the published JSON Schema', async (t) => {
  t.notOk(WarehouseEventMessage.safeParse({ messageId: 'x', type: 'Shipped', schemaVersion: 1, occurredAt: NOW, tenantId: 't', orderId: 'o' }).success, 'unknown type');
  const raw = (lines: unknown[], extra = {}) => ({
    messageId: 'm', type: 'ShipmentConfirmed', schemaVersion: 1, occurredAt: NOW, tenantId: 't', orderId: 'o',
    shipment: { shipmentId: 'S', carrier: 'UPS', trackingNumber: '1', shippedAt: NOW, lines }, ...extra,
  });
  t.ok(WarehouseEventMessage.safeParse(raw([{ lineId: 'A:0', quantity: 1 }])).success, 'a valid one');
  t.notOk(WarehouseEventMessage.safeParse(raw([{ lineId: 'A:0', quantity: 1 }, { lineId: 'A:0', quantity: 1 }])).success, 'a line twice');
  t.notOk(WarehouseEventMessage.safeParse(raw([{ lineId: 'A:0', quantity: 1 }], { schemaVersion: 2 })).success, 'another schema version');
  t.notOk(WarehouseEventMessage.safeParse(raw([{ lineId: 'A:0', quantity: 0 }])).success, 'zero quantity');
  t.notOk(WarehouseEventMessage.safeParse(raw([])).success, 'a shipment without lines');
  const schema = warehouseEventJsonSchema();
  t.equal(schema.title, 'OMS warehouse event (WMS → OMS)');
  t.ok(JSON.stringify(schema).includes('ShipmentConfirmed') && JSON.stringify(schema).includes('FulfillmentCancelled'), 'all three types');
});

t.test('docs/warehouse-event.schema.json is what the zod schema generates', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const committed = JSON.parse(await readFile(new URL('../../../docs/warehouse-event.schema.json', import.meta.url), 'utf8'));
  t.same(committed, warehouseEventJsonSchema());
  t.equal(committed.oneOf.length, 3, 'one alternative per message type');
});
