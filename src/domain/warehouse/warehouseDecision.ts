import type { OrderStreamEvent } from '../order/fulfillment.js';
import type { WarehouseEvent, WarehouseEventLine } from '../order/warehouseEvents.js';
import type { WarehouseEventMessage } from './warehouseEventMessage.js';

/**
 * Whether a warehouse message can apply to its order, from the order's own stream. Pure.
 *
 * Per warehouse line (lineId of the released message): `released` is the quantity of the last
 * release/update, `shipped` what shipments reported, `stopped` what rejections/cancellations took
 * out. A line can still take `released − shipped − stopped` units of shipments or stops.
 * `seenMessageIds` is the de-dup record: a messageId already in the stream changes nothing.
 */
export type WarehouseLineState = Readonly<{ released: number; shipped: number; stopped: number }>;

export type WarehouseOrderState = Readonly<{
  orderId: string | null;
  tenantId: string | null;
  storeId: string | null;
  /** none: never released; released: at the warehouse; cancelled: OMS withdrew it (marketplace cancellation). */
  handoff: 'none' | 'released' | 'cancelled';
  lines: Readonly<Record<string, WarehouseLineState>>;
  seenMessageIds: ReadonlySet<string>;
}>;

export type WarehouseStreamEvent = OrderStreamEvent | WarehouseEvent;

/** Hand-off states the warehouse's reports lead to after `released` (read model; docs/warehouse-events.md). */
export type WarehouseHandoffState = 'partially_shipped' | 'shipped' | 'rejected';

export const initialWarehouseState = (): WarehouseOrderState => ({
  orderId: null,
  tenantId: null,
  storeId: null,
  handoff: 'none',
  lines: {},
  seenMessageIds: new Set(),
});

const add = (state: WarehouseOrderState, lines: readonly WarehouseEventLine[], field: 'shipped' | 'stopped'): WarehouseOrderState['lines'] => {
  const next = { ...state.lines };
  for (const l of lines) {
    const cur = next[l.lineId] ?? { released: 0, shipped: 0, stopped: 0 };
    next[l.lineId] = { ...cur, [field]: cur[field] + l.quantity };
  }
  return next;
};

const seen = (state: WarehouseOrderState, messageId: string) => new Set([...state.seenMessageIds, messageId]);

export const evolveWarehouse = (state: WarehouseOrderState, event: WarehouseStreamEvent): WarehouseOrderState => {
  switch (event.type) {
    case 'OrderPulled':
      return { ...state, orderId: event.data.orderId, tenantId: event.data.tenantId, storeId: event.data.storeId };
    case 'FulfillmentOrderReleased':
    case 'FulfillmentOrderUpdated': {
      // The whole new line set: keep what was shipped/stopped of lines that stay.
      const lines: Record<string, WarehouseLineState> = {};
      for (const l of event.data.lines) {
        const cur = state.lines[l.lineId];
        lines[l.lineId] = { released: l.quantity, shipped: cur?.shipped ?? 0, stopped: cur?.stopped ?? 0 };
      }
      return { ...state, orderId: event.data.orderId, tenantId: event.data.tenantId, storeId: event.data.storeId, handoff: 'released', lines };
    }
    case 'FulfillmentOrderCancelled':
      return { ...state, handoff: 'cancelled' };
    case 'WarehouseShipmentRecorded':
      return { ...state, lines: add(state, event.data.shipment.lines, 'shipped'), seenMessageIds: seen(state, event.data.messageId) };
    case 'WarehouseFulfillmentRejected':
    case 'WarehouseFulfillmentCancelled':
      return { ...state, lines: add(state, event.data.lines, 'stopped'), seenMessageIds: seen(state, event.data.messageId) };
    default:
      return state;
  }
};

export const foldWarehouse = (events: readonly WarehouseStreamEvent[]): WarehouseOrderState => events.reduce(evolveWarehouse, initialWarehouseState());

/**
 * Stable refusal codes (docs/warehouse-events.md):
 * - order_not_found: no such order for this tenant (unknown or another tenant's: the same answer);
 * - order_not_released: the order exists but was never sent to the warehouse (held, FBA/WFS…);
 * - order_cancelled: OMS cancelled the order at the warehouse (the marketplace cancelled it);
 * - line_not_released: a lineId that is not in the order's current released line set;
 * - quantity_exceeds_released: more units than released and not yet shipped or stopped;
 * - nothing_outstanding: a whole-order rejection/cancellation when everything already shipped or stopped.
 */
