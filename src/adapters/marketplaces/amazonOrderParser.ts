import { z } from 'zod';
import type { OrderStatus, PlatformOrder, PlatformOrderLine, ShipTo } from '../../domain/order/platformOrder.js';
import { describeIssues, idOf, OrderPayloadError, validPlatformOrder } from './orderPayloadError.js';

/**
 * Orders API v2026-01-01 `Order`, as far as OMS reads it. Datasets Amazon returns only when asked
 * (`includedData`) or only to some roles are optional here; what is absent becomes null, not a guess.
 */
const Money = z.object({ amount: z.string(), currencyCode: z.string() });
const Window = z.object({ earliestDateTime: z.string().optional(), latestDateTime: z.string().optional() });

const DeliveryAddress = z.object({
  name: z.string().optional(),
  addressLine1: z.string().optional(),
  addressLine2: z.string().optional(),
  addressLine3: z.string().optional(),
  city: z.string().optional(),
  stateOrRegion: z.string().optional(),
  postalCode: z.string().optional(),
  countryCode: z.string().optional(),
  phone: z.string().optional(),
});

const OrderItem = z.object({
  orderItemId: z.string().min(1),
  quantityOrdered: z.number().int().min(0),
  product: z.object({
    asin: z.string().optional(),
    title: z.string().optional(),
    sellerSku: z.string().optional(),
    price: z.object({ unitPrice: Money.optional() }).optional(),
  }),
  cancellation: z.object({ cancellationExecution: z.unknown() }).optional(),
  fulfillment: z
    .object({ quantityFulfilled: z.number().int().min(0).optional(), quantityUnfulfilled: z.number().int().min(0).optional() })
    .optional(),
});

export const AmazonOrderPayload = z.object({
  orderId: z.string().min(1),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  salesChannel: z.object({ channelName: z.string().optional(), marketplaceId: z.string().optional() }),
  buyer: z.object({ buyerName: z.string().optional(), buyerEmail: z.string().optional() }).optional(),
  recipient: z.object({ deliveryAddress: DeliveryAddress.optional() }).optional(),
  proceeds: z.object({ grandTotal: Money.optional() }).optional(),
  fulfillment: z.object({
    fulfillmentStatus: z.string(),
    fulfilledBy: z.string(),
    fulfillmentServiceLevel: z.string().optional(),
    shipByWindow: Window.optional(),
    deliverByWindow: Window.optional(),
  }),
  orderItems: z.array(OrderItem),
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

const isoOrNull = (value: string | undefined, field: string): string | null => (value === undefined || value === '' ? null : iso(value, field));

const text = (value: string | undefined): string | null => (value === undefined || value.trim() === '' ? null : value);

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
  };
};

const toLine = (item: z.infer<typeof OrderItem>, status: OrderStatus): PlatformOrderLine => {
  const ordered = item.quantityOrdered;
  const fulfilled = item.fulfillment?.quantityFulfilled;
  const unfulfilled = item.fulfillment?.quantityUnfulfilled;
  const shipped = Math.min(ordered, fulfilled ?? (status === 'shipped' ? ordered : 0));
  // v2026 has no cancelled quantity: what is neither fulfilled nor still to fulfil was cancelled.
  const cancelled =
    fulfilled !== undefined && unfulfilled !== undefined
      ? Math.max(0, ordered - fulfilled - unfulfilled)
      : status === 'cancelled' || item.cancellation?.cancellationExecution !== undefined
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
  const status = STATUS[letters(order.fulfillment.fulfillmentStatus)];
  if (status === undefined) throw new OrderPayloadError(`Amazon order ${order.orderId}: unknown fulfillment status ${order.fulfillment.fulfillmentStatus}`);
  const channel = CHANNEL[letters(order.fulfillment.fulfilledBy)];
  if (channel === undefined) throw new OrderPayloadError(`Amazon order ${order.orderId}: unknown fulfilledBy ${order.fulfillment.fulfilledBy}`);
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
      platformStatus: order.fulfillment.fulfillmentStatus,
      fulfillmentChannel: channel,
      shipBy: isoOrNull(order.fulfillment.shipByWindow?.latestDateTime, 'shipByWindow.latestDateTime'),
      deliverBy: isoOrNull(order.fulfillment.deliverByWindow?.latestDateTime, 'deliverByWindow.latestDateTime'),
      serviceLevel: text(order.fulfillment.fulfillmentServiceLevel),
      shipTo: shipTo(order.recipient?.deliveryAddress),
      buyer: buyer !== null && buyer.name === null && buyer.email === null ? null : buyer,
      lines: order.orderItems.map((item) => toLine(item, status)),
      orderTotal: total === undefined ? null : { amount: total.amount, currency: total.currencyCode },
    },
    `Amazon order ${order.orderId}`,
  );
};
