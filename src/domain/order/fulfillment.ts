import { expandLines } from '../mapping/expansion.js';
import type { MappingLookup } from '../mapping/lookups.js';
import type { Decider } from '../shared/decider.js';
import type { OrderPulled } from './events.js';
import { reasonsOf, type FulfillmentEvent, type HoldReason, type WarehouseLine } from './fulfillmentEvents.js';

/**
 * The hand-off decision for one order, from its own stream (pulled versions and earlier decisions).
 * Pure: the mappings in force come in on the command. The release policy only turns events into
 * Evaluate commands; everything it decides is here.
 */
export type HandoffState = 'none' | 'held' | 'released' | 'cancelled' | 'marketplace' | 'dropped' | 'withdrawn';

export type OrderFulfillment = Readonly<{
  pulled: OrderPulled['data'] | null;
  /** How many versions of the order were pulled (the version a decision was based on). */
  version: number;
  handoff: HandoffState;
  heldSkus: readonly string[];
  holdReasons: readonly HoldReason[];
  heldSince: string | null;
  /** An operator released this order although another store's copy of it went to the warehouse. */
  releaseAuthorized: boolean;
  /** Platform quantities (by platform line id) the warehouse last received. */
  sentQuantities: Readonly<Record<string, number>> | null;
  /**
   * Units the marketplace reported shipped before the release (the seller shipped them outside OMS),
   * by platform line id: never sent to the warehouse. Fixed at release, because later shipped counts
   * include the warehouse's own shipments that OMS confirmed.
   */
  shippedOutside?: Readonly<Record<string, number>>;
  /** Platform lines whose buyer cancellation request the warehouse was sent (each once). */
  cancellationRequested: readonly string[];
  /** The order's buyer data was erased (its key shredded). */
  buyerDataErased: boolean;
  /** A person's hold (OrderHeldByOperator), until a person releases it; `resume` is where a release returns to. */
  operatorHold?: Readonly<{ actor: string; reason: string; since: string; resume: 'none' | 'held' }> | null;
  /** Label fields the operator-corrected ship-to lacks (none); null while the marketplace's ship-to stands. */
  correctedShipToMissing?: readonly string[] | null;
}>;

export type OrderStreamEvent = OrderPulled | FulfillmentEvent;

/** The order that owns this marketplace order (platform, marketplace, order id): released it first. */
export type MarketplaceOrderOwner = Readonly<{ orderId: string; storeId: string }>;

export type Evaluate = Readonly<{
  type: 'Evaluate';
  data: Readonly<{ mappings: MappingLookup; now: string; owner?: MarketplaceOrderOwner | null }>;
}>;
/** The order's store was revoked: a held order is withdrawn for good. */
export type Withdraw = Readonly<{ type: 'Withdraw'; data: Readonly<{ now: string }> }>;
export type FulfillmentCommand = Evaluate | Withdraw;

export const initialState = (): OrderFulfillment => ({
  pulled: null,
  version: 0,
  handoff: 'none',
  heldSkus: [],
  holdReasons: [],
  heldSince: null,
  releaseAuthorized: false,
  sentQuantities: null,
  cancellationRequested: [],
  buyerDataErased: false,
  operatorHold: null,
  correctedShipToMissing: null,
});

const quantitiesOf = (lines: readonly WarehouseLine[]) =>
  Object.fromEntries(lines.map((l) => [l.source.platformLineId, l.source.platformQuantity]));

