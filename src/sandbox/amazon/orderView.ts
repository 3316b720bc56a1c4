import type { AmazonOrder, AmazonOrderItem, IncludedData } from './types.js';

/** Statuses with a delivery address; Amazon has none to give before payment or after a cancellation. */
const ADDRESS_STATUSES: ReadonlySet<string> = new Set(['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED']);

const itemView = (item: AmazonOrderItem, include: ReadonlySet<IncludedData>): AmazonOrderItem => ({
  orderItemId: item.orderItemId,
  quantityOrdered: item.quantityOrdered,
  ...(item.programs !== undefined ? { programs: item.programs } : {}),
  product: item.product,
  ...(include.has('PROCEEDS') && item.proceeds !== undefined ? { proceeds: item.proceeds } : {}),
  ...(include.has('CANCELLATION') && item.cancellation !== undefined ? { cancellation: item.cancellation } : {}),
  ...(include.has('FULFILLMENT') && item.fulfillment !== undefined ? { fulfillment: item.fulfillment } : {}),
});

/**
 * An order as the API returns it for a set of `includedData` datasets: the core fields always, every
 * optional dataset only when asked for. A client that forgets FULFILLMENT gets no status, as on Amazon.
 */
export const viewOrder = (order: AmazonOrder, include: ReadonlySet<IncludedData>): AmazonOrder => {
  const status = order.fulfillment?.fulfillmentStatus;
  return {
    orderId: order.orderId,
    ...(order.orderAliases !== undefined ? { orderAliases: order.orderAliases } : {}),
    createdTime: order.createdTime,
    lastUpdatedTime: order.lastUpdatedTime,
    ...(order.programs !== undefined && order.programs.length > 0 ? { programs: order.programs } : {}),
    salesChannel: order.salesChannel,
    ...(include.has('BUYER') && order.buyer !== undefined ? { buyer: order.buyer } : {}),
    ...(include.has('RECIPIENT') && order.recipient !== undefined && status !== undefined && ADDRESS_STATUSES.has(status)
      ? { recipient: order.recipient }
      : {}),
    ...(include.has('PROCEEDS') && order.proceeds !== undefined ? { proceeds: order.proceeds } : {}),
    ...(include.has('FULFILLMENT') && order.fulfillment !== undefined ? { fulfillment: order.fulfillment } : {}),
    orderItems: order.orderItems.map((item) => itemView(item, include)),
    ...(include.has('PACKAGES') && order.packages !== undefined ? { packages: order.packages } : {}),
  };
};
