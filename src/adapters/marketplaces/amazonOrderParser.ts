import { z } from 'zod';
import type { OrderStatus, PlatformOrder, PlatformOrderLine, ShipTo } from '../../domain/order/platformOrder.js';
import { describeIssues, idOf, OrderPayloadError, validPlatformOrder } from './orderPayloadError.js';
import { looseText, many, one, optText, present, text } from './tolerant.js';

/**
 * Orders API v2026-01-01 `Order`, as far as OMS reads it. The contract is the model's `required`
 * lists (Order: orderId, createdTime, lastUpdatedTime, salesChannel, orderItems; OrderItem:
 * orderItemId, quantityOrdered, product): everything else may be missing or null, and an array or
 * a single object is accepted where the other was documented (see tolerant.ts). Datasets Amazon
 * returns only when asked (`includedData`) or only to some roles become null, not a guess.
 */
const Money = z.object({ amount: z.union([z.string(), z.number()]).transform(String), currencyCode: z.string() });
const Window = z.object({ earliestDateTime: optText, latestDateTime: optText });

const DeliveryAddress = z.object({
  name: optText,
  companyName: optText,
  addressLine1: optText,
  addressLine2: optText,
  addressLine3: optText,
  city: optText,
  districtOrCounty: optText,
  stateOrRegion: optText,
  municipality: optText,
  postalCode: optText,
  countryCode: optText,
  phone: optText,
  addressType: optText,
});

const OrderItem = z.object({
  orderItemId: z.union([z.string().min(1), z.number().transform(String)]),
  quantityOrdered: z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)]),
  product: z.preprocess((value) => (Array.isArray(value) ? value[0] : value), z.object({
    asin: optText,
    title: optText,
    sellerSku: optText,
    price: one(z.object({ unitPrice: one(Money) })),
  })),
  cancellation: one(
    z.object({
      cancellationRequest: one(z.object({ requester: looseText, cancelReason: looseText })),
      cancellationExecution: z.unknown().optional(),
    }),
  ),
  fulfillment: one(
    z.object({ quantityFulfilled: z.number().int().min(0).nullish(), quantityUnfulfilled: z.number().int().min(0).nullish() }),
  ),
});

export const AmazonOrderPayload = z.object({
  orderId: z.string().min(1),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  salesChannel: z.preprocess((value) => (Array.isArray(value) ? value[0] : value), z.object({ channelName: optText, marketplaceId: optText })),
  buyer: one(z.object({ buyerName: optText, buyerEmail: optText })),
  recipient: one(z.object({ deliveryAddress: one(DeliveryAddress) })),
  proceeds: one(z.object({ grandTotal: one(Money) })),
  fulfillment: one(
    z.object({
      fulfillmentStatus: looseText,
      fulfilledBy: looseText,
      fulfillmentServiceLevel: looseText,
      shipByWindow: one(Window),
      deliverByWindow: one(Window),
    }),
  ),
  orderItems: many(OrderItem),
});
export type AmazonOrderPayload = z.infer<typeof AmazonOrderPayload>;

export type AmazonOrderContext = Readonly<{
  /** The marketplace the order was asked for; used when the sales channel names none (non-Amazon channels). */
  marketplaceId?: string;
}>;

/**
 * v2026 writes statuses as PARTIALLY_SHIPPED, v0 as PartiallyShipped (and spells Canceled with one
 * l); comparing letters only accepts both.
 */
const STATUS: Readonly<Record<string, OrderStatus>> = {
  PENDING: 'pending',
  PENDINGAVAILABILITY: 'pending',
  UNSHIPPED: 'unshipped',
  PARTIALLYSHIPPED: 'partially_shipped',
  SHIPPED: 'shipped',
  CANCELLED: 'cancelled',
  CANCELED: 'cancelled',
  UNFULFILLABLE: 'unfulfillable',
};

const CHANNEL: Readonly<Record<string, PlatformOrder['fulfillmentChannel']>> = {
  MERCHANT: 'merchant',
  MFN: 'merchant',
  AMAZON: 'marketplace',
  AFN: 'marketplace',
};

const letters = (value: string) => value.toUpperCase().replace(/[^A-Z]/g, '');

/** ISO instants in one form (with milliseconds, UTC) whichever offset the marketplace wrote. */
const iso = (value: string, field: string): string => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new OrderPayloadError(`Amazon order field ${field} is not a date-time`);
  return new Date(ms).toISOString();
};

