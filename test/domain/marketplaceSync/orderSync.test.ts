import t from 'tap';
import { carrierFor } from '../../../src/domain/marketplaceSync/carriers.js';
import { confirmationState, evolveSync, initialSync, nextAction, type OrderStreamFact } from '../../../src/domain/marketplaceSync/orderSync.js';

// Given/when/then over the pure sender logic: given the order stream, when asked, then the next send.
const base = { orderId: 'o1', tenantId: 't1', storeId: 's1' };
const pulled = (platform: 'amazon' | 'walmart', requested: string[] = []): OrderStreamFact =>
  ({
    type: 'OrderPulled',
    schemaVersion: 1,
    data: {
      ...base,
      pullId: 'p',
      contentHash: 'h',
      pulledAt: '2026-01-01T00:00:00.000Z',
      order: {
        platform, marketplaceId: 'M', platformOrderId: 'PO-1', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
        status: 'unshipped', platformStatus: 'x', fulfillmentChannel: 'merchant', shipBy: null, deliverBy: null, serviceLevel: null,
        shipToCountry: 'US', shipToRegion: null, personalData: null, orderTotal: null,
        lines: ['KIT', 'SIX'].map((id) => ({ lineId: id, platformSku: id, quantityOrdered: id === 'KIT' ? 2 : 1, quantityShipped: 0, quantityCancelled: 0, lineStatus: null, unitPrice: null, title: null, ...(requested.includes(id) ? { cancellationRequested: true as const } : {}) })),
      },
    },
  }) as OrderStreamFact;
const line = (platformLineId: string, index: number, sku: string, platformQuantity: number, factor: number) => ({
  lineId: `${platformLineId}:${index}`, sku, quantity: platformQuantity * factor, source: { platformSku: platformLineId, platformLineId, platformQuantity, factor, mappingVersion: 1 },
});
// KIT (2 ordered) = 1 WIDGET + 2 GADGET each; SIX (1 ordered) = 6 CAN.
const released: OrderStreamFact = {
  type: 'FulfillmentOrderReleased',
  schemaVersion: 1,
  data: { ...base, lines: [line('KIT', 0, 'WIDGET', 2, 1), line('KIT', 1, 'GADGET', 2, 2), line('SIX', 0, 'CAN', 1, 6)], mappingVersions: {}, orderVersion: 1, releasedAt: '2026-01-01T00:00:00.000Z' },
};
const shipped = (shipmentId: string, lines: { lineId: string; quantity: number }[], carrier = 'UPS', trackingUrl?: string): OrderStreamFact => ({
  type: 'WarehouseShipmentRecorded',
  schemaVersion: 1,
  data: { ...base, messageId: `m-${shipmentId}`, shipment: { shipmentId, carrier, trackingNumber: `T-${shipmentId}`, shipMethod: null, ...(trackingUrl ? { trackingUrl } : {}), shippedAt: '2026-01-02T00:00:00Z', lines }, occurredAt: '2026-01-02T00:00:00Z', recordedAt: '2026-01-02T00:00:00.000Z' },
});
const given = (...facts: OrderStreamFact[]) => facts.reduce(evolveSync, initialSync());
const acknowledged: OrderStreamFact = { type: 'MarketplaceOrderAcknowledged', schemaVersion: 1, data: { ...base, platform: 'walmart', platformOrderId: 'PO-1', acknowledgedAt: '2026-01-01T00:00:00.000Z' } };

t.test('given a released Walmart order, when asked, then acknowledge first — and nothing ships before it', async (t) => {
  t.match(nextAction(given(pulled('walmart'), released, shipped('S1', [{ lineId: 'SIX:0', quantity: 6 }]))), { kind: 'acknowledge' });
  t.match(nextAction(given(pulled('walmart'), released, acknowledged, shipped('S1', [{ lineId: 'SIX:0', quantity: 6 }]))), { kind: 'confirm', lines: [{ platformLineId: 'SIX', quantity: 1 }], cancelRequestedLines: [], trackingUrl: null });
  const url = 'https://carrier.example.com/t/T-S1';
  t.match(
    nextAction(given(pulled('walmart'), released, acknowledged, shipped('S1', [{ lineId: 'SIX:0', quantity: 6 }], 'UPS', url))),
    { kind: 'confirm', trackingUrl: url },
    'the warehouse’s tracking page goes with the confirmation',
  );
  t.match(
    nextAction(given(pulled('walmart', ['SIX']), released, acknowledged, shipped('S1', [{ lineId: 'SIX:0', quantity: 6 }]))),
    { kind: 'confirm', cancelRequestedLines: ['SIX'] },
    'a line the buyer asked to cancel, shipped anyway, is named',
  );
  t.equal(nextAction(given(pulled('amazon'))), null, 'nothing before the release');
});

