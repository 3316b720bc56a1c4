import { z } from 'zod';
import type { OrderStatus, PlatformOrder, PlatformOrderLine } from '../../domain/order/platformOrder.js';
import { describeIssues, idOf, OrderPayloadError, validPlatformOrder } from './orderPayloadError.js';
import { looseText, many, one, optText, present, text } from './tolerant.js';

/** Walmart's marketplaces have no id of their own in the API; a store is WALMART_US, WALMART_CA or WALMART_MX. */
export const WALMART_US_MARKETPLACE = 'WALMART_US';

/** Walmart writes quantities as strings ("1") and money as numbers; accept either for both. */
const Count = z.union([z.string().regex(/^\d+$/), z.number().int().min(0)]).transform(Number);
const Amount = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/** US dates are epoch milliseconds; Canada's and Mexico's are ISO 8601 date-times (Mexico's with an offset). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const EpochMs = z.union([
  z.number().int(),
  z.string().regex(/^\d+$/).transform(Number),
  z.string().regex(ISO_DATE_TIME).transform((value) => Date.parse(value)).pipe(z.number().int()),
]);
const Quantity = z.object({ amount: Count });

const Charge = z.object({
  chargeType: optText,
  // Mexico's PRODUCT charge carries only taxes; its price is the item's unitPrice (see fromMexico).
  chargeAmount: one(z.object({ currency: z.string(), amount: Amount })),
  tax: one(z.object({ taxAmount: one(z.object({ currency: z.string(), amount: Amount })) })),
});

/** Canada's model spells statuses in capitals (CREATED, ACKNOWLEDGED…) where its examples write Created: both are read. */
const STATUS_WORDS = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Refund', 'Cancelled'];
const statusWord = (value: string) => STATUS_WORDS.find((w) => w.toUpperCase() === value.toUpperCase()) ?? value;
const LineStatus = z.object({ status: z.string().transform(statusWord), statusQuantity: Quantity, cancellationReason: looseText });

/**
 * The contract is the published model's `required` lists, read loosely: Order needs
 * purchaseOrderId, orderDate and orderLines; OrderLine needs lineNumber, item (sku),
 * orderLineQuantity and orderLineStatuses. Everything else may be missing, null, or an array where
 * one object is documented (Walmart's own example has `"shipNode": []`) — see tolerant.ts.
 */
const OrderLine = z.object({
  lineNumber: z.union([z.string().min(1), z.number().int().transform(String)]),
  item: z.preprocess((value) => (Array.isArray(value) ? value[0] : value), z.object({ productName: optText, sku: z.string().min(1) })),
  charges: one(z.object({ charge: many(Charge) })),
  orderLineQuantity: z.preprocess((value) => (Array.isArray(value) ? value[0] : value), Quantity),
  statusDate: EpochMs.nullish(),
  orderLineStatuses: z.preprocess((value) => (Array.isArray(value) ? value[0] : value), z.object({ orderLineStatus: many(LineStatus) })),
  intentToCancel: looseText,
});

