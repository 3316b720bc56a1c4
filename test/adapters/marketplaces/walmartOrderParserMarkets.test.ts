import t from 'tap';
import { OrderPayloadError } from '../../../src/adapters/marketplaces/orderPayloadError.js';
import { parseWalmartOrder } from '../../../src/adapters/marketplaces/walmartOrderParser.js';

/**
 * Canada's and Mexico's purchase orders, rebuilt by hand (own values) after the shapes of the
 * examples in their Orders specs (highsidelabs/walmart-api-php resources/schemas/models/ca/mp/orders.json
 * getAllOrders / getAnOrder, models/mx/mp/orders.json getAllOrders): what each market really sends
 * beyond the US model.
 */

// Canada getAllOrders: ISO dates, a line field the US model has no name for (originalCarrierMethod).
const canadianOrder = {
  purchaseOrderId: '3100000000017',
  customerOrderId: '5200000000011',
  customerEmailId: 'buyer@relay.walmart.ca',
  orderDate: '2026-03-02T15:20:00.000Z',
  shippingInfo: {
    phone: '4165550100',
    estimatedDeliveryDate: '2026-03-09T05:00:00.000Z',
    estimatedShipDate: '2026-03-04T05:00:00.000Z',
    methodCode: 'Standard',
    postalAddress: { name: 'Jeanne Tremblay', address1: '12 Rue des Érables', city: 'Québec', state: 'QC', postalCode: 'G1R 2B5', country: 'CAN', addressType: 'RESIDENTIAL' },
  },
  orderLines: {
    orderLine: [
      {
        lineNumber: '1',
        item: { productName: 'Tuque en laine', sku: 'TUQ-01' },
        charges: { charge: [{ chargeType: 'PRODUCT', chargeName: 'ItemPrice', chargeAmount: { currency: 'CAD', amount: 39.98 }, tax: { taxName: 'HST', taxAmount: { currency: 'CAD', amount: 5.2 } } }] },
        orderLineQuantity: { unitOfMeasurement: 'EACH', amount: '2' },
        statusDate: '2026-03-02T15:30:00.000Z',
        orderLineStatuses: { orderLineStatus: [{ status: 'Created', statusQuantity: { unitOfMeasurement: 'EACH', amount: '2' } }] },
        originalCarrierMethod: '91',
      },
    ],
  },
};

t.test('Canada: ISO 8601 dates, CAD, a three-letter country', async (t) => {
  const order = parseWalmartOrder(canadianOrder, { marketplaceId: 'WALMART_CA' });
  t.match(order, {
    marketplaceId: 'WALMART_CA', platformOrderId: '3100000000017', status: 'unshipped',
    createdAt: '2026-03-02T15:20:00.000Z', updatedAt: '2026-03-02T15:30:00.000Z',
    shipBy: '2026-03-04T05:00:00.000Z', deliverBy: '2026-03-09T05:00:00.000Z',
    shipTo: { countryCode: 'CA', stateOrRegion: 'QC', postalCode: 'G1R 2B5' },
    lines: [{ lineId: '1', platformSku: 'TUQ-01', quantityOrdered: 2, unitPrice: { amount: '19.99', currency: 'CAD' } }],
    orderTotal: { amount: '45.18', currency: 'CAD' },
  });
});

t.test('Canada: statuses in the model’s capitals and a shipped line’s ISO tracking date; an offset date; a 3PL ship node', async (t) => {
  const line = canadianOrder.orderLines.orderLine[0]!;
  const shipped = {
    ...canadianOrder,
    orderDate: '2026-03-02T20:50:00.000+05:30',
    orderLines: {
      orderLine: [{
        ...line,
        orderLineStatuses: {
          orderLineStatus: [
            { status: 'SHIPPED', statusQuantity: { unitOfMeasurement: 'EACH', amount: '1' }, trackingInfo: { shipDateTime: '2026-03-03T12:00:00.000Z', carrierName: { carrier: 'CPC' }, methodCode: 'STANDARD', trackingNumber: 'CP1' } },
            { status: 'ACKNOWLEDGED', statusQuantity: { unitOfMeasurement: 'EACH', amount: '1' } },
          ],
        },
      }],
    },
    shipNode: { type: '3PLFulfilled' },
  };
  const order = parseWalmartOrder(shipped, { marketplaceId: 'WALMART_CA' });
  t.equal(order.createdAt, '2026-03-02T15:20:00.000Z', 'the offset is honoured');
  t.equal(order.status, 'partially_shipped');
  t.equal(order.platformStatus, 'Acknowledged/Shipped');
  t.match(order.lines, [{ quantityShipped: 1, lineStatus: 'Acknowledged' }]);
  t.equal(order.fulfillmentChannel, 'marketplace', 'a 3PL node’s order is not the seller’s');
});

t.test('Canada: getAnOrder’s example has a line without sku although the model requires it — set aside, not guessed', async (t) => {
  const line = canadianOrder.orderLines.orderLine[0]!;
  const noSku = { ...canadianOrder, orderLines: { orderLine: [{ ...line, item: { productName: 'Item 1' } }] } };
  t.throws(() => parseWalmartOrder(noSku, { marketplaceId: 'WALMART_CA' }), OrderPayloadError);
  t.throws(() => parseWalmartOrder({ ...canadianOrder, orderDate: '2 March 2026' }), OrderPayloadError, 'a date that is neither epoch nor ISO 8601');
});

