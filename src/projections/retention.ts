import { OrderPulled } from '../domain/order/events.js';
import type { OrderStreamEvent } from '../domain/order/fulfillment.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { terminalFactOf } from '../domain/order/retention.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { sql, type Projection } from './projection.js';
import { ORDER_STREAM_PREFIX } from '../domain/order/streams.js';

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);

/** Event types that may make an order terminal (domain/order/retention.ts), and the erasure itself. */
export const RETENTION_EVENT_TYPES = ['OrderPulled', 'FulfillmentOrderCancelled', 'OrderWithdrawn', 'OrderHoldDropped', 'BuyerDataErased'] as const;

/**
 * The retention due-list (retention_due): each order's first terminal fact, and whether its buyer
 * data was erased. The retention job reads it; a rebuild restores it from the events (claims, which
 * are operational, are simply lost).
 */
export const retentionProjection: Projection = {
  name: 'retention',
  version: 1,
  filter: { streamPrefixes: [ORDER_STREAM_PREFIX], eventTypes: [...RETENTION_EVENT_TYPES] },
  tables: ['retention_due'],
  apply: (recorded) => {
    const event: OrderStreamEvent = recorded.type === 'OrderPulled' ? decodePulled(recorded) : decodeFulfillment(recorded);
    const { orderId, tenantId, storeId } = event.data;
    if (event.type === 'BuyerDataErased') {
      const d = event.data;
      return [
        sql(
          `INSERT INTO retention_due (order_id, tenant_id, store_id, trigger, terminal_at, erased_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (order_id) DO UPDATE SET erased_at = EXCLUDED.erased_at`,
          orderId, tenantId, storeId, d.trigger, d.terminalAt, d.erasedAt,
        ),
      ];
    }
    const fact = terminalFactOf(event);
    if (!fact) return [];
    // The first terminal fact wins: erasure is due a retention period after the order first ended.
    return [
      sql(
        `INSERT INTO retention_due (order_id, tenant_id, store_id, trigger, terminal_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`,
        orderId, tenantId, storeId, fact.trigger, fact.at,
      ),
    ];
  },
};
