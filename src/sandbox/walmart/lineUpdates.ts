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

/** trackingInfo.carrierName.carrier values Walmart lists (US); anything else goes in otherCarrier. */
export const WALMART_CARRIERS = ['UPS', 'USPS', 'FedEx', 'Airborne', 'OnTrac', 'DHL', 'LS', 'UDS', 'UPSMI', 'FDX', 'PILOT', 'ESTES', 'SAIA'] as const;
export const WALMART_METHOD_CODES = ['Standard', 'Express', 'OneDay', 'Freight', 'WhiteGlove', 'Value'] as const;
export const WALMART_CANCEL_REASONS = [
  'CUSTOMER_REQUESTED_SELLER_TO_CANCEL',
  'SELLER_CANCEL_PRICING_ERROR',
  'SELLER_CANCEL_OUT_OF_STOCK',
  'SELLER_CANCEL_FRAUD_STOP_SHIPMENT',
  'SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE',
] as const;

type Move = Readonly<{ lineNumber: string; quantity: number; extra: Omit<OrderLineStatus, 'status' | 'statusQuantity'> }>;

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
  if (!isObject(v) || !text(v.unitOfMeasurement)) return undefined;
  const n = typeof v.amount === 'string' && /^\d+$/.test(v.amount) ? Number(v.amount) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

const trackingOf = (v: unknown): TrackingInfo | string => {
  if (!isObject(v)) return 'trackingInfo is required for a Shipped status.';
  if (typeof v.shipDateTime !== 'number' || !Number.isFinite(v.shipDateTime)) return 'trackingInfo.shipDateTime must be epoch milliseconds.';
  const c = v.carrierName;
  if (!isObject(c)) return 'trackingInfo.carrierName is required.';
  const hasCarrier = c.carrier !== undefined && c.carrier !== null;
  const hasOther = c.otherCarrier !== undefined && c.otherCarrier !== null;
  if (hasCarrier === hasOther) return 'trackingInfo.carrierName needs exactly one of carrier and otherCarrier.';
  if (hasCarrier && !(WALMART_CARRIERS as readonly unknown[]).includes(c.carrier)) return 'trackingInfo.carrierName.carrier is not a carrier Walmart knows; use otherCarrier.';
  if (hasOther && !text(c.otherCarrier)) return 'trackingInfo.carrierName.otherCarrier must name the carrier.';
  if (!(WALMART_METHOD_CODES as readonly unknown[]).includes(v.methodCode)) return `trackingInfo.methodCode must be one of ${WALMART_METHOD_CODES.join(', ')}.`;
  if (!text(v.trackingNumber)) return 'trackingInfo.trackingNumber is required.';
  if (v.trackingURL !== undefined && typeof v.trackingURL !== 'string') return 'trackingInfo.trackingURL must be a string.';
  return {
    shipDateTime: v.shipDateTime,
    carrierName: hasCarrier ? { carrier: c.carrier as string } : { otherCarrier: c.otherCarrier as string },
    methodCode: v.methodCode as string,
    trackingNumber: v.trackingNumber,
    ...(typeof v.trackingURL === 'string' ? { trackingURL: v.trackingURL } : {}),
  };
};

/** The requested moves, or the 400 naming what is wrong. */
const readMoves = (request: SandboxRequest, wrapper: 'orderShipment' | 'orderCancellation'): Move[] | SandboxReply => {
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
    for (const status of statuses as unknown[]) {
      if (!isObject(status)) return invalid('orderLineStatus', `Line ${line.lineNumber}: an orderLineStatus must be an object.`);
      const quantity = quantityOf(status.statusQuantity);
      if (quantity === undefined) return invalid('statusQuantity', `Line ${line.lineNumber}: statusQuantity needs unitOfMeasurement and a positive amount (a string).`);
      if (wrapper === 'orderShipment') {
        if (status.status !== 'Shipped') return invalid('status', `Line ${line.lineNumber}: status must be Shipped.`);
        const tracking = trackingOf(status.trackingInfo);
        if (typeof tracking === 'string') return invalid('trackingInfo', `Line ${line.lineNumber}: ${tracking}`);
        moves.push({ lineNumber: line.lineNumber, quantity, extra: { trackingInfo: tracking } });
      } else {
        if (status.status !== 'Cancelled') return invalid('status', `Line ${line.lineNumber}: status must be Cancelled.`);
        if (!(WALMART_CANCEL_REASONS as readonly unknown[]).includes(status.cancellationReason)) {
          return invalid('cancellationReason', `Line ${line.lineNumber}: cancellationReason must be one of ${WALMART_CANCEL_REASONS.join(', ')}.`);
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

export const shippingUpdate = (order: WalmartOrder, request: SandboxRequest): LineUpdate => {
  const moves = readMoves(request, 'orderShipment');
  if (!Array.isArray(moves)) return { reply: moves };
  const change = applyMoves(order, moves, ['Acknowledged'], 'Shipped');
  return typeof change === 'string' ? { reply: invalid('orderLine', change) } : { change };
};

export const cancellation = (order: WalmartOrder, request: SandboxRequest): LineUpdate => {
  const moves = readMoves(request, 'orderCancellation');
  if (!Array.isArray(moves)) return { reply: moves };
  const change = applyMoves(order, moves, ['Created', 'Acknowledged'], 'Cancelled');
  return typeof change === 'string' ? { reply: invalid('orderLine', change) } : { change };
};
