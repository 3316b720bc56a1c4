// Given/when/then for people's actions on an order (hold, release, cancel, re-send, correct the
// ship-to, a recorded buyer-data view), and how the release policy's decider honours them.
import t from 'tap';
import type { OrderPulled, StoredOrder } from '../../../src/domain/order/events.js';
import { fulfillmentDecider, type OrderStreamEvent } from '../../../src/domain/order/fulfillment.js';
import type { FulfillmentEvent } from '../../../src/domain/order/fulfillmentEvents.js';
import { mayDo, operatorActionDecider, type OperatorCommand } from '../../../src/domain/order/operatorActions.js';
import type { MappingLookup } from '../../../src/domain/mapping/lookups.js';
import { deciderSpec } from '../../support/deciderSpec.js';

const spec = deciderSpec(operatorActionDecider);
const policy = deciderSpec(fulfillmentDecider);
const now = '2026-11-23T12:00:00.000Z';
const later = '2026-11-23T13:00:00.000Z';
const base = { orderId: 'o1', tenantId: 't1', storeId: 's1' };
const who = { actor: 'user:u1', reason: 'buyer called', now: later };

const order = (over: Partial<StoredOrder> = {}): StoredOrder => ({
  platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', platformOrderId: '111-1', createdAt: now, updatedAt: now, status: 'unshipped',
  platformStatus: 'UNSHIPPED', fulfillmentChannel: 'merchant', shipBy: null, deliverBy: null, serviceLevel: 'Standard', shipToCountry: 'US',
  shipToRegion: 'WA', personalData: 'v1.sealed', orderTotal: null,
  lines: [{ lineId: 'L1', platformSku: 'AMZ-6PK', quantityOrdered: 2, quantityShipped: 0, quantityCancelled: 0, lineStatus: null, unitPrice: null, title: null }],
  ...over,
});
const pulled = (o: StoredOrder = order()): OrderPulled => ({ type: 'OrderPulled', schemaVersion: 1, data: { ...base, pullId: 'p', contentHash: 'h', order: o, pulledAt: now } });
const mappings: MappingLookup = new Map([['AMZ-6PK', { version: 2, components: [{ sku: 'WIDGET', quantity: 6 }] }]]);
const evaluate = { type: 'Evaluate' as const, data: { mappings, now: later } };
const line = { lineId: 'L1:0', sku: 'WIDGET', quantity: 12, source: { platformSku: 'AMZ-6PK', platformLineId: 'L1', platformQuantity: 2, factor: 6, mappingVersion: 2 } };
const released: FulfillmentEvent = { type: 'FulfillmentOrderReleased', schemaVersion: 1, data: { ...base, lines: [line], mappingVersions: { 'AMZ-6PK': 2 }, orderVersion: 1, releasedAt: now } };
const unmappedHeld: FulfillmentEvent = { type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: ['AMZ-6PK'], reasons: [{ code: 'unmapped_sku', platformSkus: ['AMZ-6PK'] }], heldSince: now, orderVersion: 1 } };
const heldBy = (wasReleased: boolean, heldSince = later): FulfillmentEvent => ({ type: 'OrderHeldByOperator', schemaVersion: 1, data: { ...base, actor: 'user:u1', reason: 'buyer called', wasReleased, heldSince, heldAt: later } });
const releasedBy = (handoff: 'none' | 'held'): FulfillmentEvent => ({ type: 'OrderReleasedByOperator', schemaVersion: 1, data: { ...base, actor: 'user:u1', reason: 'buyer called', handoff, releasedAt: later } });
const cmd = (type: Exclude<OperatorCommand['type'], 'CorrectShipTo' | 'RecordBuyerDataView'>): OperatorCommand => ({ type, data: who });
const correct = (shipToMissing: string[] = []): OperatorCommand => ({
  type: 'CorrectShipTo',
  data: { ...who, personalData: 'v1.sealed-new', shipToCountry: 'US', shipToRegion: 'AR', shipToMissing },
});

