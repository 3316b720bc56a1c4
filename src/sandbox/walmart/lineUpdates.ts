import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { badRequest } from './errors.js';
import { lineStatus } from './orderFactory.js';
import type { OrderLineStatus, TrackingInfo, WalmartLineStatus, WalmartOrder } from './types.js';

/**
 * POST /v3/orders/{purchaseOrderId}/shipping (shippingUpdates) and /cancel (cancelOrderLines), as
 * the Orders spec shapes them: `orderShipment` / `orderCancellation` → orderLines.orderLine[] with
 * lineNumber and orderLineStatuses.orderLineStatus[] (status, statusQuantity, and trackingInfo or
 * cancellationReason). Lines ship from Acknowledged only (acknowledge first); they cancel from
 * Created or Acknowledged. A bad request changes nothing (all lines are checked before any moves).
 */

/**
 * trackingInfo.carrierName.carrier values Walmart lists (US orders spec, CarrierNameType); anything
 * else goes in otherCarrier, which needs a trackingURL.
 */
export const WALMART_CARRIERS = [
  'UPS', 'USPS', 'FedEx', 'Airborne', 'OnTrac', 'DHL Ecommerce - US', 'LS', 'UDS', 'UPSMI', 'FDX', 'PILOT', 'ESTES', 'SAIA',
  'FDS Express', 'Seko Worldwide', 'HIT Delivery', 'FEDEXSP', 'RL Carriers', 'Metropolitan Warehouse & Delivery', 'China Post',
  'YunExpress', 'Yellow Freight Sys', 'AIT Worldwide Logistics', 'Chukou1', 'Sendle', 'Landmark Global', 'Sunyou', 'Yanwen', '4PX',
  'GLS', 'OSM Worldwide', 'FIRST MILE', 'AM Trucking', 'CEVA', 'India Post', 'SF Express', 'CNE', 'TForce Freight', 'AxleHire', 'LSO',
  'Royal Mail', 'ABF Freight System', 'WanB', 'Roadrunner Freight', 'Meyer Distribution', 'AAA Cooper', 'Canada Post',
  'Southeastern Freight Lines', 'Japan Post', 'Correos de Mexico', 'XPO Logistics',
] as const;
/** statusQuantity.unitOfMeasurement values the spec allows. */
const UNITS = ['EACH', 'EA'];
export const WALMART_METHOD_CODES = ['Standard', 'Express', 'OneDay', 'Freight', 'WhiteGlove', 'Value'] as const;
export const WALMART_CANCEL_REASONS = [
  'CUSTOMER_REQUESTED_SELLER_TO_CANCEL',
  'SELLER_CANCEL_PRICING_ERROR',
  'SELLER_CANCEL_OUT_OF_STOCK',
  'SELLER_CANCEL_FRAUD_STOP_SHIPMENT',
  'SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE',
] as const;

/** Canada's lists (orders spec: CarrierNameType, CancelLineStatusType); its methodCode enum is in capitals. */
export const WALMART_CA_CARRIERS = [
  'UPS', 'USPS', 'FedEx', 'CPC', 'PCLINT', 'DHL', 'GLB', 'PURINTL_SWWGROUND', 'FEDEX_SWWEXPRESS', '17Track', 'ASL', 'CANPAR',
  'CEVA', 'LOOMIS', 'SAMEDAY', 'SWYFT', 'TFORCE', 'UBI', 'JIAYOU', 'LETTERMAIL',
] as const;
export const WALMART_CA_CANCEL_REASONS = [
  'CANCEL_BY_SELLER', 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL', 'SUPPLIER_CANCEL', 'SUPPLIER_CANCEL_CUSTOMER_REQUEST',
  'SUPPLIER_CANCEL_BACKORDER', 'SUPPLIER_CANCEL_DISCONTINUE', 'SUPPLIER_CANCEL_UNRECOGNIZED',
] as const;
const CA_METHOD_CODES: Readonly<Record<string, string>> = { STANDARD: 'Standard', EXPRESS: 'Express', ONE_DAY: 'OneDay', FREIGHT: 'Freight', WHITE_GLOVE: 'WhiteGlove', VALUE: 'Value' };
/** Mexico's shipment carriers; Other needs a tracking URL. */
export const WALMART_MX_CARRIERS = ['MX-FEDX', 'MX-DHL', 'Estafeta', 'SFC', 'Other'] as const;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Market = 'us' | 'ca';

