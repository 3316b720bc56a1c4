import t from 'tap';
import type { OrderPulled, StoredOrder } from '../../../src/domain/order/events.js';
import { erasureDueAt, terminalCutoff, terminalFactOf } from '../../../src/domain/order/retention.js';

const base = { orderId: 'o1', tenantId: 't1', storeId: 's1' };
const at = '2026-11-01T10:00:00.000Z';
const pulled = (status: StoredOrder['status']): OrderPulled => ({
  type: 'OrderPulled',
  schemaVersion: 1,
  data: {
    ...base, pullId: 'p', contentHash: 'h', pulledAt: at,
    order: {
      platform: 'walmart', marketplaceId: 'US', platformOrderId: '1', createdAt: at, updatedAt: at, status, platformStatus: status, fulfillmentChannel: 'merchant',
      shipBy: null, deliverBy: null, serviceLevel: null, shipToCountry: 'US', shipToRegion: null, personalData: 'v1.x', orderTotal: null, lines: [],
    },
  },
});

t.test('terminal facts: shipped or cancelled at the marketplace, cancelled after release, withdrawn, dropped', async (t) => {
  t.same(terminalFactOf(pulled('shipped')), { trigger: 'shipped', at });
  t.same(terminalFactOf(pulled('cancelled')), { trigger: 'cancelled', at });
  for (const status of ['pending', 'unshipped', 'partially_shipped', 'unfulfillable', 'unknown'] as const) t.equal(terminalFactOf(pulled(status)), null, status);
  t.same(terminalFactOf({ type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'x', orderVersion: 1, cancelledAt: at } }), { trigger: 'cancelled', at });
  t.same(terminalFactOf({ type: 'OrderWithdrawn', schemaVersion: 1, data: { ...base, reason: 'store_revoked', withdrawnAt: at } }), { trigger: 'cancelled', at });
  t.same(terminalFactOf({ type: 'OrderHoldDropped', schemaVersion: 1, data: { ...base, reason: 'cancelled', droppedAt: at } }), { trigger: 'cancelled', at });
  t.same(terminalFactOf({ type: 'OrderHoldDropped', schemaVersion: 1, data: { ...base, reason: 'shipped outside OMS', droppedAt: at } }), { trigger: 'shipped', at });
  t.equal(terminalFactOf({ type: 'OrderFulfilledByMarketplace', schemaVersion: 1, data: { ...base, recordedAt: at } }), null);
});

t.test('erasure is due the retention period after the terminal fact', async (t) => {
  t.equal(erasureDueAt(at, 30), '2026-12-01T10:00:00.000Z');
  t.equal(terminalCutoff('2026-12-01T10:00:00.000Z', 30), at);
  t.equal(erasureDueAt(at, 0), at, 'zero days: due at once');
});