// Mexico getAllOrders: bare lists, primeLineNumber, amounts as text, PRODUCT without an amount.
const mexicanOrder = {
  purchaseOrderId: 'P200000001',
  customerOrderId: '20260301001',
  customerEmailId: 'cliente@example.mx',
  orderDate: '2026-03-01T09:15:00.000-06:00',
  shippingInfo: {
    phone: '5512345678',
    estimatedDeliveryDate: '2026-03-05T10:00:00.000-06:00',
    postalAddress: {
      name: 'María López', address1: 'Av. Reforma 100', address2: 'Depto 4', address3: 'JUÁREZ', address4: 'CUAUHTÉMOC',
      city: 'CIUDAD DE MÉXICO', state: 'CDMX', postalCode: '06600', country: 'MX',
    },
  },
  billingInfo: { phone: '5512345678', postalAddress: { name: 'María López', address1: 'Av. Reforma 100', city: 'CIUDAD DE MÉXICO', state: 'CDMX', postalCode: '06600', country: 'MX' } },
  totalLines: '2',
  totalQuantity: '3',
  orderLines: [
    {
      primeLineNumber: '1',
      coLineNumber: '1',
      item: { upc: '00000000000017', offerId: 'ABC', productName: 'Licuadora', sku: 'LIC-9', condition: 'New', unitPrice: { currency: 'MXN', amount: '899.5' } },
      charges: [
        { chargeType: 'SHIPPING', chargeName: 'SHIPPING_CH', chargeAmount: { currency: 'MXN', amount: '49' }, tax: [{ taxName: 'SHIP_IVA_TAX', taxAmount: { currency: 'MXN', amount: '7.84' } }] },
        { chargeType: 'DISCOUNT', chargeName: 'COUPON_DISC', chargeAmount: { currency: 'MXN', amount: '-50' } },
        { chargeType: 'PRODUCT', chargeName: 'ItemPrice', tax: [{ taxName: 'IVA_TAX', taxAmount: { currency: 'MXN', amount: '248.14' } }, { taxName: 'IEPS_TAX', taxAmount: { currency: 'MXN', amount: '0' } }] },
      ],
      orderLineQuantity: { unitOfMeasurement: 'EACH', amount: '2' },
      orderLineStatus: [{ status: 'Acknowledged', statusCode: '3350.10', statusDate: '2026-03-01T10:00:00.000-06:00', statusQuantity: { unitOfMeasurement: 'EACH', amount: '2' } }],
      shippingMethod: 'STANDARD',
      soPrimeLineSubLineNo: '20260301001-1-1',
      isMSIEnabled: 'N',
      seller: { id: '30000000001', name: 'Tienda', shipNodeType: 'PangaeaMarketplace' },
    },
    {
      primeLineNumber: '2',
      item: { productName: 'Vaso', sku: 'VAS-1', unitPrice: { currency: 'MXN', amount: '120' } },
      charges: [{ chargeType: 'PRODUCT', chargeName: 'ItemPrice' }],
      orderLineQuantity: { unitOfMeasurement: 'EACH', amount: '1' },
      orderLineStatus: [{ status: 'Shipped', statusDate: '2026-03-02T08:00:00.000-06:00', statusQuantity: { unitOfMeasurement: 'EACH', amount: '1' } }],
      intentToCancel: 'N',
    },
  ],
  shipments: [{ shipmentLines: [{ primeLineNo: '2', shipmentLineNo: '1', quantity: { unitOfMeasurement: 'EACH', amount: '1' } }], shipmentNo: '1', carrier: 'MX-FEDX' }],
  orderTotal: { currency: 'MXN', amount: '2003.48' },
  rfc: 'XAXX010101000',
  paymentMethod: 'CREDIT',
};

t.test('Mexico: lines by primeLineNumber, the price from the item’s unitPrice, orderTotal, dates with their offset', async (t) => {
  const order = parseWalmartOrder(mexicanOrder, { marketplaceId: 'WALMART_MX' });
  t.match(order, {
    marketplaceId: 'WALMART_MX', platformOrderId: 'P200000001', status: 'partially_shipped',
    createdAt: '2026-03-01T15:15:00.000Z', updatedAt: '2026-03-02T14:00:00.000Z', shipBy: null, deliverBy: '2026-03-05T16:00:00.000Z',
    shipTo: { countryCode: 'MX', addressLines: ['Av. Reforma 100', 'Depto 4'], postalCode: '06600' },
    lines: [
      { lineId: '1', platformSku: 'LIC-9', quantityOrdered: 2, quantityShipped: 0, unitPrice: { amount: '899.50', currency: 'MXN' } },
      { lineId: '2', platformSku: 'VAS-1', quantityShipped: 1, unitPrice: { amount: '120.00', currency: 'MXN' } },
    ],
    orderTotal: { amount: '2003.48', currency: 'MXN' },
  });
  t.notOk(order.lines[1]!.cancellationRequested, 'intentToCancel N is no request');
});

t.test('Mexico: OnHold (a status Walmart Mexico has and the US model does not) leaves the order unknown, never released; a lean order still reads', async (t) => {
  const [first] = mexicanOrder.orderLines;
  const held = { ...mexicanOrder, orderLines: [{ ...first, orderLineStatus: [{ status: 'OnHold', statusQuantity: { unitOfMeasurement: 'EACH', amount: '2' } }] }] };
  t.equal(parseWalmartOrder(held, { marketplaceId: 'WALMART_MX' }).status, 'unknown');
  const lean = {
    purchaseOrderId: 'P200000002', orderDate: '2026-03-01T09:15:00.000-06:00',
    orderLines: [{ primeLineNumber: '1', item: { sku: 'VAS-1' }, orderLineQuantity: { amount: '1' }, orderLineStatus: [{ status: 'Created', statusQuantity: { amount: '1' } }] }],
  };
  t.match(parseWalmartOrder(lean, { marketplaceId: 'WALMART_MX' }), { status: 'unshipped', shipTo: null, orderTotal: null, lines: [{ lineId: '1', unitPrice: null }] });
});
