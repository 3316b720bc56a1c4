import type { WalmartOrder, WalmartOrderLine } from './types.js';

/**
 * A purchase order as Canada's and Mexico's Orders APIs answer it. The sandbox keeps every order in
 * the US model (types.ts) and renders it per market at the edge:
 * - Canada (orders spec, Order / OrderLineType): the US fields with ISO 8601 date-times, no shipNode
 *   nor orderType; optional fields (address2, fulfillment, taxes, tracking URLs) are left out of
 *   some orders, as the model allows.
 * - Mexico (orders spec, Order / OrderLine): lines numbered by primeLineNumber, a bare
 *   orderLineStatus list with a statusDate each, bare charge and tax lists with amounts as text, the
 *   PRODUCT charge without an amount (the item's unitPrice holds it), orderTotal, shipments, dates
 *   with the local offset (Mexico City, -06:00).
 */

const iso = (ms: number) => new Date(ms).toISOString();
const MX_OFFSET_MS = 6 * 3_600_000;
const isoMexico = (ms: number) => new Date(ms - MX_OFFSET_MS).toISOString().replace('Z', '-06:00');

/** Orders whose id ends in an odd digit come without the optional fields. */
const sparse = (order: WalmartOrder) => Number(order.purchaseOrderId.slice(-1)) % 2 === 1;

export const presentCanada = (order: WalmartOrder): Record<string, unknown> => {
  const lean = sparse(order);
  const { shipNode: _shipNode, orderType: _orderType, ...rest } = order;
  const { address2, ...address } = order.shippingInfo.postalAddress;
  return {
    ...rest,
    orderDate: iso(order.orderDate),
    shippingInfo: {
      ...order.shippingInfo,
      estimatedDeliveryDate: iso(order.shippingInfo.estimatedDeliveryDate),
      estimatedShipDate: iso(order.shippingInfo.estimatedShipDate),
      postalAddress: lean || address2 === undefined ? address : { ...address, address2 },
    },
    orderLines: {
      orderLine: order.orderLines.orderLine.map((line) => {
        const { fulfillment, ...kept } = line;
        return {
          ...kept,
          statusDate: iso(line.statusDate),
          charges: { charge: line.charges.charge.map(({ tax, ...charge }) => (lean || tax === undefined ? charge : { ...charge, tax })) },
          orderLineStatuses: {
            orderLineStatus: line.orderLineStatuses.orderLineStatus.map(({ trackingInfo, ...status }) => {
              if (trackingInfo === undefined) return status;
              const { trackingURL, ...tracking } = trackingInfo;
              return { ...status, trackingInfo: { ...tracking, shipDateTime: iso(trackingInfo.shipDateTime), ...(lean || trackingURL === undefined ? {} : { trackingURL }) } };
            }),
          },
          ...(lean || fulfillment === undefined ? {} : { fulfillment: { ...fulfillment, pickUpDateTime: iso(fulfillment.pickUpDateTime) } }),
        };
      }),
    },
  };
};

const text = (amount: number) => (Math.round(amount * 100) / 100).toFixed(2);

const mexicoLine = (line: WalmartOrderLine, lean: boolean) => {
  const quantity = Number(line.orderLineQuantity.amount);
  const product = line.charges.charge.filter((c) => c.chargeType === 'PRODUCT');
  const currency = product[0]?.chargeAmount.currency ?? 'MXN';
  const price = product.reduce((n, c) => n + c.chargeAmount.amount, 0);
  return {
    primeLineNumber: line.lineNumber,
    coLineNumber: line.lineNumber,
    item: {
      productName: line.item.productName,
      sku: line.item.sku,
      condition: 'New',
      unitPrice: { currency, amount: text(quantity === 0 ? 0 : price / quantity) },
    },
    charges: line.charges.charge.map((c) => {
      const taxes = !lean && c.tax !== undefined ? { tax: [{ taxName: c.tax.taxName, taxAmount: { currency: c.tax.taxAmount.currency, amount: text(c.tax.taxAmount.amount) } }] } : {};
      return c.chargeType === 'PRODUCT'
        ? { chargeType: c.chargeType, chargeName: c.chargeName, ...taxes }
        : { chargeType: c.chargeType, chargeName: c.chargeName, chargeAmount: { currency: c.chargeAmount.currency, amount: text(c.chargeAmount.amount) }, ...taxes };
    }),
    orderLineQuantity: line.orderLineQuantity,
    orderLineStatus: line.orderLineStatuses.orderLineStatus.map((s) => ({
      status: s.status,
      statusDate: isoMexico(line.statusDate),
      statusQuantity: s.statusQuantity,
      ...(s.cancellationReason !== undefined ? { cancellationReason: s.cancellationReason } : {}),
    })),
    ...(line.intentToCancel !== undefined ? { intentToCancel: line.intentToCancel } : {}),
    ...(lean ? {} : { shippingMethod: line.fulfillment?.shipMethod ?? 'STANDARD' }),
  };
};

export const presentMexico = (order: WalmartOrder): Record<string, unknown> => {
  const lean = sparse(order);
  const address = order.shippingInfo.postalAddress;
  const lines = order.orderLines.orderLine;
  const amounts = lines.flatMap((l) => l.charges.charge.flatMap((c) => [c.chargeAmount, ...(c.tax !== undefined ? [c.tax.taxAmount] : [])]));
  const shipments = lines.flatMap((line) =>
    line.orderLineStatuses.orderLineStatus.flatMap((s) =>
      s.trackingInfo === undefined
        ? []
        : [{
            shipmentLines: [{ primeLineNo: line.lineNumber, shipmentLineNo: '1', quantity: s.statusQuantity }],
            carrier: 'carrier' in s.trackingInfo.carrierName ? s.trackingInfo.carrierName.carrier : 'Other',
            trackingNumber: s.trackingInfo.trackingNumber,
            ...(s.trackingInfo.trackingURL !== undefined ? { trackingURL: s.trackingInfo.trackingURL } : {}),
          }],
    ),
  );
  return {
    purchaseOrderId: order.purchaseOrderId,
    customerOrderId: order.customerOrderId,
    customerEmailId: order.customerEmailId,
    orderDate: isoMexico(order.orderDate),
    shippingInfo: {
      phone: order.shippingInfo.phone,
      estimatedDeliveryDate: isoMexico(order.shippingInfo.estimatedDeliveryDate),
      postalAddress: {
        name: address.name,
        address1: address.address1,
        ...(address.address2 !== undefined && !lean ? { address2: address.address2 } : {}),
        city: address.city,
        state: address.state,
        postalCode: address.postalCode,
        country: 'MX',
      },
    },
    totalLines: String(lines.length),
    totalQuantity: String(lines.reduce((n, l) => n + Number(l.orderLineQuantity.amount), 0)),
    orderLines: lines.map((line) => mexicoLine(line, lean)),
    ...(shipments.length > 0 ? { shipments } : {}),
    ...(lean ? {} : { orderTotal: { currency: amounts[0]?.currency ?? 'MXN', amount: text(amounts.reduce((n, a) => n + a.amount, 0)) } }),
  };
};
