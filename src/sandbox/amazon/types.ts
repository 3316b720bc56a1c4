/**
 * The parts of the Orders API v2026-01-01 `Order` the sandbox produces. Field names and nesting follow
 * Amazon's model (orders_2026-01-01.json); optional fields stay optional because Amazon omits them.
 */
export type Money = { amount: string; currencyCode: string };
export type DateTimeRange = { earliestDateTime?: string; latestDateTime?: string };

export const FULFILLMENT_STATUSES = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

export const FULFILLED_BY = ['MERCHANT', 'AMAZON'] as const;
export type AmazonFulfilledBy = (typeof FULFILLED_BY)[number];

/** Datasets a caller opts into with `includedData`; everything else is always returned. */
export const INCLUDED_DATA = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
  'PAYMENT',
  'FULFILLMENT_ORDERS',
] as const;
export type IncludedData = (typeof INCLUDED_DATA)[number];

export type DeliveryAddress = {
  name?: string;
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  stateOrRegion?: string;
  postalCode?: string;
  countryCode?: string;
  phone?: string;
  extendedFields?: { streetName?: string; streetNumber?: string; complement?: string; neighborhood?: string };
  addressType?: 'RESIDENTIAL' | 'COMMERCIAL' | 'PICKUP_POINT';
};

export type ItemCancellation = {
  cancellationRequest?: { requester: 'BUYER'; cancelReason?: string };
  cancellationExecution?: { cancelledBy: 'BUYER' | 'MERCHANT' | 'AMAZON'; cancelReason?: string };
};

export type AmazonOrderItem = {
  orderItemId: string;
  quantityOrdered: number;
  programs?: string[];
  product: {
    asin: string;
    title: string;
    sellerSku: string;
    condition: { conditionType: string; conditionSubtype: string };
    price: { unitPrice: Money };
  };
  proceeds?: { proceedsTotal: Money; breakdowns: { type: string; subtotal: Money }[] };
  cancellation?: ItemCancellation;
  fulfillment?: { quantityFulfilled: number; quantityUnfulfilled: number };
};

export type AmazonPackage = {
  packageReferenceId: string;
  createdTime: string;
  packageStatus: { status: string };
  carrier: string;
  shipTime: string;
  shippingService: string;
  trackingNumber: string;
  packageItems: { orderItemId: string; quantity: number }[];
};

export type AmazonOrder = {
  orderId: string;
  orderAliases?: { aliasId: string; aliasType: 'SELLER_ORDER_ID' }[];
  createdTime: string;
  lastUpdatedTime: string;
  programs?: string[];
  salesChannel: { channelName: 'AMAZON' | 'NON_AMAZON'; marketplaceId: string; marketplaceName: string };
  buyer?: { buyerName?: string; buyerEmail?: string };
  recipient?: { deliveryAddress: DeliveryAddress };
  proceeds?: { grandTotal: Money };
  fulfillment?: {
    fulfillmentStatus: FulfillmentStatus;
    fulfilledBy: AmazonFulfilledBy;
    fulfillmentServiceLevel: string;
    shipByWindow?: DateTimeRange;
    deliverByWindow?: DateTimeRange;
  };
  orderItems: AmazonOrderItem[];
  packages?: AmazonPackage[];
};
