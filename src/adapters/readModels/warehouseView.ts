import { FulfillmentEvent } from '../../domain/order/fulfillmentEvents.js';
import { WarehouseEvent, WAREHOUSE_EVENT_TYPES } from '../../domain/order/warehouseEvents.js';
import type { RecordedEvent } from '../../domain/ports/eventStore.js';
import type { WarehouseView } from '../../domain/ports/orderQueries.js';
import { decodeWith } from '../../domain/shared/commandHandler.js';
import { foldWarehouse, type WarehouseStreamEvent } from '../../domain/warehouse/warehouseDecision.js';

export type { WarehouseView };

const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeWarehouse = decodeWith(WarehouseEvent);
const RELEASE_TYPES = new Set(['FulfillmentOrderReleased', 'FulfillmentOrderUpdated', 'FulfillmentOrderCancelled']);
const WAREHOUSE_TYPES: ReadonlySet<string> = new Set(WAREHOUSE_EVENT_TYPES);

export const warehouseView = (recorded: readonly RecordedEvent[]): WarehouseView => {
  const events: WarehouseStreamEvent[] = [];
  const view: WarehouseView = { lines: [], shipments: [], stops: [] };
  for (const r of recorded) {
    if (RELEASE_TYPES.has(r.type)) events.push(decodeFulfillment(r));
    if (!WAREHOUSE_TYPES.has(r.type)) continue;
    const e = decodeWarehouse(r);
    events.push(e);
    if (e.type === 'WarehouseShipmentRecorded') {
      const s = e.data.shipment;
      view.shipments.push({ messageId: e.data.messageId, ...s, trackingUrl: s.trackingUrl ?? null, lines: s.lines, recordedAt: e.data.recordedAt });
    } else {
      const { messageId, reason, lines, occurredAt, recordedAt } = e.data;
      view.stops.push({ type: e.type === 'WarehouseFulfillmentRejected' ? 'rejected' : 'cancelled', messageId, reason, lines, occurredAt, recordedAt });
    }
  }
  const state = foldWarehouse(events);
  view.lines.push(...Object.entries(state.lines).map(([lineId, l]) => ({ lineId, ...l })));
  return view;
};