export const evolve = (state: OrderFulfillment, event: OrderStreamEvent): OrderFulfillment => {
  switch (event.type) {
    case 'OrderPulled':
      return { ...state, pulled: event.data, version: state.version + 1 };
    case 'OrderHeld':
      return { ...state, handoff: 'held', heldSkus: event.data.unmappedSkus, holdReasons: reasonsOf(event.data), heldSince: event.data.heldSince };
    case 'FulfillmentOrderReleased':
      return {
        ...state,
        handoff: 'released',
        heldSkus: [],
        holdReasons: [],
        heldSince: null,
        sentQuantities: quantitiesOf(event.data.lines),
        shippedOutside: event.data.shippedOutside ?? {},
      };
    case 'FulfillmentOrderUpdated':
      return { ...state, handoff: 'released', heldSkus: [], holdReasons: [], heldSince: null, sentQuantities: quantitiesOf(event.data.lines) };
    case 'FulfillmentOrderCancelled':
      return { ...state, handoff: 'cancelled' };
    case 'OrderHoldDropped':
      return { ...state, handoff: 'dropped', heldSkus: [], holdReasons: [], heldSince: null };
    case 'OrderFulfilledByMarketplace':
      return { ...state, handoff: 'marketplace' };
    case 'OrderReleaseAuthorized':
      return { ...state, releaseAuthorized: true };
    case 'OrderWithdrawn':
      return { ...state, handoff: 'withdrawn', heldSkus: [], holdReasons: [], heldSince: null };
    case 'FulfillmentOrderCancellationRequested':
      return { ...state, cancellationRequested: [...new Set([...state.cancellationRequested, ...event.data.lines.map((l) => l.platformLineId)])] };
    case 'BuyerDataErased':
      return { ...state, buyerDataErased: true };
    case 'OrderHeldByOperator': {
      const { actor, reason, heldSince } = event.data;
      const earlier = state.handoff === 'held' ? state.holdReasons : [];
      return {
        ...state,
        handoff: 'held',
        holdReasons: [...earlier, { code: 'operator_hold' }],
        heldSince,
        operatorHold: { actor, reason, since: heldSince, resume: state.handoff === 'none' ? 'none' : 'held' },
      };
    }
    case 'OrderReleasedByOperator': {
      const handoff = event.data.handoff;
      return {
        ...state,
        handoff,
        holdReasons: state.holdReasons.filter((r) => r.code !== 'operator_hold'),
        heldSince: handoff === 'none' ? null : state.heldSince,
        operatorHold: null,
      };
    }
    case 'OrderCancelledByOperator':
      return { ...state, handoff: 'cancelled', heldSkus: [], holdReasons: [], heldSince: null, operatorHold: null };
    case 'ShipToCorrected':
      return { ...state, correctedShipToMissing: event.data.shipToMissing };
    case 'FulfillmentOrderResent':
    case 'BuyerDataViewed':
      return state;
  }
};

/** States no decision leaves. */
const FINAL = new Set<HandoffState>(['cancelled', 'dropped', 'marketplace', 'withdrawn']);

/** Platform SKUs the decision needs mappings for. */
export const platformSkusOf = (state: OrderFulfillment): string[] => [...new Set((state.pulled?.order.lines ?? []).map((l) => l.platformSku.trim()))];

const SHIPPABLE = new Set(['unshipped', 'partially_shipped']);

/** Why the order cannot go to the warehouse now (none: it can), most basic first. */
const holdReasons = (state: OrderFulfillment, unmapped: readonly string[], owner: MarketplaceOrderOwner | null | undefined): HoldReason[] => {
  const order = state.pulled!.order;
  const reasons: HoldReason[] = [];
  if (order.fulfillmentChannel === 'unknown') reasons.push({ code: 'unknown_fulfillment' });
  // An operator's correction replaces the marketplace's ship-to.
  const missing = state.correctedShipToMissing ?? order.shipToMissing ?? [];
  if (missing.length) reasons.push({ code: 'address_incomplete', missingFields: [...missing] });
  if (unmapped.length) reasons.push({ code: 'unmapped_sku', platformSkus: [...unmapped] });
  if (owner && owner.orderId !== state.pulled!.orderId && !state.releaseAuthorized) {
    reasons.push({ code: 'duplicate_order', ownerStoreId: owner.storeId, ownerOrderId: owner.orderId });
  }
  // Not released while the buyer asks to cancel: the marketplace's answer (cancel, or not) decides.
  const requested = requestedLines(order.lines);
  if (requested.length) reasons.push({ code: 'cancellation_requested', platformLineIds: requested.map((l) => l.lineId) });
  if (state.operatorHold) reasons.push({ code: 'operator_hold' });
  return reasons;
};

/** Lines the buyer asked to cancel that still have units to ship. */
const requestedLines = (lines: NonNullable<OrderFulfillment['pulled']>['order']['lines']) =>
  lines.filter((l) => l.cancellationRequested === true && l.quantityOrdered - l.quantityCancelled > 0);

const held = (state: OrderFulfillment, reasons: HoldReason[], now: string): FulfillmentEvent[] => {
  if (state.handoff === 'held' && JSON.stringify(state.holdReasons) === JSON.stringify(reasons)) return [];
  const { orderId, tenantId, storeId } = state.pulled!;
  const unmappedSkus = reasons.flatMap((r) => (r.code === 'unmapped_sku' ? r.platformSkus : []));
  return [{ type: 'OrderHeld', schemaVersion: 1, data: { orderId, tenantId, storeId, unmappedSkus, reasons, heldSince: state.heldSince ?? now, orderVersion: state.version } }];
};

