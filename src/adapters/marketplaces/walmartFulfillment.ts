import { z } from 'zod';
import type { FulfillmentTarget, LinesToCancel, MarketplaceFulfillment, ShipmentToConfirm } from '../../domain/ports/marketplaceFulfillment.js';
import { MarketplaceError, type WalmartMarket } from '../../domain/ports/marketplaces.js';
import { carrierKey } from '../../domain/marketplaceSync/carriers.js';
import type { AccessTokens } from '../../domain/ports/orderSource.js';
import { interpretWrite } from './fulfillmentCalls.js';
import { httpCall, type HttpResult } from './http.js';
import { callWithRetries, DEFAULT_RETRY, type Outcome, type RetryOptions } from './retryPolicy.js';
import { systemTiming, type Timing } from './timing.js';
import { tokenBuckets, type TokenBucket, type TokenBuckets, type UsagePlan } from './tokenBucket.js';
import { walmartHeaders, walmartMarketOf, WALMART_ORDERS_PATH } from './walmartMarkets.js';

/** Attributed US limits (reference §B2: acknowledge and shipping 60 a minute; cancel: the default 120). */
export const WALMART_FULFILLMENT_USAGE_PLANS = {
  acknowledgeOrders: { rate: 1, burst: 60 },
  shippingUpdates: { rate: 1, burst: 60 },
  cancelOrderLines: { rate: 2, burst: 120 },
  /** Mexico: reading the order's lines before acknowledging them (GET /v3/orders?purchaseOrderId). */
  getOrder: { rate: 2, burst: 120 },
} as const satisfies Record<string, UsagePlan>;
export type WalmartFulfillmentOperation = keyof typeof WALMART_FULFILLMENT_USAGE_PLANS;

/** Walmart's methodCode values; a warehouse ship method that is none of them is sent as Standard. */
const METHOD_CODES = ['Standard', 'Express', 'OneDay', 'Freight', 'WhiteGlove', 'Value'] as const;
export const walmartMethodCode = (shipMethod: string | null): string =>
  METHOD_CODES.find((m) => m.toLowerCase() === (shipMethod ?? '').replace(/[^a-z]/gi, '').toLowerCase()) ?? 'Standard';

/**
 * Walmart's cancellationReason: the buyer's request when there was one, else out of stock. Canada's
 * list has no out-of-stock reason: the seller's own cancellation there is CANCEL_BY_SELLER.
 */
export const walmartCancelReason = (c: LinesToCancel, market: WalmartMarket = 'us') =>
  c.buyerRequested ? 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL' : market === 'ca' ? 'CANCEL_BY_SELLER' : 'SELLER_CANCEL_OUT_OF_STOCK';

/**
 * Canada's carrier list (CarrierNameType): its own codes by the warehouse's name, else the US code it
 * shares (the US list names DHL "DHL Ecommerce - US", Canada's "DHL"). Canada takes otherCarrier
 * without a tracking URL.
 */
const CA_BY_US_CODE: Readonly<Record<string, string>> = { UPS: 'UPS', USPS: 'USPS', FedEx: 'FedEx', 'DHL Ecommerce - US': 'DHL' };
const CA_CARRIER_NAMES: Readonly<Record<string, string>> = {
  canadapost: 'CPC', postescanada: 'CPC', canpar: 'CANPAR', loomis: 'LOOMIS', loomisexpress: 'LOOMIS', dhlexpress: 'DHL',
};
const caCarrier = (carrier: ShipmentToConfirm['carrier']) => {
  const code = CA_CARRIER_NAMES[carrierKey(carrier.name)] ?? (carrier.other ? undefined : CA_BY_US_CODE[carrier.code]);
  return code === undefined ? { otherCarrier: carrier.name } : { carrier: code };
};
/** Mexico's carriers; any other is "Other", which Walmart accepts only with a tracking URL. */
const MX_BY_US_CODE: Readonly<Record<string, string>> = { FedEx: 'MX-FEDX', 'DHL Ecommerce - US': 'MX-DHL' };
const MX_CARRIER_NAMES: Readonly<Record<string, string>> = { estafeta: 'Estafeta', sfc: 'SFC', dhlexpress: 'MX-DHL' };
const mxCarrier = (carrier: ShipmentToConfirm['carrier']): string | undefined =>
  MX_CARRIER_NAMES[carrierKey(carrier.name)] ?? (carrier.other ? undefined : MX_BY_US_CODE[carrier.code]);