type Move = Readonly<{ lineNumber: string; quantity: number; extra: Omit<OrderLineStatus, 'status' | 'statusQuantity'>; intentToCancelOverride?: boolean }>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const invalid = (field: string, description: string) => badRequest('INVALID_REQUEST_CONTENT', field, description);

const parse = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const quantityOf = (v: unknown): number | undefined => {
  if (!isObject(v) || !UNITS.includes(v.unitOfMeasurement as string)) return undefined;
  const n = typeof v.amount === 'string' && /^\d+$/.test(v.amount) ? Number(v.amount) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

const trackingOf = (v: unknown, market: Market): TrackingInfo | string => {
  if (!isObject(v)) return 'trackingInfo is required for a Shipped status.';
  const shipDateTime = market === 'ca'
    ? (typeof v.shipDateTime === 'string' && ISO_INSTANT.test(v.shipDateTime) ? Date.parse(v.shipDateTime) : Number.NaN)
    : (typeof v.shipDateTime === 'number' ? v.shipDateTime : Number.NaN);
  if (!Number.isFinite(shipDateTime)) return market === 'ca' ? 'trackingInfo.shipDateTime must be an ISO 8601 date-time (UTC).' : 'trackingInfo.shipDateTime must be epoch milliseconds.';
  const carriers: readonly unknown[] = market === 'ca' ? WALMART_CA_CARRIERS : WALMART_CARRIERS;
  const methodCode = market === 'ca' && typeof v.methodCode === 'string' ? (CA_METHOD_CODES[v.methodCode] ?? v.methodCode) : v.methodCode;
  const c = v.carrierName;
  if (!isObject(c)) return 'trackingInfo.carrierName is required.';
  const hasCarrier = c.carrier !== undefined && c.carrier !== null;
  const hasOther = c.otherCarrier !== undefined && c.otherCarrier !== null;
  if (hasCarrier === hasOther) return 'trackingInfo.carrierName needs exactly one of carrier and otherCarrier.';
  if (hasCarrier && !carriers.includes(c.carrier)) return 'trackingInfo.carrierName.carrier is not a carrier Walmart knows; use otherCarrier.';
  if (hasOther && !text(c.otherCarrier)) return 'trackingInfo.carrierName.otherCarrier must name the carrier.';
  if (hasOther && market === 'us' && !text(v.trackingURL)) return 'trackingInfo.trackingURL is required when otherCarrier is used.';
  if (!(WALMART_METHOD_CODES as readonly unknown[]).includes(methodCode)) return `trackingInfo.methodCode must be one of ${WALMART_METHOD_CODES.join(', ')}.`;
  if (!text(v.trackingNumber)) return 'trackingInfo.trackingNumber is required.';
  if (v.trackingURL !== undefined && typeof v.trackingURL !== 'string') return 'trackingInfo.trackingURL must be a string.';
  return {
    shipDateTime,
    carrierName: hasCarrier ? { carrier: c.carrier as string } : { otherCarrier: c.otherCarrier as string },
    methodCode: methodCode as string,
    trackingNumber: v.trackingNumber,
    ...(typeof v.trackingURL === 'string' ? { trackingURL: v.trackingURL } : {}),
  };
};

/** The requested moves, or the 400 naming what is wrong. */
const readMoves = (request: SandboxRequest, wrapper: 'orderShipment' | 'orderCancellation' | 'orderAcknowledge', market: Market = 'us'): Move[] | SandboxReply => {
  const body = parse(request.body);
  const lines = isObject(body) && isObject(body[wrapper]) && isObject((body[wrapper] as Record<string, unknown>).orderLines)
    ? ((body[wrapper] as Record<string, Record<string, unknown>>).orderLines as Record<string, unknown>).orderLine
    : undefined;
  if (!Array.isArray(lines) || lines.length === 0) return invalid(wrapper, `${wrapper}.orderLines.orderLine must list at least one line.`);
  const moves: Move[] = [];
  for (const line of lines as unknown[]) {
    if (!isObject(line) || !text(line.lineNumber)) return invalid('lineNumber', 'Every orderLine needs a lineNumber.');
    const statuses = isObject(line.orderLineStatuses) ? line.orderLineStatuses.orderLineStatus : undefined;
    if (!Array.isArray(statuses) || statuses.length === 0) return invalid('orderLineStatuses', `Line ${line.lineNumber}: orderLineStatuses.orderLineStatus is required.`);
    if (market === 'us' && wrapper === 'orderShipment' && !(text(line.sellerOrderId) && line.sellerOrderId.length <= 30)) {
      return invalid('sellerOrderId', `Line ${line.lineNumber}: sellerOrderId (up to 30 characters) is required.`);
    }
    if (line.intentToCancelOverride !== undefined && typeof line.intentToCancelOverride !== 'boolean') {
      return invalid('intentToCancelOverride', `Line ${line.lineNumber}: intentToCancelOverride must be a boolean.`);
    }
    if (market === 'ca' && wrapper === 'orderShipment' && !(typeof line.shipFromCountry === 'string' && /^[A-Z]{2}$/.test(line.shipFromCountry))) {
      return invalid('shipFromCountry', `Line ${line.lineNumber}: shipFromCountry (ISO 3166 alpha-2) is required.`);
    }
    for (const status of statuses as unknown[]) {
      if (!isObject(status)) return invalid('orderLineStatus', `Line ${line.lineNumber}: an orderLineStatus must be an object.`);
      const quantity = quantityOf(status.statusQuantity);
      if (quantity === undefined) return invalid('statusQuantity', `Line ${line.lineNumber}: statusQuantity needs unitOfMeasurement (${UNITS.join(' or ')}) and a positive amount (a string).`);
      const word = typeof status.status === 'string' && market === 'ca' ? status.status.charAt(0) + status.status.slice(1).toLowerCase() : status.status;
      if (wrapper === 'orderAcknowledge') {
        if (word !== 'Acknowledged') return invalid('status', `Line ${line.lineNumber}: status must be Acknowledged.`);
        moves.push({ lineNumber: line.lineNumber, quantity, extra: {} });
      } else if (wrapper === 'orderShipment') {
        if (word !== 'Shipped') return invalid('status', `Line ${line.lineNumber}: status must be Shipped.`);
        const tracking = trackingOf(status.trackingInfo, market);
        if (typeof tracking === 'string') return invalid('trackingInfo', `Line ${line.lineNumber}: ${tracking}`);
        moves.push({ lineNumber: line.lineNumber, quantity, extra: { trackingInfo: tracking }, intentToCancelOverride: line.intentToCancelOverride === true });
      } else {
        if (word !== 'Cancelled') return invalid('status', `Line ${line.lineNumber}: status must be Cancelled.`);
        const reasons: readonly string[] = market === 'ca' ? WALMART_CA_CANCEL_REASONS : WALMART_CANCEL_REASONS;
        if (!reasons.includes(status.cancellationReason as string)) {
          return invalid('cancellationReason', `Line ${line.lineNumber}: cancellationReason must be one of ${reasons.join(', ')}.`);
        }
        moves.push({ lineNumber: line.lineNumber, quantity, extra: { cancellationReason: status.cancellationReason as string } });
      }
    }
  }
  return moves;
};

/** Units of a line in each status. */
const unitsIn = (statuses: readonly OrderLineStatus[], wanted: readonly WalmartLineStatus[]) =>
  statuses.filter((s) => wanted.includes(s.status)).reduce((sum, s) => sum + Number(s.statusQuantity.amount), 0);

/** Takes `quantity` units out of the `from` statuses (first listed first) into a new entry. */
const move = (statuses: OrderLineStatus[], from: readonly WalmartLineStatus[], to: WalmartLineStatus, m: Move): OrderLineStatus[] => {
  let left = m.quantity;
  const kept: OrderLineStatus[] = [];
  for (const s of statuses) {
    const amount = Number(s.statusQuantity.amount);
    if (left > 0 && from.includes(s.status)) {
      const taken = Math.min(left, amount);
      left -= taken;
      if (amount > taken) kept.push({ ...s, statusQuantity: { ...s.statusQuantity, amount: String(amount - taken) } });
    } else {
      kept.push(s);
    }
  }
  return [...kept, lineStatus(to, m.quantity, m.extra)];
};

const applyMoves = (
  order: WalmartOrder,
  moves: readonly Move[],
  from: readonly WalmartLineStatus[],
  to: WalmartLineStatus,
): string | ((o: WalmartOrder, now: number) => void) => {
  // The same update sent again (same line, units already in the target status with the same
  // tracking number or as cancelled) is answered as done and changes nothing: clients retry.
  const repeated = (m: Move) => {
    const line = order.orderLines.orderLine.find((l) => l.lineNumber === m.lineNumber);
    const same = (line?.orderLineStatuses.orderLineStatus ?? []).filter(
      (s) => s.status === to && (to !== 'Shipped' || s.trackingInfo?.trackingNumber === m.extra.trackingInfo?.trackingNumber),
    );
    return same.reduce((n, s) => n + Number(s.statusQuantity.amount), 0) >= m.quantity;
  };
  if (moves.every(repeated)) return () => undefined;
  const byLine = new Map<string, number>();
  for (const m of moves) byLine.set(m.lineNumber, (byLine.get(m.lineNumber) ?? 0) + m.quantity);
  for (const [lineNumber, quantity] of byLine) {
    const line = order.orderLines.orderLine.find((l) => l.lineNumber === lineNumber);
    if (line === undefined) return `Line ${lineNumber} is not a line of this purchase order.`;
    const open = unitsIn(line.orderLineStatuses.orderLineStatus, from);
    if (quantity > open) {
      const created = unitsIn(line.orderLineStatuses.orderLineStatus, ['Created']);
      return to === 'Shipped' && created > 0
        ? `Line ${lineNumber} is not acknowledged: acknowledge the purchase order before shipping it.`
        : `Line ${lineNumber}: ${quantity} units requested, ${open} can move to ${to}.`;
    }
  }
  return (o, now) => {
    for (const m of moves) {
      const line = o.orderLines.orderLine.find((l) => l.lineNumber === m.lineNumber)!;
      line.orderLineStatuses.orderLineStatus = move(line.orderLineStatuses.orderLineStatus, from, to, m);
      line.statusDate = now;
    }
  };
};

export type LineUpdate = Readonly<{ reply: SandboxReply } | { change: (o: WalmartOrder, now: number) => void }>;

export const shippingUpdate = (order: WalmartOrder, request: SandboxRequest, market: Market = 'us'): LineUpdate => {
  const moves = readMoves(request, 'orderShipment', market);
  if (!Array.isArray(moves)) return { reply: moves };
  // A line the buyer asked to cancel ships only with the seller's say-so (US spec: intentToCancelOverride true).
  const asked = market === 'us' ? moves.find((m) => !m.intentToCancelOverride && order.orderLines.orderLine.find((l) => l.lineNumber === m.lineNumber)?.intentToCancel === 'YES') : undefined;
  if (asked) return { reply: invalid('intentToCancelOverride', `Line ${asked.lineNumber}: the customer asked to cancel it; send intentToCancelOverride true to ship it.`) };
  const change = applyMoves(order, moves, ['Acknowledged'], 'Shipped');
  return typeof change === 'string' ? { reply: invalid('orderLine', change) } : { change };
};

export const cancellation = (order: WalmartOrder, request: SandboxRequest, market: Market = 'us'): LineUpdate => {
  const moves = readMoves(request, 'orderCancellation', market);
  if (!Array.isArray(moves)) return { reply: moves };
  const change = applyMoves(order, moves, ['Created', 'Acknowledged'], 'Cancelled');
  return typeof change === 'string' ? { reply: invalid('orderLine', change) } : { change };
};

/** Mexico's acknowledge names the lines and units it acknowledges (orderAcknowledge, like a cancellation's body). */
export const mexicoAcknowledgement = (order: WalmartOrder, request: SandboxRequest): LineUpdate => {
  const moves = readMoves(request, 'orderAcknowledge');
  if (!Array.isArray(moves)) return { reply: moves };
  const change = applyMoves(order, moves, ['Created'], 'Acknowledged');
  return typeof change === 'string' ? { reply: invalid('orderLine', change) } : { change };
};

/**
 * Mexico's shipping update (POST /v3/orders/{id}/ship): `shipments[]` each with shipmentLines
 * (primeLineNo, quantity), a carrier from its list and a tracking number; "Other" needs a trackingURL.
 */
export const mexicoShipment = (order: WalmartOrder, request: SandboxRequest, now: number): LineUpdate => {
  const body = parse(request.body);
  const shipments = isObject(body) ? body.shipments : undefined;
  if (!Array.isArray(shipments) || shipments.length === 0) return { reply: invalid('shipments', 'shipments must list at least one shipment.') };
  const moves: Move[] = [];
  for (const shipment of shipments as unknown[]) {
    if (!isObject(shipment)) return { reply: invalid('shipments', 'A shipment must be an object.') };
    if (!(WALMART_MX_CARRIERS as readonly unknown[]).includes(shipment.carrier)) return { reply: invalid('carrier', `carrier must be one of ${WALMART_MX_CARRIERS.join(', ')}.`) };
    if (!text(shipment.trackingNumber)) return { reply: invalid('trackingNumber', 'trackingNumber is required.') };
    if (shipment.carrier === 'Other' && !text(shipment.trackingURL)) return { reply: invalid('trackingURL', 'trackingURL is required when carrier is Other.') };
    const lines = shipment.shipmentLines;
    if (!Array.isArray(lines) || lines.length === 0) return { reply: invalid('shipmentLines', 'A shipment needs at least one shipmentLine.') };
    for (const line of lines as unknown[]) {
      if (!isObject(line) || !text(line.primeLineNo)) return { reply: invalid('primeLineNo', 'Every shipmentLine needs a primeLineNo.') };
      const quantity = quantityOf(line.quantity);
      if (quantity === undefined) return { reply: invalid('quantity', `Line ${line.primeLineNo}: quantity needs unitOfMeasurement and a positive amount (a string).`) };
      const tracking: TrackingInfo = {
        shipDateTime: now,
        carrierName: shipment.carrier === 'Other' ? { otherCarrier: 'Other' } : { carrier: shipment.carrier as string },
        methodCode: 'Standard',
        trackingNumber: shipment.trackingNumber,
        ...(text(shipment.trackingURL) ? { trackingURL: shipment.trackingURL } : {}),
      };
      moves.push({ lineNumber: line.primeLineNo, quantity, extra: { trackingInfo: tracking } });
    }
  }
  const change = applyMoves(order, moves, ['Acknowledged'], 'Shipped');
  return typeof change === 'string' ? { reply: invalid('shipmentLines', change) } : { change };
};
