import t from 'tap';
import type { OrderPulled, StoredOrder } from '../../../src/domain/order/events.js';
import { fulfillmentDecider, type OrderStreamEvent } from '../../../src/domain/order/fulfillment.js';
import type { FulfillmentEvent, HoldReason } from '../../../src/domain/order/fulfillmentEvents.js';
import type { MappingLookup } from '../../../src/domain/mapping/lookups.js';
import { deciderSpec } from '../../support/deciderSpec.js';

const spec = deciderSpec(fulfillmentDecider);
const now = '2026-11-23T12:00:00.000Z';
const base = { orderId: 'o1', tenantId: 't1', storeId: 's1' };

const order = (over: Partial<StoredOrder> = {}, lines = [{ lineId: 'L1', platformSku: 'AMZ-6PK', ordered: 2, cancelled: 0 }, { lineId: 'L2', platformSku: 'KIT', ordered: 1, cancelled: 0 }]): StoredOrder => ({
  platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', platformOrderId: '111-1', createdAt: now, updatedAt: now, status: 'unshipped',
  platformStatus: 'UNSHIPPED', fulfillmentChannel: 'merchant', shipBy: null, deliverBy: null, serviceLevel: 'Standard', shipToCountry: 'US',
  shipToRegion: 'WA', personalData: 'v1.sealed', orderTotal: null,
  lines: lines.map((l) => ({ lineId: l.lineId, platformSku: l.platformSku, quantityOrdered: l.ordered, quantityShipped: 0, quantityCancelled: l.cancelled, lineStatus: null, unitPrice: null, title: null })),
  ...over,
});
const pulled = (o: StoredOrder): OrderPulled => ({ type: 'OrderPulled', schemaVersion: 1, data: { ...base, pullId: 'p', contentHash: 'h', order: o, pulledAt: now } });
const mappings: MappingLookup = new Map([
  ['AMZ-6PK', { version: 2, components: [{ sku: 'WIDGET', quantity: 6 }] }],
  ['KIT', { version: 1, components: [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 3 }] }],
]);
const evaluate = (m: MappingLookup = mappings) => ({ type: 'Evaluate' as const, data: { mappings: m, now } });

const released: FulfillmentEvent = {
  type: 'FulfillmentOrderReleased',
  schemaVersion: 1,
  data: {
    ...base,
    lines: [
      { lineId: 'L1:0', sku: 'WIDGET', quantity: 12, source: { platformSku: 'AMZ-6PK', platformLineId: 'L1', platformQuantity: 2, factor: 6, mappingVersion: 2 } },
      { lineId: 'L2:0', sku: 'WIDGET', quantity: 1, source: { platformSku: 'KIT', platformLineId: 'L2', platformQuantity: 1, factor: 1, mappingVersion: 1 } },
      { lineId: 'L2:1', sku: 'GADGET', quantity: 3, source: { platformSku: 'KIT', platformLineId: 'L2', platformQuantity: 1, factor: 3, mappingVersion: 1 } },
    ],
    mappingVersions: { 'AMZ-6PK': 2, KIT: 1 },
    orderVersion: 1,
    releasedAt: now,
  },
};

t.test('a shippable, merchant-fulfilled, fully mapped order is released with factors and combinations expanded', async (t) => {
  spec(t).given(pulled(order())).when(evaluate()).then(released);
});

t.test('an unmapped SKU holds the order, naming it; the same hold is not repeated; a mapping releases it', async (t) => {
  const partial: MappingLookup = new Map([...mappings].filter(([k]) => k !== 'KIT'));
  const held: OrderStreamEvent = { type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: ['KIT'], reasons: [{ code: 'unmapped_sku', platformSkus: ['KIT'] }], heldSince: now, orderVersion: 1 } };
  spec(t).given(pulled(order())).when(evaluate(partial)).then(held);
  spec(t).given(pulled(order()), held).when(evaluate(partial)).thenNothingHappened();
  spec(t).given(pulled(order()), held).when(evaluate()).then(released);
});

t.test('a platform SKU equal to a system SKU is still unmapped without a mapping', async (t) => {
  const o = order({}, [{ lineId: 'L1', platformSku: 'WIDGET', ordered: 1, cancelled: 0 }]);
  const events = spec(t).given(pulled(o)).when(evaluate()).then({ type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: ['WIDGET'], reasons: [{ code: 'unmapped_sku', platformSkus: ['WIDGET'] }], heldSince: now, orderVersion: 1 } });
  t.equal(events.length, 1);
});

