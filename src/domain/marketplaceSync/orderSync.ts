import type { OrderPulled } from '../order/events.js';
import type { FulfillmentEvent, WarehouseLine } from '../order/fulfillmentEvents.js';
import type { WarehouseEvent } from '../order/warehouseEvents.js';
import { carrierFor, type MarketplaceCarrier } from './carriers.js';
import type { MarketplaceSyncEvent, PlatformUnits, SyncAction } from './events.js';

/**
 * What the marketplace must be told about one order, folded from the order's own stream (pulled
 * versions, the hand-off decisions, the warehouse's reports, and what was sent already). Pure: the
 * sender reads the stream, asks `nextAction`, calls the marketplace, records the outcome, repeats.
 */
export type OrderStreamFact = OrderPulled | FulfillmentEvent | WarehouseEvent | MarketplaceSyncEvent;

type Shipment = Readonly<{
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  shipMethod: string | null;
  trackingUrl?: string | undefined;
  shippedAt: string;
  lines: readonly { lineId: string; quantity: number }[];
}>;
type Stop = Readonly<{ messageId: string; kind: 'rejected' | 'cancelled'; reason: string; lines: readonly { lineId: string; quantity: number }[] }>;
type Failure = Readonly<{ attempts: number; permanent: boolean; lines: readonly PlatformUnits[]; error: { code: string; status: number | null; message: string } }>;

export type OrderSync = Readonly<{
  order: Readonly<{
    orderId: string;
    tenantId: string;
    storeId: string;
    platform: 'amazon' | 'walmart';
    platformOrderId: string;
    marketplaceId: string;
    merchant: boolean;
    /** Platform lines the buyer asked to cancel (Amazon cancellationRequest, Walmart intentToCancel). */
    cancellationRequested: readonly string[];
  }> | null;
  released: boolean;
  releasedAt: string | null;
  /** The warehouse lines last sent (release or update), with their platform source. */
  lines: readonly WarehouseLine[];
  shipments: readonly Shipment[];
  stops: readonly Stop[];
  acknowledged: boolean;
  /** Keys (acknowledge, shipmentId, messageId) done: confirmed, cancelled, or failed for good. */
  done: ReadonlySet<string>;
  confirmed: Readonly<Record<string, number>>;
  cancelled: Readonly<Record<string, number>>;
  /** Units a permanently failed confirmation or cancellation would have sent: not sent again by a later one. */
  givenUp: Readonly<Record<string, number>>;
  failures: ReadonlyMap<string, Failure>;
}>;

export const initialSync = (): OrderSync => ({
  order: null,
  released: false,
  releasedAt: null,
  lines: [],
  shipments: [],
  stops: [],
  acknowledged: false,
  done: new Set(),
  confirmed: {},
  cancelled: {},
  givenUp: {},
  failures: new Map(),
});

const add = (into: Readonly<Record<string, number>>, lines: readonly PlatformUnits[]) => {
  const out = { ...into };
  for (const l of lines) out[l.platformLineId] = (out[l.platformLineId] ?? 0) + l.quantity;
  return out;
};

