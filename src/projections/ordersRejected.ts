import { OrderRejected } from '../domain/order/rejection.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { sql, type Projection } from './projection.js';

const decodeRejected = decodeWith(OrderRejected);

/** The read model's key: the store's marketplace order, or the payload itself when it has no id. */
export const rejectionKey = (storeId: string, platformOrderId: string | null, payloadHash: string) =>
  platformOrderId === null ? `${storeId}/#${payloadHash}` : `${storeId}/${platformOrderId}`;

/** Orders pulls could not read, for operators (GET /v1/orders/rejected): the latest reason per order. */
export const rejectedOrdersProjection: Projection = {
  name: 'rejected_orders',
  version: 1,
  filter: { eventTypes: ['OrderRejected'] },
  tables: ['rm_rejected_orders'],
  apply: (recorded) => {
    const { data: d } = decodeRejected(recorded);
    return [
      sql(
        `INSERT INTO rm_rejected_orders (rejection_key, tenant_id, store_id, platform, platform_order_id, reason, payload_hash, last_pull_id,
                                         first_rejected_at, last_rejected_at, rejections)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)
         ON CONFLICT (rejection_key) DO UPDATE SET reason = EXCLUDED.reason, payload_hash = EXCLUDED.payload_hash,
           last_pull_id = EXCLUDED.last_pull_id, last_rejected_at = EXCLUDED.last_rejected_at, rejections = rm_rejected_orders.rejections + 1`,
        rejectionKey(d.storeId, d.platformOrderId, d.payloadHash), d.tenantId, d.storeId, d.platform, d.platformOrderId, d.reason,
        d.payloadHash, d.pullId, d.rejectedAt,
      ),
    ];
  },
};
