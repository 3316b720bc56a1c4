import { WarehouseEvent, WAREHOUSE_EVENT_TYPES } from '../domain/order/warehouseEvents.js';
import type { RecordedEvent } from '../domain/ports/eventStore.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { sql, type SqlStatement } from './projection.js';

const decodeWarehouse = decodeWith(WarehouseEvent);
const TYPES: ReadonlySet<string> = new Set(WAREHOUSE_EVENT_TYPES);

export const isWarehouseEvent = (recorded: Readonly<{ type: string }>): boolean => TYPES.has(recorded.type);

/**
 * rm_orders for a warehouse report: the line's shipped or stopped units grow, and the hand-off
 * state follows (only from released or a state this sets; a cancelled order stays cancelled):
 * - nothing shipped or stopped yet, or only some units stopped → released;
 * - some units shipped, some still outstanding → partially_shipped;
 * - every released unit shipped or stopped, at least one shipped → shipped;
 * - every released unit stopped, none shipped → rejected.
 * Relative (it adds), so it is applied event by event, in order, also in a batch.
 */
const UPDATE_PROGRESS = `
  UPDATE rm_orders o SET
    warehouse_progress = n.progress,
    warehouse_shipments = o.warehouse_shipments + $4,
    handoff_state = CASE WHEN o.handoff_state IN ('released', 'partially_shipped', 'shipped', 'rejected') THEN (
        SELECT CASE
                 WHEN sum(s.shipped) = 0 AND sum(s.stopped) >= sum(s.released) THEN 'rejected'
                 WHEN sum(s.shipped) > 0 AND sum(s.shipped) + sum(s.stopped) >= sum(s.released) THEN 'shipped'
                 WHEN sum(s.shipped) > 0 THEN 'partially_shipped'
                 ELSE 'released' END
          FROM (SELECT (wl ->> 'quantity')::int AS released,
                       COALESCE((n.progress -> (wl ->> 'lineId') ->> 'shipped')::int, 0) AS shipped,
                       COALESCE((n.progress -> (wl ->> 'lineId') ->> 'stopped')::int, 0) AS stopped
                  FROM jsonb_array_elements(o.warehouse_lines) AS wl) AS s)
      ELSE o.handoff_state END
    FROM (
      SELECT o2.order_id,
             o2.warehouse_progress || jsonb_object_agg(l ->> 'lineId', jsonb_build_object(
               'shipped', COALESCE((o2.warehouse_progress -> (l ->> 'lineId') ->> 'shipped')::int, 0)
                          + CASE WHEN $3 = 'shipped' THEN (l ->> 'quantity')::int ELSE 0 END,
               'stopped', COALESCE((o2.warehouse_progress -> (l ->> 'lineId') ->> 'stopped')::int, 0)
                          + CASE WHEN $3 = 'stopped' THEN (l ->> 'quantity')::int ELSE 0 END)) AS progress
        FROM rm_orders o2 CROSS JOIN jsonb_array_elements($2::jsonb) AS l
       WHERE o2.order_id = $1
       GROUP BY o2.order_id, o2.warehouse_progress) AS n
   WHERE o.order_id = n.order_id`;

export const warehouseProgressStatements = (recorded: RecordedEvent): SqlStatement[] => {
  const e = decodeWarehouse(recorded);
  if (e.type === 'WarehouseShipmentRecorded') return [sql(UPDATE_PROGRESS, e.data.orderId, JSON.stringify(e.data.shipment.lines), 'shipped', 1)];
  return e.data.lines.length ? [sql(UPDATE_PROGRESS, e.data.orderId, JSON.stringify(e.data.lines), 'stopped', 0)] : [];
};