export const evolveSync = (state: OrderSync, event: OrderStreamFact): OrderSync => {
  switch (event.type) {
    case 'OrderPulled': {
      const { order: o, orderId, tenantId, storeId } = event.data;
      return {
        ...state,
        order: {
          orderId,
          tenantId,
          storeId,
          platform: o.platform,
          platformOrderId: o.platformOrderId,
          marketplaceId: o.marketplaceId,
          merchant: o.fulfillmentChannel === 'merchant',
          cancellationRequested: o.lines.filter((l) => l.cancellationRequested === true).map((l) => l.lineId),
        },
      };
    }
    case 'FulfillmentOrderReleased':
      return { ...state, released: true, releasedAt: event.data.releasedAt, lines: event.data.lines };
    case 'FulfillmentOrderUpdated':
      return { ...state, lines: event.data.lines };
    case 'WarehouseShipmentRecorded':
      return { ...state, shipments: [...state.shipments, event.data.shipment] };
    case 'WarehouseFulfillmentRejected':
    case 'WarehouseFulfillmentCancelled':
      return {
        ...state,
        stops: [
          ...state.stops,
          { messageId: event.data.messageId, kind: event.type === 'WarehouseFulfillmentRejected' ? 'rejected' : 'cancelled', reason: event.data.reason, lines: event.data.lines },
        ],
      };
    case 'MarketplaceOrderAcknowledged':
      return { ...state, acknowledged: true, done: new Set([...state.done, 'acknowledge']) };
    case 'MarketplaceShipmentConfirmed':
      return { ...state, done: new Set([...state.done, event.data.shipmentId, ...event.data.coveredShipmentIds]), confirmed: add(state.confirmed, event.data.lines) };
    case 'MarketplaceLinesCancelled':
      return { ...state, done: new Set([...state.done, event.data.messageId]), cancelled: add(state.cancelled, event.data.lines) };
    case 'MarketplaceSyncFailed': {
      const d = event.data;
      const failures = new Map(state.failures);
      failures.set(d.key, { attempts: d.attempt, permanent: d.permanent, lines: d.lines, error: d.error });
      if (!d.permanent) return { ...state, failures };
      return { ...state, failures, done: new Set([...state.done, d.key]), givenUp: add(state.givenUp, d.lines) };
    }
    default:
      return state;
  }
};

/** Platform lines of the release: each with its ordered units and components (warehouse line, factor). */
const platformLines = (lines: readonly WarehouseLine[]) => {
  const byPlatform = new Map<string, { units: number; components: { lineId: string; factor: number }[] }>();
  for (const l of lines) {
    const entry = byPlatform.get(l.source.platformLineId) ?? { units: l.source.platformQuantity, components: [] };
    entry.components.push({ lineId: l.lineId, factor: l.source.factor });
    byPlatform.set(l.source.platformLineId, entry);
  }
  return byPlatform;
};

/**
 * Platform units complete after these shipments: a platform line with a factor or several
 * components has shipped a unit only when every component shipped its share of that unit.
 */
export const completeUnits = (lines: readonly WarehouseLine[], shipments: readonly Pick<Shipment, 'lines'>[]): Record<string, number> => {
  const shipped = new Map<string, number>();
  for (const s of shipments) for (const l of s.lines) shipped.set(l.lineId, (shipped.get(l.lineId) ?? 0) + l.quantity);
  const out: Record<string, number> = {};
  for (const [platformLineId, { units, components }] of platformLines(lines)) {
    const complete = Math.min(units, ...components.map((c) => Math.floor((shipped.get(c.lineId) ?? 0) / c.factor)));
    if (complete > 0) out[platformLineId] = complete;
  }
  return out;
};

const units = (record: Readonly<Record<string, number>>): PlatformUnits[] =>
  Object.entries(record)
    .filter(([, q]) => q > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([platformLineId, quantity]) => ({ platformLineId, quantity }));

const sum = (...records: Readonly<Record<string, number>>[]) => {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
};

export type NextAction =
  | Readonly<{ kind: 'acknowledge'; key: 'acknowledge' }>
  | Readonly<{
      kind: 'confirm';
      key: string;
      shipmentId: string;
      /** This shipment and the earlier ones that completed nothing alone. */
      coveredShipmentIds: string[];
      carrier: MarketplaceCarrier;
      trackingNumber: string;
      shipMethod: string | null;
      /** The warehouse's tracking page for the parcel, when it gave one. */
      trackingUrl: string | null;
      shippedAt: string;
      lines: PlatformUnits[];
      /** Of `lines`, those the buyer asked to cancel: shipped anyway (Walmart US wants that said). */
      cancelRequestedLines: string[];
    }>
  | Readonly<{ kind: 'cancel'; key: string; messageId: string; reason: string; wholeOrder: boolean; buyerRequested: boolean; lines: PlatformUnits[] }>;

/**
 * The next thing to send, in the order the marketplace needs it: Walmart's acknowledgement first
 * (it must precede shipping), then the warehouse's reports in the order they were recorded. Keys
 * already done are skipped; a key failed for good is not retried.
 */