t.test('marketplace-fulfilled orders (FBA/WFS) are recorded once and never released', async (t) => {
  const fba = pulled(order({ fulfillmentChannel: 'marketplace' }));
  const recorded: OrderStreamEvent = { type: 'OrderFulfilledByMarketplace', schemaVersion: 1, data: { ...base, recordedAt: now } };
  spec(t).given(fba).when(evaluate()).then(recorded);
  spec(t).given(fba, recorded).when(evaluate()).thenNothingHappened();
});

t.test('pending orders wait; a held order cancelled before release is dropped', async (t) => {
  spec(t).given(pulled(order({ status: 'pending' }))).when(evaluate()).thenNothingHappened();
  const held: OrderStreamEvent = { type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: ['KIT'], heldSince: now, orderVersion: 1 } };
  spec(t).given(pulled(order()), held, pulled(order({ status: 'cancelled' }))).when(evaluate()).then({ type: 'OrderHoldDropped', schemaVersion: 1, data: { ...base, reason: 'cancelled', droppedAt: now } });
});

t.test('after release: a cancellation is forwarded once; a line change sends the whole new line set', async (t) => {
  const cancelledEvent: OrderStreamEvent = { type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'cancelled on the marketplace', orderVersion: 2, cancelledAt: now } };
  spec(t).given(pulled(order()), released, pulled(order({ status: 'cancelled' }))).when(evaluate()).then(cancelledEvent);
  spec(t).given(pulled(order()), released, pulled(order({ status: 'cancelled' })), cancelledEvent).when(evaluate()).thenNothingHappened();
  spec(t).given(pulled(order()), released, pulled(order({ platformStatus: 'UNSHIPPED', updatedAt: '2026-11-23T13:00:00.000Z' }))).when(evaluate()).thenNothingHappened();
  const reduced = order({}, [{ lineId: 'L1', platformSku: 'AMZ-6PK', ordered: 2, cancelled: 1 }, { lineId: 'L2', platformSku: 'KIT', ordered: 1, cancelled: 0 }]);
  const [update] = spec(t).given(pulled(order()), released, pulled(reduced)).when(evaluate()).then({
    type: 'FulfillmentOrderUpdated',
    schemaVersion: 1,
    data: { ...base, lines: [{ ...released.data.lines[0]!, quantity: 6, source: { ...released.data.lines[0]!.source, platformQuantity: 1 } }, released.data.lines[1]!, released.data.lines[2]!] as never, mappingVersions: { 'AMZ-6PK': 2, KIT: 1 }, orderVersion: 2, updatedAt: now },
  });
  t.ok(update);
  const allCancelled = order({}, [{ lineId: 'L1', platformSku: 'AMZ-6PK', ordered: 2, cancelled: 2 }, { lineId: 'L2', platformSku: 'KIT', ordered: 1, cancelled: 1 }]);
  spec(t).given(pulled(order()), released, pulled(allCancelled)).when(evaluate()).then(cancelledEvent);
});

const heldFor = (reasons: HoldReason[], unmappedSkus: string[] = []): OrderStreamEvent =>
  ({ type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus, reasons, heldSince: now, orderVersion: 1 } });

t.test('an address a label cannot be printed from holds the order (address_incomplete); a later pull with the address releases it', async (t) => {
  const withheld = order({ shipToMissing: ['name', 'addressLine1', 'city', 'postalCode', 'countryCode'] });
  const held = heldFor([{ code: 'address_incomplete', missingFields: ['name', 'addressLine1', 'city', 'postalCode', 'countryCode'] }]);
  spec(t).given(pulled(withheld)).when(evaluate()).then(held);
  spec(t).given(pulled(withheld), held).when(evaluate()).thenNothingHappened();
  const complete = order({ shipToMissing: [], updatedAt: '2026-11-23T13:00:00.000Z' });
  const [release] = spec(t).given(pulled(withheld), held, pulled(complete)).when(evaluate()).then({ ...released, data: { ...released.data, orderVersion: 2 } });
  t.equal(release?.type, 'FulfillmentOrderReleased');
  // Every reason at once, so an operator sees all that is missing.
  const partial: MappingLookup = new Map([...mappings].filter(([k]) => k !== 'KIT'));
  spec(t)
    .given(pulled(order({ shipToMissing: ['postalCode'], fulfillmentChannel: 'unknown' })))
    .when(evaluate(partial))
    .then(heldFor([{ code: 'unknown_fulfillment' }, { code: 'address_incomplete', missingFields: ['postalCode'] }, { code: 'unmapped_sku', platformSkus: ['KIT'] }], ['KIT']));
});

