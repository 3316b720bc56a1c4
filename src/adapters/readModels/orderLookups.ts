import type { OrderLookups } from '../../domain/ports/orderQueries.js';
import type { Sql } from '../../domain/ports/sql.js';

/** The order read model (rm_orders) asked across tenants, by the pull and the release policy. */
export const orderLookups = (db: Sql): OrderLookups => ({
  contentHashes: async (orderIds) => {
    if (orderIds.length === 0) return new Map();
    const { rows } = await db.query<{ order_id: string; content_hash: string }>('SELECT order_id, content_hash FROM rm_orders WHERE order_id = ANY($1::text[])', [
      [...orderIds],
    ]);
    return new Map(rows.map((r) => [r.order_id, r.content_hash]));
  },

  heldOnSku: async (storeId, platformSku) => {
    const { rows } = await db.query<{ order_id: string }>(
      `SELECT order_id FROM rm_orders WHERE store_id = $1 AND handoff_state = 'held' AND hold_skus @> $2::jsonb`,
      [storeId, JSON.stringify([platformSku])],
    );
    return rows.map((r) => r.order_id);
  },

  heldInStore: async (storeId) => {
    const { rows } = await db.query<{ order_id: string }>(`SELECT order_id FROM rm_orders WHERE store_id = $1 AND handoff_state = 'held'`, [storeId]);
    return rows.map((r) => r.order_id);
  },
});