export const nextAction = (state: OrderSync): NextAction | null => {
  const order = state.order;
  if (order === null || !order.merchant || !state.released) return null;
  if (order.platform === 'walmart' && !state.acknowledged && !state.done.has('acknowledge')) return { kind: 'acknowledge', key: 'acknowledge' };
  if (order.platform === 'walmart' && !state.acknowledged) return null;
  const accounted = sum(state.confirmed, state.givenUp);
  const waiting: string[] = [];
  for (const [i, shipment] of state.shipments.entries()) {
    if (state.done.has(shipment.shipmentId)) continue;
    // Cumulative: what all shipments so far complete, less what was confirmed (or given up) already.
    const complete = completeUnits(state.lines, state.shipments.slice(0, i + 1));
    const open: Record<string, number> = {};
    for (const [p, q] of Object.entries(complete)) open[p] = Math.max(0, q - (accounted[p] ?? 0));
    const lines = units(open);
    if (lines.length === 0) {
      waiting.push(shipment.shipmentId);
      continue;
    }
    return {
      kind: 'confirm',
      key: shipment.shipmentId,
      shipmentId: shipment.shipmentId,
      coveredShipmentIds: [...waiting, shipment.shipmentId],
      carrier: carrierFor(order.platform, shipment.carrier),
      trackingNumber: shipment.trackingNumber,
      shipMethod: shipment.shipMethod,
      trackingUrl: shipment.trackingUrl ?? null,
      shippedAt: shipment.shippedAt,
      lines,
      cancelRequestedLines: lines.map((l) => l.platformLineId).filter((id) => order.cancellationRequested.includes(id)),
    };
  }
  const shippedUnits = completeUnits(state.lines, state.shipments);
  for (const stop of state.stops) {
    if (state.done.has(stop.messageId)) continue;
    const byPlatform = platformLines(state.lines);
    const stopped = new Map(stop.lines.map((l) => [l.lineId, l.quantity]));
    const cancel: Record<string, number> = {};
    let remainingTotal = 0;
    for (const [p, { units: ordered, components }] of byPlatform) {
      const remaining = Math.max(0, ordered - (shippedUnits[p] ?? 0) - (state.cancelled[p] ?? 0) - (state.givenUp[p] ?? 0));
      remainingTotal += remaining;
      // Every unit with a stopped component share cannot ship; an empty list stops everything not shipped.
      const wanted = stop.lines.length === 0 ? remaining : Math.max(0, ...components.map((c) => Math.ceil((stopped.get(c.lineId) ?? 0) / c.factor)));
      cancel[p] = Math.min(remaining, wanted);
    }
    const lines = units(cancel);
    if (lines.length === 0) continue;
    const cancelledTotal = lines.reduce((n, l) => n + l.quantity, 0);
    const nothingShippedYet = Object.keys(shippedUnits).length === 0 && Object.keys(state.cancelled).length === 0;
    return {
      kind: 'cancel',
      key: stop.messageId,
      messageId: stop.messageId,
      reason: stop.kind === 'rejected' ? `warehouse rejected: ${stop.reason}` : `warehouse cancelled: ${stop.reason}`,
      wholeOrder: nothingShippedYet && cancelledTotal === remainingTotal,
      buyerRequested: lines.every((l) => order.cancellationRequested.includes(l.platformLineId)),
      lines,
    };
  }
  return null;
};

/**
 * Per order, for the read model, the order filters and `oms status`: `none` (nothing the warehouse
 * reported is owed to the marketplace), `pending` (something is to be sent, or being retried),
 * `confirmed` (everything reported was accepted), `failed` (the marketplace refused something for good).
 */
export type ConfirmationState = 'none' | 'pending' | 'confirmed' | 'failed';

export const confirmationState = (state: OrderSync): ConfirmationState => {
  if (state.order === null || !state.order.merchant || !state.released) return 'none';
  if ([...state.failures.values()].some((f) => f.permanent)) return 'failed';
  if (nextAction(state) !== null) return 'pending';
  return Object.keys(state.confirmed).length > 0 || Object.keys(state.cancelled).length > 0 ? 'confirmed' : 'none';
};

/** The action a key belongs to. */
export const actionOfKey = (state: OrderSync, key: string): SyncAction =>
  key === 'acknowledge' ? 'acknowledge' : state.shipments.some((s) => s.shipmentId === key) ? 'confirm' : 'cancel';

/** Pause before the n-th retry of a transient failure: 30 s doubling, at most an hour. */
export const retryPauseMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