t.test('an unknown status is held and never released; a known one later decides it', async (t) => {
  const unknown = order({ status: 'unknown', platformStatus: 'TELEPORTED' });
  const held = heldFor([{ code: 'unknown_status', platformStatus: 'TELEPORTED' }]);
  spec(t).given(pulled(unknown)).when(evaluate()).then(held);
  spec(t).given(pulled(unknown), held).when(evaluate()).thenNothingHappened();
  spec(t).given(pulled(unknown), held, pulled(order())).when(evaluate()).then({ ...released, data: { ...released.data, orderVersion: 2 } });
});

t.test('a marketplace order another store released is held as duplicate_order until an operator authorizes it', async (t) => {
  const owner = { orderId: 'o-first', storeId: 's-first' };
  const duplicate = heldFor([{ code: 'duplicate_order', ownerStoreId: 's-first', ownerOrderId: 'o-first' }]);
  const withOwner = { type: 'Evaluate' as const, data: { mappings, now, owner } };
  spec(t).given(pulled(order())).when(withOwner).then(duplicate);
  spec(t).given(pulled(order())).when({ type: 'Evaluate', data: { mappings, now, owner: { orderId: 'o1', storeId: 's1' } } }).then(released);
  const authorized: OrderStreamEvent = { type: 'OrderReleaseAuthorized', schemaVersion: 1, data: { ...base, actor: 'api-key:k1', reason: 'second shop really sold it', authorizedAt: now } };
  spec(t).given(pulled(order()), duplicate, authorized).when(withOwner).then(released);
});

t.test('a held order of a revoked store is withdrawn for good; other states are left alone', async (t) => {
  const partial: MappingLookup = new Map([...mappings].filter(([k]) => k !== 'KIT'));
  const held = heldFor([{ code: 'unmapped_sku', platformSkus: ['KIT'] }], ['KIT']);
  const withdrawn: OrderStreamEvent = { type: 'OrderWithdrawn', schemaVersion: 1, data: { ...base, reason: 'store_revoked', withdrawnAt: now } };
  spec(t).given(pulled(order()), held).when({ type: 'Withdraw', data: { now } }).then(withdrawn);
  spec(t).given(pulled(order()), held, withdrawn).when(evaluate()).thenNothingHappened();
  spec(t).given(pulled(order()), held, withdrawn).when(evaluate(partial)).thenNothingHappened();
  spec(t).given(pulled(order()), released).when({ type: 'Withdraw', data: { now } }).thenNothingHappened();
  spec(t).given().when({ type: 'Withdraw', data: { now } }).thenNothingHappened();
});

const asked = (o: StoredOrder, lineIds: string[], reason?: string): StoredOrder => ({
  ...o,
  lines: o.lines.map((l) => (lineIds.includes(l.lineId) ? { ...l, cancellationRequested: true as const, ...(reason ? { cancellationReason: reason } : {}) } : l)),
});

t.test('after release: a buyer cancellation request is sent once per line, with the reason; a later request on another line is sent too', async (t) => {
  const first: FulfillmentEvent = {
    type: 'FulfillmentOrderCancellationRequested',
    schemaVersion: 1,
    data: { ...base, lines: [{ platformLineId: 'L2', reason: 'BuyerCanceled' }], orderVersion: 2, requestedAt: now },
  };
  spec(t).given(pulled(order()), released, pulled(asked(order(), ['L2'], 'BuyerCanceled'))).when(evaluate()).then(first);
  spec(t).given(pulled(order()), released, pulled(asked(order(), ['L2'], 'BuyerCanceled')), first).when(evaluate()).thenNothingHappened();
  spec(t)
    .given(pulled(order()), released, pulled(asked(order(), ['L2'], 'BuyerCanceled')), first, pulled(asked(order(), ['L1', 'L2'])))
    .when(evaluate())
    .then({ type: 'FulfillmentOrderCancellationRequested', schemaVersion: 1, data: { ...base, lines: [{ platformLineId: 'L1', reason: null }], orderVersion: 3, requestedAt: now } });
});

