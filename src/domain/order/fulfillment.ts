import { expandLines } from '../mapping/expansion.js';
import type { MappingLookup } from '../mapping/lookups.js';
import type { Decider } from '../shared/decider.js';
import type { OrderPulled } from './events.js';
import type { FulfillmentEvent, WarehouseLine } from './fulfillmentEvents.js';

/**
 * The hand-off decision for one order, from its own stream (pulled versions and earlier decisions).
 * Pure: the mappings in force come in on the command. The release policy only turns events into
 * Evaluate commands; everything it decides is here.
 */
export type HandoffState = 'none' | 'held' | 'released' | 'cancelled' | 'marketplace' | 'dropped';

export type OrderFulfillment = Readonly<{
  pulled: OrderPulled['data'] | null;
  /** How many versions of the order were pulled (the version a decision was based on). */
  version: number;
  handoff: HandoffState;
  heldSkus: readonly string[];
  heldSince: string | null;
  /** Platform quantities (by platform line id) the warehouse last received. */
  sentQuantities: Readonly<Record<string, number>> | null;
}>;

export type OrderStreamEvent = OrderPulled | FulfillmentEvent;

export type Evaluate = Readonly<{ type: 'Evaluate'; data: Readonly<{ mappings: MappingLookup; now: string }> }>;

export const initialState = (): OrderFulfillment => ({ pulled: null, version: 0, handoff: 'none', heldSkus: [], heldSince: null, sentQuantities: null });

const quantitiesOf = (lines: readonly WarehouseLine[]) =>
  Object.fromEntries(lines.map((l) => [l.source.platformLineId, l.source.platformQuantity]));

export const evolve = (state: OrderFulfillment, event: OrderStreamEvent): OrderFulfillment => {
  switch (event.type) {
    case 'OrderPulled':
      return { ...state, pulled: event.data, version: state.version + 1 };
    case 'OrderHeld':
      return { ...state, handoff: 'held', heldSkus: event.data.unmappedSkus, heldSince: event.data.heldSince };
    case 'FulfillmentOrderReleased':
    case 'FulfillmentOrderUpdated':
      return { ...state, handoff: 'released', heldSkus: [], heldSince: null, sentQuantities: quantitiesOf(event.data.lines) };
    case 'FulfillmentOrderCancelled':
      return { ...state, handoff: 'cancelled' };
    case 'OrderHoldDropped':
      return { ...state, handoff: 'dropped', heldSkus: [], heldSince: null };
    case 'OrderFulfilledByMarketplace':
      return { ...state, handoff: 'marketplace' };
  }
};

/** Platform SKUs the decision needs mappings for. */
export const platformSkusOf = (state: OrderFulfillment): string[] => [...new Set((state.pulled?.order.lines ?? []).map((l) => l.platformSku.trim()))];

const SHIPPABLE = new Set(['unshipped', 'partially_shipped']);

export const decide = (command: Evaluate, state: OrderFulfillment): FulfillmentEvent[] => {
  const pulled = state.pulled;
  if (!pulled) return [];
  const { orderId, tenantId, storeId } = pulled;
  const base = { orderId, tenantId, storeId };
  const { now, mappings } = command.data;
  const order = pulled.order;
  if (state.handoff === 'cancelled' || state.handoff === 'dropped' || state.handoff === 'marketplace') return [];
  if (order.fulfillmentChannel === 'marketplace') {
    return [{ type: 'OrderFulfilledByMarketplace', schemaVersion: 1, data: { ...base, recordedAt: now } }];
  }
  // What the warehouse must ship of each line: everything ordered that was not cancelled.
  const lines = order.lines.map((l) => ({ lineId: l.lineId, platformSku: l.platformSku, quantity: Math.max(0, l.quantityOrdered - l.quantityCancelled) }));
  const cancelled = order.status === 'cancelled' || lines.every((l) => l.quantity === 0);

  if (state.handoff === 'released') {
    if (cancelled) {
      return [{ type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'cancelled on the marketplace', orderVersion: state.version, cancelledAt: now } }];
    }
    const changed = lines.some((l) => (state.sentQuantities?.[l.lineId] ?? 0) !== l.quantity);
    if (!changed) return [];
    const expansion = expandLines(lines, mappings);
    // A line whose mapping was removed since release cannot be re-expanded: keep what was sent.
    if (expansion.unmapped.length || !expansion.lines.length) return [];
    return [
      {
        type: 'FulfillmentOrderUpdated',
        schemaVersion: 1,
        data: { ...base, lines: expansion.lines.map((l) => ({ ...l, source: { ...l.source } })), mappingVersions: expansion.mappingVersions, orderVersion: state.version, updatedAt: now },
      },
    ];
  }

  if (cancelled || !SHIPPABLE.has(order.status)) {
    // Pending orders wait; a held order that got cancelled or shipped elsewhere stops being held.
    if (state.handoff === 'held' && (cancelled || order.status === 'shipped')) {
      return [{ type: 'OrderHoldDropped', schemaVersion: 1, data: { ...base, reason: cancelled ? 'cancelled' : 'shipped outside OMS', droppedAt: now } }];
    }
    return [];
  }
  const expansion = expandLines(lines, mappings);
  if (expansion.unmapped.length) {
    const same = state.handoff === 'held' && state.heldSkus.join('\u0000') === expansion.unmapped.join('\u0000');
    if (same) return [];
    return [{ type: 'OrderHeld', schemaVersion: 1, data: { ...base, unmappedSkus: expansion.unmapped, heldSince: state.heldSince ?? now, orderVersion: state.version } }];
  }
  return [
    {
      type: 'FulfillmentOrderReleased',
      schemaVersion: 1,
      data: { ...base, lines: expansion.lines.map((l) => ({ ...l, source: { ...l.source } })), mappingVersions: expansion.mappingVersions, orderVersion: state.version, releasedAt: now },
    },
  ];
};

export const fulfillmentDecider: Decider<Evaluate, OrderStreamEvent, OrderFulfillment> = { decide, evolve, initialState };
