import { formatMinor, type GeneratedOrder, type OrderStage, type ServiceLevel } from '../orderGenerator.js';
import { isoSeconds } from '../shared/clock.js';
import { createRandom, type Random } from '../shared/random.js';
import type { Marketplace } from './marketplaces.js';
import type { AmazonOrder, AmazonOrderItem, AmazonPackage, DeliveryAddress, FulfillmentStatus } from './types.js';

const STATUS_OF_STAGE: Readonly<Record<OrderStage, FulfillmentStatus>> = {
  pending: 'PENDING',
  unshipped: 'UNSHIPPED',
  partiallyShipped: 'PARTIALLY_SHIPPED',
  shipped: 'SHIPPED',
  cancelled: 'CANCELLED',
};

const SERVICE_LEVEL: Readonly<Record<ServiceLevel, string>> = {
  standard: 'STANDARD',
  expedited: 'EXPEDITED',
  secondDay: 'SECOND_DAY',
  nextDay: 'NEXT_DAY',
};

const CARRIERS: Readonly<Record<string, readonly string[]>> = {
  US: ['UPS', 'USPS', 'FedEx'], CA: ['Canada Post', 'UPS'], GB: ['Royal Mail', 'DPD'], DE: ['DHL', 'Hermes'],
  FR: ['Colissimo', 'Chronopost'], JP: ['Yamato Transport', 'Sagawa Express'], BR: ['Correios'],
};

const DAY = 86_400_000;

/** ASINs are 10 characters starting "B0"; deriving them from the SKU keeps them stable across orders. */
export const asinForSku = (sku: string): string => `B0${createRandom(`asin/${sku}`).alnum(8)}`;

export const amazonOrderId = (random: Random, market: Marketplace): string =>
  `${random.pick(market.orderIdPrefixes)}-${random.digits(7)}-${random.digits(7)}`;

const trackingNumber = (random: Random, carrier: string): string =>
  carrier === 'UPS' ? `1Z${random.alnum(16)}` : carrier === 'USPS' ? `9400${random.digits(18)}` : random.digits(12);

/** Package and per-item quantities for a status: what Amazon shows once items ship. */
export const shipmentView = (
  random: Random,
  order: Pick<AmazonOrder, 'orderId' | 'orderItems'>,
  shipped: readonly number[],
  shipTimeMs: number,
  countryCode: string,
): AmazonPackage[] => {
  const items = order.orderItems
    .map((item, index) => ({ orderItemId: item.orderItemId, quantity: shipped[index] ?? 0 }))
    .filter((item) => item.quantity > 0);
  if (items.length === 0) return [];
  const carrier = random.pick(CARRIERS[countryCode] ?? ['DHL']);
  return [
    {
      packageReferenceId: `${order.orderId.replace(/-/g, '').slice(-10)}01`,
      createdTime: isoSeconds(shipTimeMs - 3_600_000),
      packageStatus: { status: 'IN_TRANSIT' },
      carrier,
      shipTime: isoSeconds(shipTimeMs),
      shippingService: `${carrier} Ground`,
      trackingNumber: trackingNumber(random, carrier),
      packageItems: items,
    },
  ];
};

const deliveryAddress = (generated: GeneratedOrder, merchantFulfilled: boolean): DeliveryAddress => {
  const { address } = generated.buyer;
  return {
    name: generated.buyer.name,
    addressLine1: address.line1,
    ...(address.line2 !== undefined ? { addressLine2: address.line2 } : {}),
    city: address.city,
    stateOrRegion: address.stateOrRegion,
    postalCode: address.postalCode,
    countryCode: address.countryCode,
    // Amazon suppresses the buyer's phone on FBA orders (model note on CustomerAddress.phone).
    ...(merchantFulfilled ? { phone: generated.buyer.phone } : {}),
    ...(address.countryCode === 'BR'
      ? {
          extendedFields: {
            streetName: address.streetName,
            streetNumber: address.streetNumber,
            ...(address.line2 !== undefined ? { complement: address.line2 } : {}),
            ...(address.neighborhood !== undefined ? { neighborhood: address.neighborhood } : {}),
          },
        }
      : {}),
    addressType: 'RESIDENTIAL',
  };
};

