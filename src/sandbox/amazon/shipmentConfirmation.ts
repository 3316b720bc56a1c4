import { floorToSecond, isoSeconds, toMillis, type Clock } from '../shared/clock.js';
import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { invalidInput, spApiError } from './errors.js';
import type { AmazonOrderRecord, AmazonOrderStore } from './orderStore.js';
import { applyStatus } from './orderStatus.js';
import type { AmazonOrder, AmazonPackage } from './types.js';

/**
 * Orders API v0 confirmShipment (POST /orders/v0/orders/{orderId}/shipmentConfirmation) as
 * ordersV0.json describes it, and the seller cancellation cancelOrder as its reference page does
 * (body { cancelReasonCode }, whole orders; its method and path are not in the stored models:
 * PUT /orders/2026-01-01/orders/{orderId}/cancellation, see docs/order-loop.md). ConfirmShipmentRequest { marketplaceId, packageDetail } with PackageDetail
 * required packageReferenceId (positive number as a string), carrierCode, trackingNumber, shipDate
 * (ISO 8601), orderItems [{ orderItemId, quantity }]; carrierName required when carrierCode is
 * "Others". 204 without a body on success; 400 InvalidInput otherwise.
 */
type Account = Readonly<{ sellerId: string; region: string }>;
type Deps = Readonly<{ store: AmazonOrderStore; clock: Clock }>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Seller cancellation reasons (cancelOrder's cancelReasonCode). */
export const AMAZON_CANCEL_REASONS = ['NO_INVENTORY', 'BUYER_CANCELLED', 'SHIPPING_ADDRESS_UNDELIVERABLE', 'CUSTOMER_EXCHANGE', 'PRICING_ERROR'] as const;

const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const ownOrder = (deps: Deps, request: SandboxRequest, account: Account, headers: Readonly<Record<string, string>>) => {
  const record = deps.store.get(request.params.orderId ?? '');
  if (record === undefined || record.sellerId !== account.sellerId || record.region !== account.region) {
    return spApiError(404, 'NotFound', 'The requested order was not found.', `Order ${request.params.orderId ?? ''} does not exist.`, headers);
  }
  return record;
};

type Item = { orderItemId: string; quantity: number };
type Package = { packageReferenceId: string; carrierCode: string; carrierName?: string; shippingMethod?: string; trackingNumber: string; shipDate: string; orderItems: Item[] };

/** The request as the model requires it, or what is wrong with it (names fields, never values). */
const readPackage = (body: unknown): { marketplaceId: string; pkg: Package } | string => {
  if (!isObject(body)) return 'The request body must be a ConfirmShipmentRequest JSON object.';
  if (!text(body.marketplaceId)) return 'Missing request parameter: marketplaceId.';
  const p = body.packageDetail;
  if (!isObject(p)) return 'Missing request parameter: packageDetail.';
  if (!text(p.packageReferenceId) || !/^[1-9]\d*$/.test(p.packageReferenceId)) return 'packageDetail.packageReferenceId must be a positive number (as a string).';
  if (!text(p.carrierCode)) return 'Missing request parameter: packageDetail.carrierCode.';
  if (p.carrierCode === 'Others' && !text(p.carrierName)) return 'packageDetail.carrierName is required when carrierCode is Others.';
  if (p.carrierName !== undefined && typeof p.carrierName !== 'string') return 'packageDetail.carrierName must be a string.';
  if (p.shippingMethod !== undefined && typeof p.shippingMethod !== 'string') return 'packageDetail.shippingMethod must be a string.';
  if (!text(p.trackingNumber)) return 'Missing request parameter: packageDetail.trackingNumber.';
  if (!text(p.shipDate) || !ISO_DATE_TIME.test(p.shipDate) || Number.isNaN(Date.parse(p.shipDate))) return 'packageDetail.shipDate must be an ISO 8601 date-time.';
  if (!Array.isArray(p.orderItems) || p.orderItems.length === 0) return 'Missing request parameter: packageDetail.orderItems.';
  const items: Item[] = [];
  for (const item of p.orderItems as unknown[]) {
    if (!isObject(item) || !text(item.orderItemId)) return 'Every orderItems entry needs an orderItemId.';
    if (typeof item.quantity !== 'number' || !Number.isInteger(item.quantity) || item.quantity < 1) return `orderItems quantity of ${item.orderItemId} must be a positive integer.`;
    items.push({ orderItemId: item.orderItemId, quantity: item.quantity });
  }
  return {
    marketplaceId: body.marketplaceId,
    pkg: {
      packageReferenceId: p.packageReferenceId,
      carrierCode: p.carrierCode,
      ...(typeof p.carrierName === 'string' ? { carrierName: p.carrierName } : {}),
      ...(typeof p.shippingMethod === 'string' ? { shippingMethod: p.shippingMethod } : {}),
      trackingNumber: p.trackingNumber,
      shipDate: p.shipDate,
      orderItems: items,
    },
  };
};

const samePackage = (existing: AmazonPackage, pkg: Package) =>
  existing.trackingNumber === pkg.trackingNumber &&
  JSON.stringify([...existing.packageItems].sort((a, b) => a.orderItemId.localeCompare(b.orderItemId))) ===
    JSON.stringify([...pkg.orderItems].sort((a, b) => a.orderItemId.localeCompare(b.orderItemId)).map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })));

