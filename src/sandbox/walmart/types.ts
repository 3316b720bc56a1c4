/**
 * Walmart's purchase-order shape (PurchaseOrderTypeV3 in the Orders API spec), as far as the sandbox
 * produces it. Dates are epoch milliseconds; quantities are strings while amounts are numbers, as Walmart sends them.
 */
export const WALMART_LINE_STATUSES = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Cancelled'] as const;
export type WalmartLineStatus = (typeof WALMART_LINE_STATUSES)[number];

/** Walmart's marketplaces: each seller account (and its orders and tokens) belongs to one. */
export type WalmartMarket = 'us' | 'ca' | 'mx';

export const SHIP_NODE_TYPES = ['SellerFulfilled', 'WFSFulfilled', '3PLFulfilled'] as const;
export type ShipNodeType = (typeof SHIP_NODE_TYPES)[number];

export type Quantity = { unitOfMeasurement: string; amount: string };

export type TrackingInfo = {
  shipDateTime: number;
  /** One of the two: a carrier from Walmart's list, or any other carrier's name. */
  carrierName: { carrier: string } | { otherCarrier: string };
  methodCode: string;
  trackingNumber: string;
  trackingURL?: string;
};

export type OrderLineStatus = {
  status: WalmartLineStatus;
  statusQuantity: Quantity;
  cancellationReason?: string;
  trackingInfo?: TrackingInfo;
};

export type WalmartOrderLine = {
  lineNumber: string;
  item: { productName: string; sku: string; imageUrl?: string; weight?: { value: string; unit: string } };
  charges: {
    charge: {
      chargeType: 'PRODUCT' | 'SHIPPING';
      chargeName: string;
      chargeAmount: { currency: string; amount: number };
      tax?: { taxName: string; taxAmount: { currency: string; amount: number } };
    }[];
  };
  orderLineQuantity: Quantity;
  statusDate: number;
  orderLineStatuses: { orderLineStatus: OrderLineStatus[] };
  fulfillment?: { fulfillmentOption: string; shipMethod: string; pickUpDateTime: number };
  /** The buyer asked to cancel the line (Walmart writes "YES"; absent otherwise). */
  intentToCancel?: string;
};

export type WalmartOrder = {
  purchaseOrderId: string;
  customerOrderId: string;
  customerEmailId: string;
  orderType?: 'REGULAR' | 'REPLACEMENT';
  orderDate: number;
  shippingInfo: {
    phone: string;
    estimatedDeliveryDate: number;
    estimatedShipDate: number;
    methodCode: string;
    postalAddress: {
      name: string;
      address1: string;
      address2?: string;
      city: string;
      state: string;
      postalCode: string;
      country: string;
      addressType: string;
    };
  };
  orderLines: { orderLine: WalmartOrderLine[] };
  shipNode?: { type: ShipNodeType };
};
