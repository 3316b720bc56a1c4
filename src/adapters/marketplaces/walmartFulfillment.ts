import { randomUUID } from 'node:crypto';
import type { FulfillmentTarget, LinesToCancel, MarketplaceFulfillment } from '../../domain/ports/marketplaceFulfillment.js';
import { MarketplaceError } from '../../domain/ports/marketplaces.js';
import type { AccessTokens } from '../../domain/ports/orderSource.js';
import { interpretWrite } from './fulfillmentCalls.js';
import { httpCall, type HttpResult } from './http.js';
import { callWithRetries, DEFAULT_RETRY, type RetryOptions } from './retryPolicy.js';
import { systemTiming, type Timing } from './timing.js';
import { tokenBuckets, type TokenBucket, type TokenBuckets, type UsagePlan } from './tokenBucket.js';
import { WALMART_SERVICE_NAME } from './walmartAuth.js';

/** Attributed US limits (reference §B2: acknowledge and shipping 60 a minute; cancel: the default 120). */
export const WALMART_FULFILLMENT_USAGE_PLANS = {
  acknowledgeOrders: { rate: 1, burst: 60 },
  shippingUpdates: { rate: 1, burst: 60 },
  cancelOrderLines: { rate: 2, burst: 120 },
} as const satisfies Record<string, UsagePlan>;
export type WalmartFulfillmentOperation = keyof typeof WALMART_FULFILLMENT_USAGE_PLANS;

/** Walmart's methodCode values; a warehouse ship method that is none of them is sent as Standard. */
const METHOD_CODES = ['Standard', 'Express', 'OneDay', 'Freight', 'WhiteGlove', 'Value'] as const;
export const walmartMethodCode = (shipMethod: string | null): string =>
  METHOD_CODES.find((m) => m.toLowerCase() === (shipMethod ?? '').replace(/[^a-z]/gi, '').toLowerCase()) ?? 'Standard';

/** Walmart's cancellationReason: the buyer's request when there was one, else out of stock. */
export const walmartCancelReason = (c: LinesToCancel) => (c.buyerRequested ? 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL' : 'SELLER_CANCEL_OUT_OF_STOCK');

const firstError = (r: HttpResult) => {
  const errors = (r.body as { errors?: unknown } | null)?.errors;
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

  const send = (target: FulfillmentTarget, operation: WalmartFulfillmentOperation, suffix: string, body: unknown, signal?: AbortSignal) => {
    if (target.platform !== 'walmart') throw new MarketplaceError('bad_request', null, 'Walmart: the target is not a Walmart order');
    const url = new URL(`/v3/orders/${encodeURIComponent(target.platformOrderId)}/${suffix}`, config.apiUrl).toString();
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
          method: 'POST',
          headers: {
            'WM_SEC.ACCESS_TOKEN': accessToken,
            'WM_SVC.NAME': WALMART_SERVICE_NAME,
            'WM_QOS.CORRELATION_ID': randomUUID(),
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
        });
        syncBucket(r, bucket);
        // Walmart answers an expired or foreign token with 401 UNAUTHORIZED.
        return interpretWrite(r, what, bucket, { firstError, tokenRefused: (x) => x.status === 401 });
      },
    });
  };

  const quantity = (n: number) => ({ unitOfMeasurement: 'EACH', amount: String(n) });

  return {
    acknowledge: (target, signal) => send(target, 'acknowledgeOrders', 'acknowledge', undefined, signal),
    confirmShipment: (target, shipment, signal) =>
      send(target, 'shippingUpdates', 'shipping', {
        orderShipment: {
          orderLines: {
            orderLine: shipment.lines.map((l) => ({
              lineNumber: l.platformLineId,
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
                    },
                  },
                ],
              },
            })),
          },
        },
      }, signal),
    cancelLines: async (target, cancellation, signal) => {
      const reason = walmartCancelReason(cancellation);
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
