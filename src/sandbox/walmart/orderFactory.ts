import type { GeneratedOrder, ServiceLevel } from '../orderGenerator.js';
import { createRandom, type Random } from '../shared/random.js';
import type { OrderLineStatus, TrackingInfo, WalmartLineStatus, WalmartOrder, WalmartOrderLine } from './types.js';

const METHOD: Readonly<Record<ServiceLevel, string>> = {
  standard: 'Standard',
  expedited: 'Express',
  secondDay: 'Express',
  nextDay: 'OneDay',
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CARRIERS = ['UPS', 'FedEx', 'USPS'] as const;

export const trackingFor = (random: Random, purchaseOrderId: string, shipDateTime: number, methodCode: string): TrackingInfo => {
  const carrier = random.pick(CARRIERS);
  const trackingNumber = carrier === 'UPS' ? `1Z${random.alnum(16)}` : carrier === 'USPS' ? `9400${random.digits(18)}` : random.digits(12);
  return {
    shipDateTime,
    carrierName: { carrier },
    methodCode,
    trackingNumber,
    trackingURL: `https://www.walmart.com/tracking?tracking_id=${trackingNumber}&order_id=${purchaseOrderId}`,
  };
};

export const lineStatus = (
  status: WalmartLineStatus,
  amount: number,
  extra: Omit<OrderLineStatus, 'status' | 'statusQuantity'> = {},
): OrderLineStatus => ({ status, statusQuantity: { unitOfMeasurement: 'EACH', amount: String(amount) }, ...extra });

/** Whole dollars and cents as a JSON number, as Walmart's chargeAmount.amount is. */
const dollars = (cents: number) => Math.round(cents) / 100;

/**
 * Renders a generated order as a Walmart purchase order. Walmart often splits a multi-unit purchase
 * into one line per unit, so half the multi-unit lines are split: clients must not assume one line per SKU.
 */
export const toWalmartOrder = (
  generated: GeneratedOrder,
  asOf: number,
  options: Readonly<{ splitMultiUnitLines?: boolean }> = {},
): { order: WalmartOrder; lastModified: number } => {
  const random = createRandom(`walmart/${generated.key}`);
  const purchaseOrderId = `${random.int(1, 9)}${random.digits(12)}`;
  const methodCode = METHOD[generated.serviceLevel];
  const wfs = generated.fulfilledBy === 'marketplace';
  const estimatedShipDate = generated.createdAt + (generated.serviceLevel === 'standard' ? 2 : 1) * DAY;
  const estimatedDeliveryDate = estimatedShipDate + random.int(2, 5) * DAY;
  const units = generated.lines.flatMap((line) =>
    line.quantity > 1 && options.splitMultiUnitLines !== false && random.bool(0.5)
      ? Array.from({ length: line.quantity }, (_, i) => ({ ...line, quantity: 1, quantityShipped: i < line.quantityShipped ? 1 : 0 }))
      : [line],
  );
  const delivered = generated.stage === 'shipped' && asOf - generated.updatedAt > 3 * DAY && random.bool(0.6);
  const statusesFor = (line: (typeof units)[number]): OrderLineStatus[] => {
    const tracking = () => trackingFor(random, purchaseOrderId, generated.updatedAt, methodCode);
    switch (generated.stage) {
      case 'pending':
        return [lineStatus('Created', line.quantity)];
      case 'unshipped':
        // WFS orders are Walmart's to process: they skip the seller's Created state.
        return [lineStatus(wfs || random.bool(0.5) ? 'Acknowledged' : 'Created', line.quantity)];
      case 'partiallyShipped':
      case 'shipped': {
        const shipped = line.quantityShipped;
        const rest = line.quantity - shipped;
        return [
          ...(shipped > 0 ? [lineStatus(delivered ? 'Delivered' : 'Shipped', shipped, { trackingInfo: tracking() })] : []),
          ...(rest > 0 ? [lineStatus('Acknowledged', rest)] : []),
        ];
      }
      case 'cancelled':
        return [lineStatus('Cancelled', line.quantity, { cancellationReason: 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL' })];
    }
  };
  const orderLine = units.map((line, index): WalmartOrderLine => {
    const cents = line.unitPriceMinor * line.quantity;
    return {
      lineNumber: String(index + 1),
      item: { productName: line.title, sku: line.sku },
      charges: {
        charge: [
          {
            chargeType: 'PRODUCT',
            chargeName: 'ItemPrice',
            chargeAmount: { currency: 'USD', amount: dollars(cents) },
            tax: { taxName: 'Tax1', taxAmount: { currency: 'USD', amount: dollars(cents * 0.0725) } },
          },
          ...(methodCode !== 'Standard' && index === 0
            ? [{ chargeType: 'SHIPPING' as const, chargeName: 'Shipping', chargeAmount: { currency: 'USD', amount: 7.99 } }]
            : []),
        ],
      },
      orderLineQuantity: { unitOfMeasurement: 'EACH', amount: String(line.quantity) },
      statusDate: generated.updatedAt,
      orderLineStatuses: { orderLineStatus: statusesFor(line) },
      fulfillment: { fulfillmentOption: 'S2H', shipMethod: methodCode.toUpperCase(), pickUpDateTime: estimatedDeliveryDate },
    };
  });
  const { buyer } = generated;
  return {
    lastModified: generated.updatedAt,
    order: {
      purchaseOrderId,
      customerOrderId: `${random.int(1, 9)}${random.digits(12)}`,
      customerEmailId: `${random.hex(32).toUpperCase()}@relay.walmart.com`,
      orderDate: generated.createdAt,
      shippingInfo: {
        phone: buyer.phone.replace(/\D/g, '').slice(-10),
        estimatedDeliveryDate,
        estimatedShipDate,
        methodCode,
        postalAddress: {
          name: buyer.name,
          address1: buyer.address.line1,
          ...(buyer.address.line2 !== undefined ? { address2: buyer.address.line2 } : {}),
          city: buyer.address.city,
          state: buyer.address.stateOrRegion,
          postalCode: buyer.address.postalCode,
          country: 'USA',
          addressType: 'RESIDENTIAL',
        },
      },
      orderLines: { orderLine },
      shipNode: { type: wfs ? 'WFSFulfilled' : 'SellerFulfilled' },
    },
  };
};