t.test('given part of a combination shipped, then nothing is confirmed until every component shipped; then both shipments are covered', async (t) => {
  const partial = given(pulled('amazon'), released, shipped('S1', [{ lineId: 'KIT:0', quantity: 2 }, { lineId: 'KIT:1', quantity: 3 }]));
  t.match(nextAction(partial), { kind: 'confirm', shipmentId: 'S1', lines: [{ platformLineId: 'KIT', quantity: 1 }] }, 'one kit complete (3 of 4 gadgets)');
  const confirmedFirst = evolveSync(partial, {
    type: 'MarketplaceShipmentConfirmed', schemaVersion: 1,
    data: { ...base, platform: 'amazon', platformOrderId: 'PO-1', shipmentId: 'S1', coveredShipmentIds: ['S1'], carrier: { name: 'UPS', marketplaceCode: 'UPS', other: false }, trackingNumber: 'T-S1', shipMethod: null, shippedAt: 'x', lines: [{ platformLineId: 'KIT', quantity: 1 }], confirmedAt: '2026-01-02T00:00:00.000Z' },
  });
  t.equal(nextAction(confirmedFirst), null, 'nothing more to say');
  t.equal(confirmationState(confirmedFirst), 'confirmed');
  const waiting = given(pulled('amazon'), released, shipped('S1', [{ lineId: 'SIX:0', quantity: 5 }]), shipped('S2', [{ lineId: 'SIX:0', quantity: 1 }], 'Acme'));
  t.match(nextAction(waiting), { kind: 'confirm', shipmentId: 'S2', coveredShipmentIds: ['S1', 'S2'], carrier: { code: 'Others', other: true, name: 'Acme' }, lines: [{ platformLineId: 'SIX', quantity: 1 }] });
});

t.test('given a rejection, then the stopped units are cancelled; whole order only when nothing shipped', async (t) => {
  const stop = (lines: { lineId: string; quantity: number }[]): OrderStreamFact => ({
    type: 'WarehouseFulfillmentRejected', schemaVersion: 1, data: { ...base, messageId: 'R1', reason: 'no stock', lines, occurredAt: '2026-01-02T00:00:00Z', recordedAt: '2026-01-02T00:00:00.000Z' },
  });
  t.match(nextAction(given(pulled('amazon', ['KIT', 'SIX']), released, stop([]))), { kind: 'cancel', wholeOrder: true, buyerRequested: true, lines: [{ platformLineId: 'KIT', quantity: 2 }, { platformLineId: 'SIX', quantity: 1 }] });
  t.match(nextAction(given(pulled('amazon'), released, stop([{ lineId: 'KIT:1', quantity: 1 }]))), { kind: 'cancel', wholeOrder: false, buyerRequested: false, lines: [{ platformLineId: 'KIT', quantity: 1 }] }, 'one gadget short stops one kit');
});

t.test('the carrier table: known names in any spelling; others by name', async (t) => {
  t.same(carrierFor('walmart', 'Fed Ex'), { code: 'FedEx', other: false, name: 'Fed Ex' });
  t.same(carrierFor('amazon', 'united parcel service'), { code: 'UPS', other: false, name: 'united parcel service' });
  t.same(carrierFor('walmart', 'Amazon Logistics'), { code: 'otherCarrier', other: true, name: 'Amazon Logistics' });
  // Walmart US codes as its orders spec lists them (CarrierNameType): DHL only as DHL eCommerce.
  t.same(carrierFor('walmart', 'DHL'), { code: 'DHL Ecommerce - US', other: false, name: 'DHL' });
  t.same(carrierFor('walmart', 'DHL Express'), { code: 'otherCarrier', other: true, name: 'DHL Express' });
  t.same(carrierFor('walmart', 'Royal Mail'), { code: 'Royal Mail', other: false, name: 'Royal Mail' });
  t.same(carrierFor('amazon', 'FedEx SmartPost'), { code: 'Others', other: true, name: 'FedEx SmartPost' });
  t.same(carrierFor('amazon', 'Acme'), { code: 'Others', other: true, name: 'Acme' });
});