/** Mexico's order, as far as acknowledging it needs: each line's number and units still Created. */
const MxOrderLines = z.object({
  order: z.array(z.object({
    purchaseOrderId: z.string(),
    orderLines: z.array(z.object({
      primeLineNumber: z.string(),
      orderLineStatus: z.array(z.object({ status: z.string(), statusQuantity: z.object({ amount: z.union([z.string(), z.number()]).transform(Number) }) })).nullish(),
    })).nullish(),
  })).nullish(),
});

const firstError = (r: HttpResult) => {
  // Mexico's error body is `{error:{code,…}}`, the others' `{errors:…}`.
  const errors = (r.body as { errors?: unknown } | null)?.errors ?? (r.body as { error?: unknown } | null)?.error;
  const list = Array.isArray(errors) ? errors : (errors as { error?: unknown } | undefined)?.error;
  const first = (Array.isArray(list) ? list[0] : (list ?? errors)) as { code?: unknown; description?: unknown; info?: unknown; message?: unknown } | undefined;
  if (typeof first?.code !== 'string') return undefined;
  const text = [first.description, first.info, first.message].find((v) => typeof v === 'string' && v !== '') as string | undefined;
  return { code: first.code, message: text ?? '' };
};

const syncBucket = (r: HttpResult, bucket: TokenBucket) => {
  const remaining = Number(r.headers.get('x-current-token-count') ?? Number.NaN);
  if (!Number.isFinite(remaining)) return;
  const next = Number(r.headers.get('x-next-replenishment-time') ?? Number.NaN);
  bucket.sync(remaining, Number.isFinite(next) ? next : null);
};

export type WalmartFulfillmentConfig = Readonly<{
  apiUrl: string;
  tokens: AccessTokens;
  timing?: Timing;
  random?: () => number;
  retry?: Partial<RetryOptions>;
  buckets?: TokenBuckets<WalmartFulfillmentOperation>;
  timeoutMs?: number;
}>;