const write = (deps: Deps, record: AmazonOrderRecord, change: (order: AmazonOrder) => void) => {
  const order = structuredClone(record.order);
  order.lastUpdatedTime = isoSeconds(Math.max(toMillis(order.lastUpdatedTime), floorToSecond(deps.clock.now())));
  change(order);
  deps.store.put({ ...record, order });
};

export const confirmShipment = (deps: Deps, request: SandboxRequest, account: Account, headers: Readonly<Record<string, string>>): SandboxReply => {
  const found = ownOrder(deps, request, account, headers);
  if ('status' in found) return found;
  const parsed = readPackage(parseJson(request.body));
  if (typeof parsed === 'string') return invalidInput(parsed, headers);
  const { marketplaceId, pkg } = parsed;
  const order = found.order;
  if (marketplaceId !== order.salesChannel.marketplaceId) return invalidInput('marketplaceId does not match the order.', headers);
  if (order.fulfillment?.fulfilledBy !== 'MERCHANT') return invalidInput('Only seller-fulfilled orders can be confirmed.', headers);
  // A package confirmed before and sent again unchanged is the same confirmation: nothing changes.
  const previous = order.packages?.find((p) => p.packageReferenceId === pkg.packageReferenceId);
  if (previous !== undefined) {
    return samePackage(previous, pkg) ? { status: 204, headers } : invalidInput(`packageReferenceId ${pkg.packageReferenceId} was already used for another package.`, headers);
  }
  const status = order.fulfillment.fulfillmentStatus;
  if (status !== 'UNSHIPPED' && status !== 'PARTIALLY_SHIPPED') return invalidInput(`The order cannot be confirmed in status ${status}.`, headers);
  const wanted = new Map<string, number>();
  for (const item of pkg.orderItems) wanted.set(item.orderItemId, (wanted.get(item.orderItemId) ?? 0) + item.quantity);
  for (const [orderItemId, quantity] of wanted) {
    const item = order.orderItems.find((i) => i.orderItemId === orderItemId);
    if (item === undefined) return invalidInput(`orderItemId ${orderItemId} is not an item of this order.`, headers);
    const open = item.fulfillment?.quantityUnfulfilled ?? item.quantityOrdered;
    if (quantity > open) return invalidInput(`quantity for orderItemId ${orderItemId} exceeds the unshipped quantity (${open}).`, headers);
  }
  write(deps, found, (o) => {
    for (const item of o.orderItems) {
      const quantity = wanted.get(item.orderItemId) ?? 0;
      const done = (item.fulfillment?.quantityFulfilled ?? 0) + quantity;
      item.fulfillment = { quantityFulfilled: done, quantityUnfulfilled: item.quantityOrdered - done };
    }
    o.packages = [
      ...(o.packages ?? []),
      {
        packageReferenceId: pkg.packageReferenceId,
        createdTime: o.lastUpdatedTime,
        packageStatus: { status: 'IN_TRANSIT' },
        carrier: pkg.carrierCode === 'Others' ? (pkg.carrierName ?? 'Others') : pkg.carrierCode,
        shipTime: isoSeconds(Date.parse(pkg.shipDate)),
        shippingService: pkg.shippingMethod ?? '',
        trackingNumber: pkg.trackingNumber,
        packageItems: pkg.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
      },
    ];
    const allShipped = o.orderItems.every((i) => (i.fulfillment?.quantityUnfulfilled ?? 0) === 0);
    if (o.fulfillment) o.fulfillment.fulfillmentStatus = allShipped ? 'SHIPPED' : 'PARTIALLY_SHIPPED';
  });
  return { status: 204, headers };
};

/** cancelOrder: the whole order (partial cancellations are not supported), before anything shipped. */
export const cancelOrder = (deps: Deps, request: SandboxRequest, account: Account, headers: Readonly<Record<string, string>>): SandboxReply => {
  const found = ownOrder(deps, request, account, headers);
  if ('status' in found) return found;
  const body = parseJson(request.body);
  if (!isObject(body) || !text(body.cancelReasonCode)) return invalidInput('Missing request parameter: cancelReasonCode.', headers);
  const reason = body.cancelReasonCode;
  if (!(AMAZON_CANCEL_REASONS as readonly string[]).includes(reason)) {
    return invalidInput(`Invalid request parameter cancelReasonCode. Must be one of [${AMAZON_CANCEL_REASONS.join(', ')}].`, headers);
  }
  const status = found.order.fulfillment?.fulfillmentStatus;
  if (found.order.fulfillment?.fulfilledBy !== 'MERCHANT') return invalidInput('Only seller-fulfilled orders can be cancelled by the seller.', headers);
  if (status === 'CANCELLED') return { status: 204, headers };
  if (status !== 'PENDING' && status !== 'UNSHIPPED') return invalidInput(`The order cannot be cancelled in status ${status ?? 'unknown'}.`, headers);
  write(deps, found, (o) => applyStatus(o, 'CANCELLED', { by: 'MERCHANT', reason }));
  return { status: 204, headers };
};