t.test('hold: before a decision, on top of a system hold, or after release (the warehouse is then told to stop)', async (t) => {
  spec(t).given(pulled()).when(cmd('HoldOrder')).then(heldBy(false));
  spec(t).given(pulled(), unmappedHeld).when(cmd('HoldOrder')).then(heldBy(false, now));
  spec(t).given(pulled(), released).when(cmd('HoldOrder')).then(heldBy(true));
  const refused = spec(t).given(pulled(), heldBy(false)).when(cmd('HoldOrder')).thenThrows('action_not_allowed');
  t.match(refused?.details, { action: 'hold', handoffState: 'held', holdReasons: ['operator_hold'] }, 'the state is named');
  spec(t).given(pulled(), released, { type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'x', orderVersion: 1, cancelledAt: now } }).when(cmd('HoldOrder')).thenThrows('action_not_allowed');
  spec(t).given().when(cmd('HoldOrder')).thenThrows('not_found');
});

t.test('a person\'s hold keeps the release policy from releasing; their release lets it decide again', async (t) => {
  policy(t).given(pulled(), heldBy(false)).when(evaluate).thenNothingHappened();
  // A pull while held records the reasons together.
  policy(t).given(pulled(), unmappedHeld, heldBy(false, now), pulled()).when({ ...evaluate, data: { ...evaluate.data, mappings: new Map() } }).thenNothingHappened();
  spec(t).given(pulled(), heldBy(false)).when(cmd('ReleaseOrder')).then(releasedBy('none'));
  policy(t).given(pulled(), heldBy(false), releasedBy('none')).when(evaluate).then({ ...released, data: { ...released.data, releasedAt: later } });
  // Held after release: the release sends the order again.
  spec(t).given(pulled(), released, heldBy(true)).when(cmd('ReleaseOrder')).then(releasedBy('held'));
  policy(t).given(pulled(), released, heldBy(true), releasedBy('held')).when(evaluate).then({ ...released, data: { ...released.data, releasedAt: later } });
  // Other reasons still hold it.
  spec(t).given(pulled(), unmappedHeld, heldBy(false, now)).when(cmd('ReleaseOrder')).then(releasedBy('held'));
  policy(t).given(pulled(), unmappedHeld, heldBy(false, now), releasedBy('held')).when({ ...evaluate, data: { ...evaluate.data, mappings: new Map() } }).thenNothingHappened();
});

t.test('release is refused unless a person holds it, it is a held duplicate, or its address was corrected', async (t) => {
  spec(t).given(pulled()).when(cmd('ReleaseOrder')).thenThrows('release_not_allowed');
  spec(t).given(pulled(), unmappedHeld).when(cmd('ReleaseOrder')).thenThrows('release_not_allowed');
  spec(t).given(pulled(), released).when(cmd('ReleaseOrder')).thenThrows('release_not_allowed');
  const duplicate: FulfillmentEvent = { type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: [], reasons: [{ code: 'duplicate_order', ownerStoreId: 's2', ownerOrderId: 'o2' }], heldSince: now, orderVersion: 1 } };
  spec(t).given(pulled(), duplicate).when(cmd('ReleaseOrder')).then({ type: 'OrderReleaseAuthorized', schemaVersion: 1, data: { ...base, actor: 'user:u1', reason: 'buyer called', authorizedAt: later } });
  const noAddress = order({ shipToMissing: ['city'] });
  const addressHeld: FulfillmentEvent = { type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: [], reasons: [{ code: 'address_incomplete', missingFields: ['city'] }], heldSince: now, orderVersion: 1 } };
  policy(t).given(pulled(noAddress)).when({ ...evaluate, data: { ...evaluate.data, now } }).then(addressHeld);
  spec(t).given(pulled(noAddress), addressHeld).when(cmd('ReleaseOrder')).thenThrows('release_not_allowed');
  const [correction] = spec(t).given(pulled(noAddress), addressHeld).when(correct()).then({
    type: 'ShipToCorrected',
    schemaVersion: 1,
    data: { ...base, actor: 'user:u1', reason: 'buyer called', personalData: 'v1.sealed-new', shipToCountry: 'US', shipToRegion: 'AR', shipToMissing: [], wasReleased: false, correctedAt: later },
  });
  spec(t).given(pulled(noAddress), addressHeld, correction!).when(cmd('ReleaseOrder')).then(releasedBy('held'));
  policy(t).given(pulled(noAddress), addressHeld, correction!, releasedBy('held')).when(evaluate).then({ ...released, data: { ...released.data, releasedAt: later } });
});

