import type { Sql } from '../../domain/ports/sql.js';
import type { MarketplaceSyncView } from '../../domain/ports/orderQueries.js';

export type { MarketplaceSyncView };

/** Walmart expects an acknowledgement within four hours of the order; OMS reports it from three. */
export const ACK_WARNING_MS = 3 * 3_600_000;

type Row = {
  state: MarketplaceSyncView['state'];
  acknowledged_at: Date | string | null;
  confirmed_lines: Record<string, number>;
  cancelled_lines: Record<string, number>;
  pending_keys: string[];
  failed_keys: string[];
  last_error: MarketplaceSyncView['lastError'];
  next_retry_at: Date | string | null;
};

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** Reads of rm_marketplace_sync (the marketplace_sync projection). */
export const marketplaceSyncQueries = (db: Sql) => ({
  forOrder: async (tenantId: string, orderId: string): Promise<MarketplaceSyncView | null> => {
    const { rows } = await db.query<Row>('SELECT * FROM rm_marketplace_sync WHERE tenant_id = $1 AND order_id = $2', [tenantId, orderId]);
    const r = rows[0];
    if (r === undefined) return null;
    return {
      state: r.state,
      acknowledgedAt: iso(r.acknowledged_at),
      confirmedLines: r.confirmed_lines,
      cancelledLines: r.cancelled_lines,
      pending: r.pending_keys,
      failed: r.failed_keys,
      lastError: r.last_error,
      nextRetryAt: iso(r.next_retry_at),
    };
  },
  /** Orders whose last send failed transiently and whose pause is over. */
  dueForRetry: async (now: Date): Promise<string[]> => {
    const { rows } = await db.query<{ order_id: string }>(
      `SELECT order_id FROM rm_marketplace_sync WHERE next_retry_at <= $1 AND state = 'pending' ORDER BY next_retry_at LIMIT 100`,
      [now.toISOString()],
    );
    return rows.map((r) => r.order_id);
  },
  /** Released seller-fulfilled Walmart orders still unacknowledged three hours or more after creation. */
  walmartUnacknowledgedNearDeadline: async (now: Date): Promise<number> => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM rm_marketplace_sync s JOIN rm_orders o ON o.order_id = s.order_id
        WHERE o.platform = 'walmart' AND o.fulfillment_channel = 'merchant' AND s.acknowledged_at IS NULL
          AND o.handoff_state = 'released' AND o.purchased_at <= $1`,
      [new Date(now.getTime() - ACK_WARNING_MS).toISOString()],
    );
    return Number(rows[0]?.n ?? 0);
  },
  /** Counts by state for `oms status`. */
  countsByState: async (): Promise<Record<string, number>> => {
    const { rows } = await db.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM rm_marketplace_sync GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  },
});

export type MarketplaceSyncQueries = ReturnType<typeof marketplaceSyncQueries>;
