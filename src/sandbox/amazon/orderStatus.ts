import type { OrderStage } from '../orderGenerator.js';
import { toMillis } from '../shared/clock.js';
import { createRandom } from '../shared/random.js';
import { marketplace } from './marketplaces.js';
import { shipmentView } from './orderFactory.js';
import type { AmazonOrder, FulfillmentStatus } from './types.js';

export type CancelOptions = Readonly<{ by?: 'BUYER' | 'MERCHANT' | 'AMAZON'; reason?: string }>;

/** The generator's neutral stage for an Amazon status, to seed orders added in that status. */
export const STAGE_OF_STATUS: Readonly<Record<FulfillmentStatus, OrderStage>> = {
  PENDING_AVAILABILITY: 'pending',
  PENDING: 'pending',
  UNSHIPPED: 'unshipped',
  PARTIALLY_SHIPPED: 'partiallyShipped',
  SHIPPED: 'shipped',
  CANCELLED: 'cancelled',
  UNFULFILLABLE: 'cancelled',
};

/** Item quantities and packages as Amazon shows them in a status. */
export const applyStatus = (order: AmazonOrder, status: FulfillmentStatus, cancel: CancelOptions = {}): void => {
  const fulfillment = order.fulfillment;
  if (fulfillment === undefined) throw new Error(`Order ${order.orderId} has no fulfillment data`);
  fulfillment.fulfillmentStatus = status;
  const alreadyShipped = order.orderItems.map((item) => item.fulfillment?.quantityFulfilled ?? 0);
  const shipped = order.orderItems.map((item, index) => {
    if (status === 'SHIPPED') return item.quantityOrdered;
    if (status !== 'PARTIALLY_SHIPPED') return 0;
    if (alreadyShipped.some((q) => q > 0)) return alreadyShipped[index] ?? 0;
    if (index !== 0) return 0;
    return order.orderItems.length > 1 ? item.quantityOrdered : Math.min(1, item.quantityOrdered - 1);
  });
  if (status === 'PARTIALLY_SHIPPED' && !shipped.some((q) => q > 0)) {
    throw new Error(`Order ${order.orderId} has a single unit and cannot be partially shipped`);
  }
  order.orderItems.forEach((item, index) => {
    const done = status === 'CANCELLED' || status === 'UNFULFILLABLE';
    item.fulfillment = done
      ? { quantityFulfilled: 0, quantityUnfulfilled: 0 }
      : { quantityFulfilled: shipped[index] ?? 0, quantityUnfulfilled: item.quantityOrdered - (shipped[index] ?? 0) };
    if (status === 'CANCELLED') {
      item.cancellation = {
        ...item.cancellation,
        cancellationExecution: { cancelledBy: cancel.by ?? 'MERCHANT', cancelReason: cancel.reason ?? 'NoInventory' },
      };
    }
  });
  if (fulfillment.fulfilledBy === 'MERCHANT') {
    const market = marketplace(order.salesChannel.marketplaceId);
    const packages = shipmentView(createRandom(`ship/${order.orderId}/${status}`), order, shipped, toMillis(order.lastUpdatedTime), market.countryCode);
    if (packages.length > 0) order.packages = packages;
    else delete order.packages;
  }
};