/** Walmart Orders: acknowledge, shipping updates and line cancellations of one purchase order. */
export const walmartFulfillment = (config: WalmartFulfillmentConfig): MarketplaceFulfillment => {
  const timing = config.timing ?? systemTiming;
  const random = config.random ?? Math.random;
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  const buckets = config.buckets ?? tokenBuckets(WALMART_FULFILLMENT_USAGE_PLANS, timing);

  /** One call to the store's market with the token, retries, rate limit and its own reading of the answer. */
  const call = <T>(
    target: FulfillmentTarget,
    operation: WalmartFulfillmentOperation,
    request: Readonly<{ method: 'GET' | 'POST'; path: string; body?: unknown }>,
    interpret: (r: HttpResult, bucket: TokenBucket, what: string) => Outcome<T>,
    signal?: AbortSignal,
  ) => {
    if (target.platform !== 'walmart') throw new MarketplaceError('bad_request', null, 'Walmart: the target is not a Walmart order');
    const market = walmartMarketOf(target.marketplaceId);
    const url = new URL(request.path, config.apiUrl).toString();
    const body = request.body;
    const bucket = buckets.bucket(target.authorizationId, operation);
    const what = `Walmart ${operation}`;
    return callWithRetries({
      what,
      authorizationId: target.authorizationId,
      tokens: config.tokens,
      bucket,
      timing,
      random,
      retry,
      ...(signal !== undefined ? { signal } : {}),
      attempt: async (accessToken) => {
        const r = await httpCall(url, {
          method: request.method,
          headers: { ...walmartHeaders(market, accessToken, config.tokens.clientBasic?.(target.authorizationId) ?? null), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
        });
        syncBucket(r, bucket);
        return interpret(r, bucket, what);
      },
    });
  };

  // Walmart answers an expired or foreign token with 401 UNAUTHORIZED. Mexico answers writes with 202.
  const write = (r: HttpResult, bucket: TokenBucket, what: string) => interpretWrite(r, what, bucket, { firstError, tokenRefused: (x) => x.status === 401 });

  /** POST {orders path}/{purchaseOrderId}/{action}. */
  const send = (target: FulfillmentTarget, operation: WalmartFulfillmentOperation, action: string, body: unknown, signal?: AbortSignal) =>
    call<void>(target, operation, { method: 'POST', path: `${WALMART_ORDERS_PATH[walmartMarketOf(target.marketplaceId)]}/${encodeURIComponent(target.platformOrderId)}/${action}`, body }, write, signal);

  /** Mexico's lines with units still Created, read with the order search by purchaseOrderId. */
  const mxCreatedLines = async (target: FulfillmentTarget, signal?: AbortSignal) => {
    const query = new URLSearchParams({ purchaseOrderId: target.platformOrderId, limit: '1' });
    const answer = await call<unknown>(target, 'getOrder', { method: 'GET', path: `/v3/orders?${query.toString()}` }, (r, bucket, what) => {
      const written = write(r, bucket, what);
      return written.kind === 'done' ? { kind: 'done', value: r.body } : { ...written };
    }, signal);
    const parsed = MxOrderLines.safeParse(answer);
    const order = parsed.success ? parsed.data.order?.find((o) => o.purchaseOrderId === target.platformOrderId) : undefined;
    if (order === undefined) throw new MarketplaceError('malformed_response', 200, `Walmart getAllOrders: purchase order ${target.platformOrderId} is not in the answer`);
    return (order.orderLines ?? []).flatMap((line) => {
      const created = (line.orderLineStatus ?? []).filter((s) => s.status === 'Created').reduce((n, s) => n + s.statusQuantity.amount, 0);
      return created > 0 ? [{ lineNumber: line.primeLineNumber, quantity: created }] : [];
    });
  };

  const quantity = (n: number) => ({ unitOfMeasurement: 'EACH', amount: String(n) });

  /** The warehouse's tracking page, when it gave one (optional in every market's trackingInfo). */
  const trackingUrlOf = (shipment: ShipmentToConfirm) => (shipment.trackingUrl ? { trackingURL: shipment.trackingUrl } : {});

  /** Mexico: the shipment as Walmart Mexico's `shipments` list (lines by primeLineNo); any other carrier is "Other", with its tracking URL. */
  const mxShipment = (shipment: ShipmentToConfirm) => {
    const carrier = mxCarrier(shipment.carrier) ?? (shipment.trackingUrl ? 'Other' : undefined);
    if (carrier === undefined) {
      throw new MarketplaceError('bad_request', null, `Walmart Mexico: carrier ${shipment.carrier.name} is not one of MX-FEDX, MX-DHL, Estafeta, SFC, and "Other" needs a tracking URL the warehouse did not send`);
    }
    return {
      shipments: [{
        shipmentLines: shipment.lines.map((l, i) => ({ primeLineNo: l.platformLineId, shipmentLineNo: String(i + 1), quantity: quantity(l.quantity) })),
        carrier,
        trackingNumber: shipment.trackingNumber,
        ...trackingUrlOf(shipment),
      }],
    };
  };

  /** Canada: the US body, plus each line's ship-from country (required) and an ISO 8601 ship date. */
  const caShipment = (shipment: ShipmentToConfirm) => ({
    orderShipment: {
      orderLines: {
        orderLine: shipment.lines.map((l) => ({
          lineNumber: l.platformLineId,
          // OMS does not know the warehouse's country yet; a Walmart.ca seller ships from Canada.
          shipFromCountry: 'CA',
          orderLineStatuses: {
            orderLineStatus: [{
              status: 'Shipped',
              statusQuantity: quantity(l.quantity),
              trackingInfo: {
                shipDateTime: new Date(Date.parse(shipment.shippedAt)).toISOString(),
                carrierName: caCarrier(shipment.carrier),
                methodCode: walmartMethodCode(shipment.shipMethod),
                trackingNumber: shipment.trackingNumber,
                ...trackingUrlOf(shipment),
              },
            }],
          },
        })),
      },
    },
  });

  return {
    acknowledge: async (target, signal) => {
      if (walmartMarketOf(target.marketplaceId) !== 'mx') return send(target, 'acknowledgeOrders', 'acknowledge', undefined, signal);
      // Mexico acknowledges the lines named in the body: the order's Created units, read first.
      const lines = await mxCreatedLines(target, signal);
      if (lines.length === 0) return;
      return send(target, 'acknowledgeOrders', 'acknowledge', {
        orderAcknowledge: {
          orderLines: {
            orderLine: lines.map((l) => ({ lineNumber: l.lineNumber, orderLineStatuses: { orderLineStatus: [{ status: 'Acknowledged', statusQuantity: quantity(l.quantity) }] } })),
          },
        },
      }, signal);
    },
    // async: a shipment Mexico cannot take is a rejected promise, like Walmart's own refusals.
    confirmShipment: async (target, shipment, signal) => {
      const market = walmartMarketOf(target.marketplaceId);
      if (market === 'mx') return send(target, 'shippingUpdates', 'ship', mxShipment(shipment), signal);
      if (market === 'ca') return send(target, 'shippingUpdates', 'shipping', caShipment(shipment), signal);
      if (shipment.carrier.other && !shipment.trackingUrl) {
        throw new MarketplaceError('bad_request', null, `Walmart: carrier ${shipment.carrier.name} is not on Walmart's carrier list, and otherCarrier needs a tracking URL the warehouse did not send`);
      }
      const cancelAsked = new Set(shipment.cancelRequestedLines ?? []);
      return send(target, 'shippingUpdates', 'shipping', {
        orderShipment: {
          orderLines: {
            orderLine: shipment.lines.map((l) => ({
              lineNumber: l.platformLineId,
              // Required (≤ 30 characters; printed on the return label): the purchase order the seller knows.
              sellerOrderId: target.platformOrderId,
              // The buyer asked to cancel this line and the warehouse shipped it anyway: Walmart wants that said.
              ...(cancelAsked.has(l.platformLineId) ? { intentToCancelOverride: true } : {}),
              orderLineStatuses: {
                orderLineStatus: [
                  {
                    status: 'Shipped',
                    statusQuantity: quantity(l.quantity),
                    trackingInfo: {
                      shipDateTime: Date.parse(shipment.shippedAt),
                      carrierName: shipment.carrier.other ? { otherCarrier: shipment.carrier.name } : { carrier: shipment.carrier.code },
                      methodCode: walmartMethodCode(shipment.shipMethod),
                      trackingNumber: shipment.trackingNumber,
                      ...trackingUrlOf(shipment),
                    },
                  },
                ],
              },
            })),
          },
        },
      }, signal);
    },
    cancelLines: async (target, cancellation, signal) => {
      const reason = walmartCancelReason(cancellation, walmartMarketOf(target.marketplaceId));
      await send(target, 'cancelOrderLines', 'cancel', {
        orderCancellation: {
          orderLines: {
            orderLine: cancellation.lines.map((l) => ({
              lineNumber: l.platformLineId,
              orderLineStatuses: { orderLineStatus: [{ status: 'Cancelled', cancellationReason: reason, statusQuantity: quantity(l.quantity) }] },
            })),
          },
        },
      }, signal);
      return reason;
    },
  };
};