export const WAREHOUSE_REFUSAL_CODES = [
  'order_not_found',
  'order_not_released',
  'order_cancelled',
  'line_not_released',
  'quantity_exceeds_released',
  'nothing_outstanding',
] as const;
export type WarehouseRefusalCode = (typeof WAREHOUSE_REFUSAL_CODES)[number];

export type WarehouseRefusal = Readonly<{ code: WarehouseRefusalCode; detail: string }>;

export type WarehouseDecision =
  | Readonly<{ outcome: 'record'; events: readonly WarehouseEvent[] }>
  | Readonly<{ outcome: 'duplicate'; events: readonly [] }>
  | Readonly<{ outcome: 'refused'; refusal: WarehouseRefusal }>;

const refused = (code: WarehouseRefusalCode, detail: string): WarehouseDecision => ({ outcome: 'refused', refusal: { code, detail } });

const outstanding = (l: WarehouseLineState) => l.released - l.shipped - l.stopped;

/** The first line that cannot take its quantity, as a refusal; null when all can. */
const checkLines = (state: WarehouseOrderState, lines: readonly WarehouseEventLine[]): WarehouseDecision | null => {
  for (const l of lines) {
    const cur = state.lines[l.lineId];
    if (!cur || cur.released === 0) return refused('line_not_released', `line ${l.lineId} was not released to the warehouse for this order`);
    if (l.quantity > outstanding(cur)) {
      return refused(
        'quantity_exceeds_released',
        `line ${l.lineId}: ${l.quantity} reported, ${outstanding(cur)} outstanding (released ${cur.released}, shipped ${cur.shipped}, stopped ${cur.stopped})`,
      );
    }
  }
  return null;
};

/**
 * Decide what a (schema-valid) warehouse message records on its order. `now` is the recording time.
 * A messageId already recorded on this order is a duplicate and records nothing (checked first, so a
 * re-delivered message is never refused because of its own earlier effect).
 */
export const decideWarehouseMessage = (state: WarehouseOrderState, message: WarehouseEventMessage, now: string): WarehouseDecision => {
  if (state.orderId === null || state.orderId !== message.orderId || state.tenantId !== message.tenantId) {
    return refused('order_not_found', `order ${message.orderId} not found for tenant ${message.tenantId}`);
  }
  if (state.seenMessageIds.has(message.messageId)) return { outcome: 'duplicate', events: [] };
  if (state.handoff === 'cancelled') return refused('order_cancelled', `order ${message.orderId} was cancelled at the warehouse by OMS`);
  if (state.handoff === 'none') return refused('order_not_released', `order ${message.orderId} was never released to the warehouse`);
  const base = { orderId: message.orderId, tenantId: message.tenantId, storeId: state.storeId ?? '', messageId: message.messageId };

  if (message.type === 'ShipmentConfirmed') {
    const s = message.shipment;
    const bad = checkLines(state, s.lines);
    if (bad) return bad;
    return {
      outcome: 'record',
      events: [
        {
          type: 'WarehouseShipmentRecorded',
          schemaVersion: 1,
          data: {
            ...base,
            shipment: {
              shipmentId: s.shipmentId,
              carrier: s.carrier,
              trackingNumber: s.trackingNumber,
              shipMethod: s.shipMethod ?? null,
              ...(s.trackingUrl ? { trackingUrl: s.trackingUrl } : {}),
              shippedAt: s.shippedAt,
              lines: s.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
            },
            occurredAt: message.occurredAt,
            recordedAt: now,
          },
        },
      ],
    };
  }

  // A rejection/cancellation without lines stops everything still outstanding; it is recorded with
  // the explicit lines, so consumers never have to recompute "the rest".
  let lines = message.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity }));
  if (lines.length) {
    const bad = checkLines(state, lines);
    if (bad) return bad;
  } else {
    lines = Object.entries(state.lines)
      .filter(([, l]) => outstanding(l) > 0)
      .map(([lineId, l]) => ({ lineId, quantity: outstanding(l) }));
    if (!lines.length) return refused('nothing_outstanding', `order ${message.orderId}: every released unit already shipped or stopped`);
  }
  const data = { ...base, reason: message.reason, lines, occurredAt: message.occurredAt, recordedAt: now };
  return {
    outcome: 'record',
    events: [
      message.type === 'FulfillmentRejected'
        ? { type: 'WarehouseFulfillmentRejected', schemaVersion: 1, data }
        : { type: 'WarehouseFulfillmentCancelled', schemaVersion: 1, data },
    ],
  };
};
