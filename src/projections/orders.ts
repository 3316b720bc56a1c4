import { decodeWith } from '../domain/shared/commandHandler.js';
import { OrderPulled } from '../domain/order/events.js';
import { FulfillmentEvent, reasonsOf } from '../domain/order/fulfillmentEvents.js';
import { PullEvent } from '../domain/pull/events.js';
import { StoreEvent } from '../domain/store/events.js';
import { ordersBatchStatements, ordersLoadStatements } from './ordersBatch.js';
import { isWarehouseEvent, warehouseProgressStatements } from './warehouseProgress.js';
import { isHandoffStreamEvent } from '../domain/order/streamEvents.js';
import { sql, type Projection } from './projection.js';
import { isOperatorEvent, operatorStatements } from './operatorPatches.js';
import { ORDER_STREAM_PREFIX } from '../domain/order/streams.js';

const decodeOrder = decodeWith(OrderPulled);
const decodeStore = decodeWith(StoreEvent);
const decodePull = decodeWith(PullEvent);
const decodeFulfillment = decodeWith(FulfillmentEvent);

const fulfillmentStatements = (recorded: Parameters<Projection['apply']>[0]) => {
  const e = decodeFulfillment(recorded);
  if (isOperatorEvent(e)) return operatorStatements(e);
  const id = e.data.orderId;
  switch (e.type) {
    case 'OrderHeld':
      return [
        sql(
          `UPDATE rm_orders SET handoff_state = 'held', hold_skus = $2, held_since = $3, hold_reasons = $4 WHERE order_id = $1`,
          id, JSON.stringify(e.data.unmappedSkus), e.data.heldSince, JSON.stringify(reasonsOf(e.data).map((r) => r.code)),
        ),
      ];
    case 'FulfillmentOrderReleased':
      return [
        sql(
          `UPDATE rm_orders SET handoff_state = 'released', hold_skus = '[]', hold_reasons = '[]', held_since = NULL, released_at = $2, warehouse_lines = $3,
                  mapping_versions = $4, last_message_type = 'FulfillmentOrderReleased', last_message_at = $2 WHERE order_id = $1`,
          id, e.data.releasedAt, JSON.stringify(e.data.lines), JSON.stringify(e.data.mappingVersions),
        ),
      ];
    case 'FulfillmentOrderUpdated':
      return [
        sql(
          `UPDATE rm_orders SET warehouse_lines = $3, mapping_versions = $4, hold_reasons = '[]', last_message_type = 'FulfillmentOrderUpdated',
                  last_message_at = $2 WHERE order_id = $1`,
          id, e.data.updatedAt, JSON.stringify(e.data.lines), JSON.stringify(e.data.mappingVersions),
        ),
      ];
    case 'FulfillmentOrderCancelled':
      return [sql(`UPDATE rm_orders SET handoff_state = 'cancelled', last_message_type = 'FulfillmentOrderCancelled', last_message_at = $2 WHERE order_id = $1`, id, e.data.cancelledAt)];
    case 'OrderHoldDropped':
      return [sql(`UPDATE rm_orders SET handoff_state = 'dropped', hold_skus = '[]', hold_reasons = '[]', held_since = NULL WHERE order_id = $1`, id)];
    case 'OrderFulfilledByMarketplace':
      return [sql(`UPDATE rm_orders SET handoff_state = 'marketplace' WHERE order_id = $1`, id)];
    case 'OrderReleaseAuthorized':
      return [];
    case 'OrderWithdrawn':
      return [sql(`UPDATE rm_orders SET handoff_state = 'withdrawn', hold_skus = '[]', hold_reasons = '[]', held_since = NULL WHERE order_id = $1`, id)];
    case 'FulfillmentOrderCancellationRequested':
      return [sql(`UPDATE rm_orders SET last_message_type = 'FulfillmentOrderCancellationRequested', last_message_at = $2 WHERE order_id = $1`, id, e.data.requestedAt)];
    case 'BuyerDataErased':
      return [sql(`UPDATE rm_orders SET buyer_data_erased_at = $2 WHERE order_id = $1`, id, e.data.erasedAt)];
  }
};