/** Optional dates: absent, empty or unreadable is null (the order is still usable without them). */
const isoOrNull = (value: string | undefined): string | null => {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

const shipTo = (address: z.infer<typeof DeliveryAddress> | undefined): ShipTo | null => {
  if (address === undefined) return null;
  return {
    name: text(address.name),
    addressLines: [address.addressLine1, address.addressLine2, address.addressLine3].flatMap((line) => (text(line) === null ? [] : [line as string])),
    city: text(address.city),
    stateOrRegion: text(address.stateOrRegion),
    postalCode: text(address.postalCode),
    countryCode: text(address.countryCode),
    phone: text(address.phone),
    ...present({ companyName: address.companyName, district: address.districtOrCounty, municipality: address.municipality, addressType: address.addressType }),
  };
};

/** A buyer's request to cancel (CANCELLATION dataset): a fact for the warehouse, not a cancellation. */
const cancellationRequest = (item: z.infer<typeof OrderItem>): Pick<PlatformOrderLine, 'cancellationRequested' | 'cancellationReason'> => {
  const request = item.cancellation?.cancellationRequest;
  if (request === undefined) return {};
  const reason = text(request.cancelReason);
  return reason === null ? { cancellationRequested: true } : { cancellationRequested: true, cancellationReason: reason };
};

const toLine = (item: z.infer<typeof OrderItem>, status: OrderStatus): PlatformOrderLine => {
  const ordered = item.quantityOrdered;
  const fulfilled = item.fulfillment?.quantityFulfilled ?? undefined;
  const unfulfilled = item.fulfillment?.quantityUnfulfilled ?? undefined;
  const shipped = Math.min(ordered, fulfilled ?? (status === 'shipped' ? ordered : 0));
  // v2026 has no cancelled quantity: what is neither fulfilled nor still to fulfil was cancelled.
  const cancelled =
    fulfilled !== undefined && unfulfilled !== undefined
      ? Math.max(0, ordered - fulfilled - unfulfilled)
      : status === 'cancelled' || (item.cancellation?.cancellationExecution ?? null) !== null
        ? ordered - shipped
        : 0;
  const unitPrice = item.product.price?.unitPrice;
  // Mappings key on the seller SKU; an item without one shows up as an unmapped ASIN rather than failing the pull.
  const platformSku = text(item.product.sellerSku) ?? text(item.product.asin);
  if (platformSku === null) throw new OrderPayloadError(`order item ${item.orderItemId} has neither a seller SKU nor an ASIN`);
  return {
    lineId: item.orderItemId,
    platformSku,
    quantityOrdered: ordered,
    quantityShipped: shipped,
    quantityCancelled: Math.min(cancelled, ordered - shipped),
    lineStatus: null,
    unitPrice: unitPrice === undefined ? null : { amount: unitPrice.amount, currency: unitPrice.currencyCode },
    title: text(item.product.title),
    ...cancellationRequest(item),
  };
};

/**
 * An Orders API v2026-01-01 order (searchOrders / getOrder, items inline) as a PlatformOrder. Needs
 * the FULFILLMENT dataset (it carries the status); BUYER and RECIPIENT become null when Amazon
 * withholds them (not requested, no role, FBA, or a status without an address).
 */
export const parseAmazonOrder = (raw: unknown, context: AmazonOrderContext = {}): PlatformOrder => {
  const parsed = AmazonOrderPayload.safeParse(raw);
  if (!parsed.success) {
    throw new OrderPayloadError(`Amazon order ${idOf(raw, 'orderId')} does not match Orders API v2026-01-01: ${describeIssues(parsed.error.issues)}`);
  }
  const order = parsed.data;
  const fulfillment = order.fulfillment;
  // An unknown or missing status or fulfiller is recorded as 'unknown', which is never released
  // (the release policy holds it and says why); a later pull with known words decides it.
  const platformStatus = text(fulfillment?.fulfillmentStatus) ?? 'UNKNOWN';
  const status = STATUS[letters(platformStatus)] ?? 'unknown';
  const channel = CHANNEL[letters(fulfillment?.fulfilledBy ?? '')] ?? 'unknown';
  const marketplaceId = text(order.salesChannel.marketplaceId) ?? context.marketplaceId;
  if (marketplaceId === undefined) throw new OrderPayloadError(`Amazon order ${order.orderId} names no marketplace`);
  const buyer = order.buyer === undefined ? null : { name: text(order.buyer.buyerName), email: text(order.buyer.buyerEmail) };
  const total = order.proceeds?.grandTotal;

  return validPlatformOrder(
    {
      platform: 'amazon',
      marketplaceId,
      platformOrderId: order.orderId,
      createdAt: iso(order.createdTime, 'createdTime'),
      updatedAt: iso(order.lastUpdatedTime, 'lastUpdatedTime'),
      status,
      platformStatus,
      fulfillmentChannel: channel,
      shipBy: isoOrNull(fulfillment?.shipByWindow?.latestDateTime),
      deliverBy: isoOrNull(fulfillment?.deliverByWindow?.latestDateTime),
      serviceLevel: text(fulfillment?.fulfillmentServiceLevel),
      shipTo: shipTo(order.recipient?.deliveryAddress),
      buyer: buyer !== null && buyer.name === null && buyer.email === null ? null : buyer,
      lines: order.orderItems.map((item) => toLine(item, status)),
      orderTotal: total === undefined ? null : { amount: total.amount, currency: total.currencyCode },
    },
    `Amazon order ${order.orderId}`,
  );
};
