import { FulfillmentOrderReleased } from '../domain/order/fulfillmentEvents.js';
import { WarehouseEvent } from '../domain/order/warehouseEvents.js';
import { MARKETPLACE_SYNC_EVENT_TYPES, MarketplaceSyncEvent, type PlatformUnits } from '../domain/marketplaceSync/events.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { retryPauseMs } from '../domain/marketplaceSync/orderSync.js';
import { sql, type Projection, type SqlStatement } from './projection.js';

const decodeReleased = decodeWith(FulfillmentOrderReleased);
const decodeWarehouse = decodeWith(WarehouseEvent);
const decodeSync = decodeWith(MarketplaceSyncEvent);

/** The state column from the other columns (run after every change of a row). */
const restate = (orderId: string): SqlStatement =>
  sql(
    `UPDATE rm_marketplace_sync SET state = CASE
       WHEN failed_keys <> '[]'::jsonb THEN 'failed'
       WHEN pending_keys <> '[]'::jsonb THEN 'pending'
       WHEN confirmed_lines <> '{}'::jsonb OR cancelled_lines <> '{}'::jsonb THEN 'confirmed'
       ELSE 'none' END
     WHERE order_id = $1`,
    orderId,
  );

/** Adds units per platform line to a jsonb object column. */
const addUnits = (column: 'confirmed_lines' | 'cancelled_lines', orderId: string, lines: readonly PlatformUnits[], at: string): SqlStatement =>
  sql(
    `UPDATE rm_marketplace_sync r SET ${column} = (
       SELECT COALESCE(jsonb_object_agg(k, v), '{}'::jsonb) FROM (
         SELECT key AS k, SUM(value::int) AS v FROM (
           SELECT key, value FROM jsonb_each_text(r.${column})
           UNION ALL SELECT x->>'platformLineId', x->>'quantity' FROM jsonb_array_elements($2::jsonb) x
         ) u GROUP BY key
       ) s), updated_at = $3
     WHERE order_id = $1`,
    orderId, JSON.stringify(lines), at,
  );

const removeKeys = (orderId: string, keys: readonly string[], at: string): SqlStatement =>
  sql(
    `UPDATE rm_marketplace_sync SET pending_keys = COALESCE((SELECT jsonb_agg(k) FROM jsonb_array_elements_text(pending_keys) k WHERE NOT ($2::jsonb ? k)), '[]'::jsonb),
            attempts = 0, next_retry_at = NULL, updated_at = $3
      WHERE order_id = $1`,
    orderId, JSON.stringify(keys), at,
  );

/**
 * Per released order, what the marketplace has been told (GET /v1/orders/:id `marketplaceSync`, the
 * `confirmation` filter, `oms status`, /metrics). Rows exist from the release on.
 */
export const marketplaceSyncProjection: Projection = {
  name: 'marketplace_sync',
  version: 1,
  filter: { eventTypes: ['FulfillmentOrderReleased', ...WarehouseEvent.options.map((o) => o.shape.type.value), ...MARKETPLACE_SYNC_EVENT_TYPES] },
  tables: ['rm_marketplace_sync'],
  apply: (recorded) => {
    if (recorded.type === 'FulfillmentOrderReleased') {
      const d = decodeReleased(recorded).data;
      return [
        sql(
          `INSERT INTO rm_marketplace_sync (order_id, tenant_id, store_id, released_at, updated_at) VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (order_id) DO NOTHING`,
          d.orderId, d.tenantId, d.storeId, d.releasedAt,
        ),
      ];
    }
    if (recorded.type.startsWith('Warehouse')) {
      const e = decodeWarehouse(recorded);
      const key = e.type === 'WarehouseShipmentRecorded' ? e.data.shipment.shipmentId : e.data.messageId;
      return [
        sql(
          `UPDATE rm_marketplace_sync SET pending_keys = pending_keys || to_jsonb($2::text), updated_at = $3
            WHERE order_id = $1 AND NOT pending_keys ? $2`,
          e.data.orderId, key, e.data.recordedAt,
        ),
        restate(e.data.orderId),
      ];
    }
    const e = decodeSync(recorded);
    const id = e.data.orderId;
    switch (e.type) {
      case 'MarketplaceOrderAcknowledged':
        return [
          removeKeys(id, ['acknowledge'], e.data.acknowledgedAt),
          sql(`UPDATE rm_marketplace_sync SET acknowledged_at = $2 WHERE order_id = $1`, id, e.data.acknowledgedAt),
          restate(id),
        ];
      case 'MarketplaceShipmentConfirmed':
        return [removeKeys(id, e.data.coveredShipmentIds, e.data.confirmedAt), addUnits('confirmed_lines', id, e.data.lines, e.data.confirmedAt), restate(id)];
      case 'MarketplaceLinesCancelled':
        return [removeKeys(id, [e.data.messageId], e.data.cancelledAt), addUnits('cancelled_lines', id, e.data.lines, e.data.cancelledAt), restate(id)];
      case 'MarketplaceSyncFailed': {
        const d = e.data;
        const error = JSON.stringify({ action: d.action, key: d.key, ...d.error, permanent: d.permanent, attempt: d.attempt, at: d.failedAt });
        if (d.permanent) {
          return [
            removeKeys(id, [d.key], d.failedAt),
            sql(`UPDATE rm_marketplace_sync SET failed_keys = failed_keys || to_jsonb($2::text), last_error = $3 WHERE order_id = $1 AND NOT failed_keys ? $2`, id, d.key, error),
            restate(id),
          ];
        }
        const retryAt = new Date(Date.parse(d.failedAt) + retryPauseMs(d.attempt)).toISOString();
        return [
          sql(
            `UPDATE rm_marketplace_sync SET attempts = $2, next_retry_at = $3, last_error = $4, updated_at = $5,
                    pending_keys = CASE WHEN pending_keys ? $6 THEN pending_keys ELSE pending_keys || to_jsonb($6::text) END
              WHERE order_id = $1`,
            id, d.attempt, retryAt, error, d.failedAt, d.key,
          ),
          restate(id),
        ];
      }
    }
  },
};