const orderItem = (random: Random, line: GeneratedOrder['lines'][number], currency: string, status: FulfillmentStatus): AmazonOrderItem => {
  const money = (minor: number) => ({ amount: formatMinor(minor, currency), currencyCode: currency });
  const total = money(line.unitPriceMinor * line.quantity);
  return {
    orderItemId: random.digits(14),
    quantityOrdered: line.quantity,
    product: {
      asin: asinForSku(line.sku),
      title: line.title,
      sellerSku: line.sku,
      condition: { conditionType: 'NEW', conditionSubtype: 'NEW' },
      price: { unitPrice: money(line.unitPriceMinor) },
    },
    proceeds: { proceedsTotal: total, breakdowns: [{ type: 'ITEM', subtotal: total }] },
    fulfillment:
      status === 'CANCELLED'
        ? { quantityFulfilled: 0, quantityUnfulfilled: 0 }
        : { quantityFulfilled: line.quantityShipped, quantityUnfulfilled: line.quantity - line.quantityShipped },
    ...(status === 'CANCELLED' ? { cancellation: { cancellationExecution: { cancelledBy: 'BUYER' as const, cancelReason: 'BuyerCanceled' } } } : {}),
  };
};

/** Renders a generated order as Amazon returns it with every dataset included. */
export const toAmazonOrder = (generated: GeneratedOrder, market: Marketplace): AmazonOrder => {
  const random = createRandom(`amazon/${generated.key}`);
  const status = STATUS_OF_STAGE[generated.stage];
  const merchantFulfilled = generated.fulfilledBy === 'merchant';
  const orderId = amazonOrderId(random, market);
  const orderItems = generated.lines.map((line) => orderItem(random, line, generated.currency, status));
  const grandTotal = generated.lines.reduce((sum, line) => sum + line.unitPriceMinor * line.quantity, 0);
  const shipDays = generated.serviceLevel === 'standard' ? 2 : 1;
  const created = generated.createdAt;
  const packages = merchantFulfilled
    ? shipmentView(random, { orderId, orderItems }, generated.lines.map((l) => l.quantityShipped), generated.updatedAt, market.countryCode)
    : [];
  const domain = market.domainName.replace(/^www\./, '');
  return {
    orderId,
    ...(random.bool(0.25) ? { orderAliases: [{ aliasId: `SO-${random.digits(8)}`, aliasType: 'SELLER_ORDER_ID' as const }] } : {}),
    createdTime: isoSeconds(created),
    lastUpdatedTime: isoSeconds(generated.updatedAt),
    programs: generated.prime ? ['PRIME'] : [],
    salesChannel: { channelName: 'AMAZON', marketplaceId: market.id, marketplaceName: market.name },
    buyer: {
      buyerName: generated.buyer.name,
      // The anonymized relay address exists for merchant-fulfilled orders only (model note on Buyer.buyerEmail).
      ...(merchantFulfilled ? { buyerEmail: `${random.alnum(15).toLowerCase()}@marketplace.${domain}` } : {}),
    },
    recipient: { deliveryAddress: deliveryAddress(generated, merchantFulfilled) },
    proceeds: { grandTotal: { amount: formatMinor(grandTotal, generated.currency), currencyCode: generated.currency } },
    fulfillment: {
      fulfillmentStatus: status,
      fulfilledBy: merchantFulfilled ? 'MERCHANT' : 'AMAZON',
      fulfillmentServiceLevel: SERVICE_LEVEL[generated.serviceLevel],
      shipByWindow: { earliestDateTime: isoSeconds(created), latestDateTime: isoSeconds(created + shipDays * DAY) },
      deliverByWindow: {
        earliestDateTime: isoSeconds(created + (shipDays + 1) * DAY),
        latestDateTime: isoSeconds(created + (shipDays + 5) * DAY),
      },
    },
    orderItems,
    ...(packages.length > 0 ? { packages } : {}),
  };
};