/**
 * Orders as last pulled (without buyer data), with their hand-off state. `apply` is the reference
 * (one event at a time); `applyBatch` writes the same rows set-based, and `loadBatch` with COPY for
 * new orders during a rebuild (see ordersBatch.ts).
 */
export const ordersProjection: Projection = {
  name: 'orders',
  // 3: hold_reasons (migration 130), written by a rebuild for existing rows
  version: 3,
  filter: { streamPrefixes: [ORDER_STREAM_PREFIX] },
  tables: ['rm_orders'],
  apply: (recorded) => {
    if (isWarehouseEvent(recorded)) return warehouseProgressStatements(recorded);
    // Other facts in order streams (e.g. marketplace confirmations) are not this projection's.
    if (!isHandoffStreamEvent(recorded)) return [];
    if (recorded.type !== 'OrderPulled') return fulfillmentStatements(recorded);
    const { data: d } = decodeOrder(recorded);
    const o = d.order;
    return [
      sql(
        `INSERT INTO rm_orders (order_id, tenant_id, store_id, platform, marketplace_id, platform_order_id, status, platform_status,
                                fulfillment_channel, purchased_at, platform_updated_at, ship_by, service_level, ship_to_country,
                                lines, content_hash, versions, first_pulled_at, last_pulled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17)
         ON CONFLICT (order_id) DO UPDATE SET
           status = EXCLUDED.status, platform_status = EXCLUDED.platform_status, fulfillment_channel = EXCLUDED.fulfillment_channel,
           platform_updated_at = EXCLUDED.platform_updated_at, ship_by = EXCLUDED.ship_by, service_level = EXCLUDED.service_level,
           ship_to_country = EXCLUDED.ship_to_country, lines = EXCLUDED.lines, content_hash = EXCLUDED.content_hash,
           versions = rm_orders.versions + 1, last_pulled_at = EXCLUDED.last_pulled_at`,
        d.orderId, d.tenantId, d.storeId, o.platform, o.marketplaceId, o.platformOrderId, o.status, o.platformStatus, o.fulfillmentChannel,
        o.createdAt, o.updatedAt, o.shipBy, o.serviceLevel, o.shipToCountry, JSON.stringify(o.lines), d.contentHash, d.pulledAt,
      ),
    ];
  },
  applyBatch: ordersBatchStatements,
  loadBatch: ordersLoadStatements,
};

/**
 * Which stores are pulled, and from which watermark. Only the columns events decide are written
 * here (a rebuild re-applies them and keeps the schedulers' timing and claims).
 */
export const pullScheduleProjection: Projection = {
  name: 'pull_schedule',
  version: 1,
  filter: { streamPrefixes: ['store-', 'pulls-'] },
  tables: [],
  apply: (recorded) => {
    if (recorded.streamId.startsWith('store-')) {
      const e = decodeStore(recorded);
      if (e.type === 'StoreConnected') {
        return [
          sql(
            // Amazon stores are pulled per authorization (one searchOrders sequence for all its marketplaces).
            `INSERT INTO pull_schedule (store_id, tenant_id, active, connected_at, next_run_at, pull_group)
             VALUES ($1, $2, $3, $4, $4, $5)
             ON CONFLICT (store_id) DO UPDATE SET active = EXCLUDED.active, pull_group = EXCLUDED.pull_group`,
            e.data.storeId, e.data.tenantId, e.data.status === 'active', e.data.connectedAt,
            e.data.platform === 'amazon' ? e.data.authorizationId : null,
          ),
        ];
      }
      if (e.type !== 'StoreStatusChanged') return [];
      return [sql('UPDATE pull_schedule SET active = $2 WHERE store_id = $1', e.data.storeId, e.data.status === 'active')];
    }
    const e = decodePull(recorded);
    if (e.type !== 'PullCompleted') return [];
    return [
      sql(
        `UPDATE pull_schedule SET watermark = GREATEST(watermark, $2::timestamptz), last_success_at = GREATEST(last_success_at, $3::timestamptz)
          WHERE store_id = $1`,
        e.data.storeId, e.data.watermark, e.data.completedAt,
      ),
    ];
  },
};