export const decide = (command: FulfillmentCommand, state: OrderFulfillment): FulfillmentEvent[] => {
  const pulled = state.pulled;
  if (!pulled) return [];
  const { orderId, tenantId, storeId } = pulled;
  const base = { orderId, tenantId, storeId };
  if (command.type === 'Withdraw') {
    return state.handoff === 'held' ? [{ type: 'OrderWithdrawn', schemaVersion: 1, data: { ...base, reason: 'store_revoked', withdrawnAt: command.data.now } }] : [];
  }
  const { now, mappings, owner } = command.data;
  const order = pulled.order;
  if (FINAL.has(state.handoff)) return [];
  if (order.fulfillmentChannel === 'marketplace') {
    return [{ type: 'OrderFulfilledByMarketplace', schemaVersion: 1, data: { ...base, recordedAt: now } }];
  }
  // What the warehouse must ship of each line: everything ordered that was neither cancelled nor
  // shipped outside OMS before the release (after it, shipped counts include OMS's own confirmations).
  const outside = (l: (typeof order.lines)[number]) =>
    state.handoff === 'released' ? (state.shippedOutside?.[l.lineId] ?? 0) : Math.min(l.quantityShipped, Math.max(0, l.quantityOrdered - l.quantityCancelled));
  const lines = order.lines.map((l) => ({ lineId: l.lineId, platformSku: l.platformSku, quantity: Math.max(0, l.quantityOrdered - l.quantityCancelled - outside(l)) }));
  const cancelled = order.status === 'cancelled' || order.lines.every((l) => l.quantityOrdered - l.quantityCancelled <= 0);
  const nothingOpen = lines.every((l) => l.quantity === 0);

  if (state.handoff === 'released') {
    if (cancelled) {
      return [{ type: 'FulfillmentOrderCancelled', schemaVersion: 1, data: { ...base, reason: 'cancelled on the marketplace', orderVersion: state.version, cancelledAt: now } }];
    }
    const decided: FulfillmentEvent[] = [];
    const changed = lines.some((l) => (state.sentQuantities?.[l.lineId] ?? 0) !== l.quantity);
    const expansion = changed ? expandLines(lines, mappings) : null;
    // A line whose mapping was removed since release cannot be re-expanded: keep what was sent.
    const updated = expansion !== null && !expansion.unmapped.length && expansion.lines.length > 0;
    if (updated) {
      decided.push({
        type: 'FulfillmentOrderUpdated',
        schemaVersion: 1,
        data: { ...base, lines: expansion.lines.map((l) => ({ ...l, source: { ...l.source } })), mappingVersions: expansion.mappingVersions, orderVersion: state.version, updatedAt: now },
      });
    }
    // New buyer cancellation requests on lines the warehouse has (after this decision), each sent once.
    const sent = new Set(state.cancellationRequested);
    const shipping = (lineId: string) => (updated ? lines.some((l) => l.lineId === lineId && l.quantity > 0) : (state.sentQuantities?.[lineId] ?? 0) > 0);
    const requested = requestedLines(order.lines).filter((l) => !sent.has(l.lineId) && shipping(l.lineId));
    if (requested.length) {
      decided.push({
        type: 'FulfillmentOrderCancellationRequested',
        schemaVersion: 1,
        data: { ...base, lines: requested.map((l) => ({ platformLineId: l.lineId, reason: l.cancellationReason ?? null })), orderVersion: state.version, requestedAt: now },
      });
    }
    return decided;
  }

  if (order.status === 'unknown') return held(state, [{ code: 'unknown_status', platformStatus: order.platformStatus }], now);
  if (cancelled || nothingOpen || !SHIPPABLE.has(order.status)) {
    // Pending orders wait; a held order that got cancelled or shipped elsewhere stops being held.
    if (state.handoff === 'held' && (cancelled || nothingOpen || order.status === 'shipped')) {
      return [{ type: 'OrderHoldDropped', schemaVersion: 1, data: { ...base, reason: cancelled ? 'cancelled' : 'shipped outside OMS', droppedAt: now } }];
    }
    return [];
  }
  const expansion = expandLines(lines, mappings);
  const reasons = holdReasons(state, expansion.unmapped, owner);
  if (reasons.length) return held(state, reasons, now);
  const shippedOutside = Object.fromEntries(order.lines.map((l) => [l.lineId, outside(l)]).filter(([, n]) => (n as number) > 0));
  return [
    {
      type: 'FulfillmentOrderReleased',
      schemaVersion: 1,
      data: {
        ...base,
        lines: expansion.lines.map((l) => ({ ...l, source: { ...l.source } })),
        mappingVersions: expansion.mappingVersions,
        orderVersion: state.version,
        releasedAt: now,
        ...(Object.keys(shippedOutside).length ? { shippedOutside } : {}),
      },
    },
  ];
};

export const fulfillmentDecider: Decider<FulfillmentCommand, OrderStreamEvent, OrderFulfillment> = { decide, evolve, initialState };