t.test('after release: a request on a line the marketplace cancelled at the same time is an update only; a whole cancellation wins', async (t) => {
  const lineGone = asked(order({}, [{ lineId: 'L1', platformSku: 'AMZ-6PK', ordered: 2, cancelled: 0 }, { lineId: 'L2', platformSku: 'KIT', ordered: 1, cancelled: 1 }]), ['L2']);
  const state = [pulled(order()), released, pulled(lineGone)].reduce(fulfillmentDecider.evolve, fulfillmentDecider.initialState());
  t.same(fulfillmentDecider.decide(evaluate(), state).map((e) => e.type), ['FulfillmentOrderUpdated'], 'the line is gone: nothing to stop');
  spec(t)
    .given(pulled(order()), released, pulled(asked(order({ status: 'cancelled' }), ['L1'])))
    .when(evaluate())
    .then({ type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'cancelled on the marketplace', orderVersion: 2, cancelledAt: now } });
});

t.test('before release: an order with a buyer cancellation request is held (cancellation_requested), even fully mapped', async (t) => {
  const reasons: HoldReason[] = [{ code: 'cancellation_requested', platformLineIds: ['L1'] }];
  spec(t)
    .given(pulled(asked(order(), ['L1'])))
    .when(evaluate())
    .then({ type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: [], reasons, heldSince: now, orderVersion: 1 } });
});

t.test('units the marketplace shipped before the release (outside OMS) are not sent to the warehouse, and stay excluded after it', async (t) => {
  // Walmart: 1 of the 2 units of L1 already Shipped when OMS first sees the order.
  const partlyShipped = (shipped: number): StoredOrder => {
    const o = order({ status: 'partially_shipped', platformStatus: 'PartiallyShipped' });
    return { ...o, lines: o.lines.map((l) => (l.lineId === 'L1' ? { ...l, quantityShipped: shipped } : l)) };
  };
  const releasedOpen: FulfillmentEvent = {
    type: 'FulfillmentOrderReleased',
    schemaVersion: 1,
    data: {
      ...base,
      lines: [
        { lineId: 'L1:0', sku: 'WIDGET', quantity: 6, source: { platformSku: 'AMZ-6PK', platformLineId: 'L1', platformQuantity: 1, factor: 6, mappingVersion: 2 } },
        { lineId: 'L2:0', sku: 'WIDGET', quantity: 1, source: { platformSku: 'KIT', platformLineId: 'L2', platformQuantity: 1, factor: 1, mappingVersion: 1 } },
        { lineId: 'L2:1', sku: 'GADGET', quantity: 3, source: { platformSku: 'KIT', platformLineId: 'L2', platformQuantity: 1, factor: 3, mappingVersion: 1 } },
      ],
      mappingVersions: { 'AMZ-6PK': 2, KIT: 1 },
      orderVersion: 1,
      releasedAt: now,
      shippedOutside: { L1: 1 },
    },
  };
  spec(t).given(pulled(partlyShipped(1))).when(evaluate()).then(releasedOpen);
  // OMS's own confirmations raise the marketplace's shipped count later: that changes nothing.
  spec(t).given(pulled(partlyShipped(1)), releasedOpen, pulled(partlyShipped(2))).when(evaluate()).thenNothingHappened();
  // A release without the field (before it existed) keeps its meaning: nothing shipped outside.
  spec(t).given(pulled(order()), released, pulled(partlyShipped(2))).when(evaluate()).thenNothingHappened();
});

t.test('an order whose every open unit was shipped outside OMS is not released; a hold on it is dropped', async (t) => {
  const o = order({ status: 'partially_shipped', platformStatus: 'PartiallyShipped' }, [{ lineId: 'L1', platformSku: 'AMZ-6PK', ordered: 2, cancelled: 1 }]);
  const allShipped: StoredOrder = { ...o, lines: o.lines.map((l) => ({ ...l, quantityShipped: 1 })) };
  spec(t).given(pulled(allShipped)).when(evaluate()).thenNothingHappened();
  const held: OrderStreamEvent = { type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: ['AMZ-6PK'], heldSince: now, orderVersion: 1 } };
  spec(t).given(pulled(o), held, pulled(allShipped)).when(evaluate()).then({ type: 'OrderHoldDropped', schemaVersion: 1, data: { ...base, reason: 'shipped outside OMS', droppedAt: now } });
});