const PostalAddress = z.object({
  name: optText,
  address1: optText,
  address2: optText,
  city: optText,
  state: optText,
  postalCode: optText,
  country: optText,
  addressType: optText,
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Mexico's purchase order (GET /v3/orders/cursor) in the US model's terms: a line is numbered by
 * primeLineNumber (the number its ship and cancel calls name), its statuses are a bare
 * `orderLineStatus` list each with its own statusDate, charges and taxes are bare lists, the PRODUCT
 * charge has no amount (the item's unitPrice times the quantity is the line's price), and the order's
 * total is `orderTotal`. Anything else passes through; a US or Canadian order is left as it is.
 */
const fromMexico = (raw: unknown): unknown => {
  if (!isRecord(raw) || !Array.isArray(raw.orderLines) || raw.orderLines.every((l) => !isRecord(l) || (l.primeLineNumber === undefined && !Array.isArray(l.orderLineStatus)))) return raw;
  const lines = raw.orderLines.map((line: unknown) => {
    if (!isRecord(line)) return line;
    const statuses = Array.isArray(line.orderLineStatus) ? line.orderLineStatus : [];
    const dates = statuses.flatMap((s: unknown) => (isRecord(s) && typeof s.statusDate === 'string' ? [Date.parse(s.statusDate)] : [])).filter(Number.isFinite);
    const item = isRecord(line.item) ? line.item : {};
    const quantity = isRecord(line.orderLineQuantity) ? Number(line.orderLineQuantity.amount) : Number.NaN;
    const unitPrice = isRecord(item.unitPrice) ? item.unitPrice : undefined;
    const charges = (Array.isArray(line.charges) ? line.charges : isRecord(line.charges) ? [line.charges] : []).map((charge: unknown) => {
      if (!isRecord(charge) || charge.chargeType !== 'PRODUCT' || charge.chargeAmount !== undefined || unitPrice === undefined || !Number.isFinite(quantity)) return charge;
      return { ...charge, chargeAmount: { currency: unitPrice.currency, amount: Number(unitPrice.amount) * quantity } };
    });
    return {
      ...line,
      lineNumber: line.lineNumber ?? line.primeLineNumber,
      orderLineStatuses: line.orderLineStatuses ?? { orderLineStatus: statuses },
      charges: { charge: charges },
      statusDate: line.statusDate ?? (dates.length > 0 ? Math.max(...dates) : undefined),
    };
  });
  const total = isRecord(raw.orderTotal) ? { totalAmount: { currencyAmount: raw.orderTotal.amount, currencyUnit: raw.orderTotal.currency } } : raw.orderSummary;
  return { ...raw, orderLines: { orderLine: lines }, ...(total !== undefined ? { orderSummary: total } : {}) };
};

const OrderPayload = z.object({
  purchaseOrderId: z.union([z.string().min(1), z.number().int().transform(String)]),
  customerEmailId: optText,
  orderDate: EpochMs,
  shippingInfo: one(
    z.object({
      phone: optText,
      estimatedDeliveryDate: EpochMs.nullish().catch(null),
      estimatedShipDate: EpochMs.nullish().catch(null),
      methodCode: looseText,
      postalAddress: one(PostalAddress),
    }),
  ),
  orderSummary: one(z.object({ totalAmount: one(z.object({ currencyAmount: Amount, currencyUnit: z.string() })) })),
  orderLines: z.preprocess((value) => (Array.isArray(value) ? { orderLine: value } : value), z.object({ orderLine: many(OrderLine) })),
  shipNode: one(z.object({ type: looseText })),
});
export const WalmartOrderPayload = z.preprocess(fromMexico, OrderPayload);
export type WalmartOrderPayload = z.infer<typeof OrderPayload>;

export type WalmartOrderContext = Readonly<{
  /** The store's marketplace id (default WALMART_US). */
  marketplaceId?: string;
  /** The shipNodeType the order was searched with; the order's own shipNode wins when it has one. */
  shipNodeType?: string;
  /** The store is the account's 3PL ship node (store setting `walmart3plNode`): its 3PLFulfilled orders are the seller's to ship. */
  threePlNode?: boolean;
}>;

/** Line statuses that still need the seller (or WFS) to ship, that count as shipped, and cancelled. */
const OPEN = new Set(['Created', 'Acknowledged']);
// A refund follows a shipment; the units left the warehouse.
const SHIPPED = new Set(['Shipped', 'Delivered', 'Refund']);
const CANCELLED = 'Cancelled';
export const THREE_PL = '3PLFulfilled';
/** intentToCancel is text in the model; Walmart writes a yes/no word there. */
const YES = /^(y|yes|true|1)$/i;
/** The one status shown for a line holding several: the earliest step any of its units is at. */
const PRECEDENCE = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Refund', 'Cancelled'];

const iso = (ms: number | null | undefined): string | null => (ms === undefined || ms === null ? null : new Date(ms).toISOString());
/** ShipTo.countryCode is ISO 3166 alpha-2 everywhere else; Walmart writes "USA" (and may write "CAN", "MEX"). */
const ALPHA3: Readonly<Record<string, string>> = { USA: 'US', CAN: 'CA', MEX: 'MX' };
const countryCode = (country: string | null | undefined): string | null => ALPHA3[country ?? ''] ?? text(country);

/** Walmart's number amounts as decimal strings, cents exact (avoids 0.1 + 0.2 artefacts). */
const money = (amount: number): string => (Math.round(amount * 100) / 100).toFixed(2);

type Line = z.infer<typeof OrderLine>;

const toLine = (line: Line): PlatformOrderLine => {
  const entries = line.orderLineStatuses.orderLineStatus;
  const sum = (match: (status: string) => boolean) =>
    entries.filter((entry) => match(entry.status)).reduce((total, entry) => total + entry.statusQuantity.amount, 0);
  const ordered = line.orderLineQuantity.amount;
  const shipped = Math.min(ordered, sum((status) => SHIPPED.has(status)));
  const cancelled = Math.min(ordered - shipped, sum((status) => status === CANCELLED));
  const statuses = entries.map((entry) => entry.status);
  const shown = PRECEDENCE.find((status) => statuses.includes(status)) ?? statuses[0] ?? null;
  // The PRODUCT charge (ItemPrice) is the line's price for all its units.
  const product = (line.charges?.charge ?? []).flatMap((charge) => (charge.chargeType === 'PRODUCT' && charge.chargeAmount !== undefined ? [charge.chargeAmount] : []));
  const first = product[0];
  const lineTotal = product.reduce((total, amount) => total + amount.amount, 0);
  return {
    lineId: line.lineNumber,
    platformSku: line.item.sku,
    quantityOrdered: ordered,
    quantityShipped: shipped,
    quantityCancelled: cancelled,
    lineStatus: shown,
    unitPrice: first === undefined || ordered === 0 ? null : { amount: money(lineTotal / ordered), currency: first.currency },
    title: text(line.item.productName),
    ...(YES.test(line.intentToCancel?.trim() ?? '') ? { cancellationRequested: true as const } : {}),
  };
};

/**
 * Walmart keeps status on lines, not the order: the order is unshipped while any unit is Created
 * or Acknowledged (partially shipped once some units shipped), shipped when none is open and some
 * shipped, cancelled when every unit was cancelled.
 */
const orderStatus = (lines: readonly Line[]): OrderStatus => {
  const entries = lines.flatMap((line) => line.orderLineStatuses.orderLineStatus);
  // A status this code does not know (Walmart adds some from time to time) leaves units it cannot
  // account for: the order is 'unknown' — recorded, shown, never released — not guessed at.
  if (entries.length === 0 || entries.some((entry) => !PRECEDENCE.includes(entry.status))) return 'unknown';
  const units = (match: (status: string) => boolean) =>
    entries.filter((entry) => match(entry.status)).reduce((total, entry) => total + entry.statusQuantity.amount, 0);
  const open = units((status) => OPEN.has(status));
  const shipped = units((status) => SHIPPED.has(status));
  if (open > 0) return shipped > 0 ? 'partially_shipped' : 'unshipped';
  if (shipped > 0) return 'shipped';
  return 'cancelled';
};

/** Per-charge and per-tax amounts added up: what the customer paid, when Walmart sends no orderSummary. */
const orderTotal = (order: WalmartOrderPayload): PlatformOrder['orderTotal'] => {
  const summary = order.orderSummary?.totalAmount;
  if (summary !== undefined && summary !== null) return { amount: money(summary.currencyAmount), currency: summary.currencyUnit };
  const amounts = order.orderLines.orderLine.flatMap((line) =>
    (line.charges?.charge ?? []).flatMap((charge) => [...(charge.chargeAmount ? [charge.chargeAmount] : []), ...(charge.tax?.taxAmount ? [charge.tax.taxAmount] : [])]),
  );
  const currency = amounts[0]?.currency;
  if (currency === undefined || amounts.some((a) => a.currency !== currency)) return null;
  return { amount: money(amounts.reduce((total, a) => total + a.amount, 0)), currency };
};

/**
 * A purchase order from GET /v3/orders (or getAnOrder / acknowledge / cancel answers) as a
 * PlatformOrder. Dates are epoch milliseconds; the order's updatedAt is its latest line status date.
 */
export const parseWalmartOrder = (raw: unknown, context: WalmartOrderContext = {}): PlatformOrder => {
  const parsed = WalmartOrderPayload.safeParse(raw);
  if (!parsed.success) {
    throw new OrderPayloadError(`Walmart purchase order ${idOf(raw, 'purchaseOrderId')} does not match the Orders API: ${describeIssues(parsed.error.issues)}`);
  }
  const order = parsed.data;
  const what = `Walmart purchase order ${order.purchaseOrderId}`;
  const lines = order.orderLines.orderLine;
  const status = orderStatus(lines);
  const shipNode = text(order.shipNode?.type) ?? context.shipNodeType ?? 'SellerFulfilled';
  const updated = Math.max(order.orderDate, ...lines.map((line) => line.statusDate ?? 0));
  const shipping = order.shippingInfo;
  const address = shipping?.postalAddress;
  const distinct = [...new Set(lines.flatMap((line) => line.orderLineStatuses.orderLineStatus.map((entry) => entry.status)))];

  return validPlatformOrder(
    {
      platform: 'walmart',
      marketplaceId: context.marketplaceId ?? WALMART_US_MARKETPLACE,
      platformOrderId: order.purchaseOrderId,
      createdAt: new Date(order.orderDate).toISOString(),
      updatedAt: new Date(updated).toISOString(),
      status,
      // Walmart has no order status word; the distinct line statuses are what an operator sees there.
      platformStatus: PRECEDENCE.filter((s) => distinct.includes(s)).concat(distinct.filter((s) => !PRECEDENCE.includes(s))).join('/'),
      // WFS ships its own orders; a 3PL node's orders are someone else's to ship unless the store is
      // that 3PL (store setting `walmart3plNode`): then they are the seller's, released like any other.
      fulfillmentChannel: shipNode === 'WFSFulfilled' || (shipNode === THREE_PL && context.threePlNode !== true) ? 'marketplace' : 'merchant',
      ...(shipNode === THREE_PL ? { shipNodeType: THREE_PL } : {}),
      shipBy: iso(shipping?.estimatedShipDate),
      deliverBy: iso(shipping?.estimatedDeliveryDate),
      serviceLevel: text(shipping?.methodCode),
      shipTo:
        address === undefined || address === null
          ? null
          : {
              name: text(address.name),
              addressLines: [address.address1, address.address2].flatMap((line) => (text(line) === null ? [] : [line as string])),
              city: text(address.city),
              stateOrRegion: text(address.state),
              postalCode: text(address.postalCode),
              countryCode: countryCode(address.country),
              phone: text(shipping?.phone),
              ...present({ addressType: address.addressType }),
            },
      buyer:
        text(address?.name) === null && text(order.customerEmailId) === null
          ? null
          : { name: text(address?.name), email: text(order.customerEmailId) },
      lines: lines.map(toLine),
      orderTotal: orderTotal(order),
    },
    what,
  );
};