t.test('cancel: terminal, from any open state; the warehouse hears of it only if it had the order', async (t) => {
  const cancelled = (wasReleased: boolean): FulfillmentEvent => ({ type: 'OrderCancelledByOperator', schemaVersion: 1, data: { ...base, actor: 'user:u1', reason: 'buyer called', wasReleased, cancelledAt: later } });
  spec(t).given(pulled(), released).when(cmd('CancelOrder')).then(cancelled(true));
  spec(t).given(pulled(), unmappedHeld).when(cmd('CancelOrder')).then(cancelled(false));
  spec(t).given(pulled(), released, cancelled(true)).when(cmd('CancelOrder')).thenThrows('action_not_allowed');
  spec(t).given(pulled(), released, cancelled(true)).when(cmd('HoldOrder')).thenThrows('action_not_allowed');
  policy(t).given(pulled(), unmappedHeld, cancelled(false)).when(evaluate).thenNothingHappened();
});

t.test('re-send: only a released order', async (t) => {
  spec(t).given(pulled(), released).when(cmd('ResendOrder')).then({ type: 'FulfillmentOrderResent', schemaVersion: 1, data: { ...base, actor: 'user:u1', reason: 'buyer called', resentAt: later } });
  spec(t).given(pulled(), unmappedHeld).when(cmd('ResendOrder')).thenThrows('action_not_allowed');
  spec(t).given(pulled(), released, heldBy(true)).when(cmd('ResendOrder')).thenThrows('action_not_allowed');
});

t.test('an address correction must be complete; a released order\'s correction is for the warehouse too', async (t) => {
  const refused = spec(t).given(pulled()).when(correct(['postalCode'])).thenThrows('ship_to_incomplete');
  t.same(refused?.details, { missingFields: ['postalCode'] });
  const [e] = spec(t).given(pulled(), released).when(correct()).then({
    type: 'ShipToCorrected',
    schemaVersion: 1,
    data: { ...base, actor: 'user:u1', reason: 'buyer called', personalData: 'v1.sealed-new', shipToCountry: 'US', shipToRegion: 'AR', shipToMissing: [], wasReleased: true, correctedAt: later },
  });
  t.notOk(JSON.stringify(e).includes('Main St'), 'only the sealed form is in the event');
});

t.test('a buyer-data view is recorded with who and when', async (t) => {
  spec(t).given(pulled()).when({ type: 'RecordBuyerDataView', data: { actor: 'user:u1', now: later } }).then({ type: 'BuyerDataViewed', schemaVersion: 1, data: { ...base, actor: 'user:u1', viewedAt: later } });
  const state = [pulled(), { type: 'BuyerDataViewed', schemaVersion: 1, data: { ...base, actor: 'user:u1', viewedAt: later } } as OrderStreamEvent].reduce(fulfillmentDecider.evolve, fulfillmentDecider.initialState());
  t.equal(state.handoff, 'none', 'a view changes nothing');
});

t.test('who may do what', async (t) => {
  t.ok(mayDo('operator', 'cancel') && mayDo('operator', 'correct_ship_to') && mayDo('operator', 'view_buyer_data'));
  t.ok(mayDo('seller_admin', 'hold') && mayDo('seller_admin', 'release') && mayDo('seller_admin', 'view_buyer_data'));
  t.notOk(mayDo('seller_admin', 'cancel') || mayDo('seller_admin', 'resend') || mayDo('seller_admin', 'correct_ship_to'));
  t.ok(mayDo('api_key', 'hold') && mayDo('api_key', 'release'));
  t.notOk(mayDo('api_key', 'view_buyer_data') || mayDo('api_key', 'cancel'));
  for (const role of ['seller_viewer', 'auditor'] as const) t.notOk(['hold', 'release', 'cancel', 'resend', 'correct_ship_to', 'view_buyer_data'].some((a) => mayDo(role, a as never)));
});
