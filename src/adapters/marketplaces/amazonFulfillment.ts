import { z } from 'zod';
import type { AmazonRegion } from '../../domain/authorization/events.js';
import { AMAZON_OTHER_CARRIER } from '../../domain/marketplaceSync/carriers.js';
import type { FulfillmentTarget, LinesToCancel, MarketplaceFulfillment } from '../../domain/ports/marketplaceFulfillment.js';
import { MarketplaceError } from '../../domain/ports/marketplaces.js';
import type { AccessTokens } from '../../domain/ports/orderSource.js';
import { interpretWrite } from './fulfillmentCalls.js';
import { httpCall, type HttpResult } from './http.js';
import { callWithRetries, DEFAULT_RETRY, type RetryOptions } from './retryPolicy.js';
import { systemTiming, type Timing } from './timing.js';
import { tokenBuckets, type TokenBuckets, type UsagePlan } from './tokenBucket.js';

/**
 * Orders API v0 confirmShipment (rate 2/s, burst 10) and the seller cancellation cancelOrder (rate
 * 1/s, burst 5; whole orders only; body and reasons from its reference page, method and path not in
 * the stored models — see docs/order-loop.md).
 */
export const AMAZON_FULFILLMENT_USAGE_PLANS = {
  confirmShipment: { rate: 2, burst: 10 },
  cancelOrder: { rate: 1, burst: 5 },
} as const satisfies Record<string, UsagePlan>;
export type AmazonFulfillmentOperation = keyof typeof AMAZON_FULFILLMENT_USAGE_PLANS;

const USER_AGENT = 'OMS/0.1 (Language=TypeScript; Platform=Node.js)';
const ErrorList = z.object({ errors: z.array(z.object({ code: z.string(), message: z.string().optional(), details: z.string().optional() })).min(1) });

const firstError = (r: HttpResult) => {
  const parsed = ErrorList.safeParse(r.body);
  const e = parsed.success ? parsed.data.errors[0] : undefined;
  return e === undefined ? undefined : { code: e.code, message: e.details || e.message || '' };
};
const tokenRefused = (r: HttpResult) => {
  if (r.status === 401) return true;
  const e = ErrorList.safeParse(r.body);
  const first = e.success ? e.data.errors[0] : undefined;
  return r.status === 403 && /token/i.test(`${first?.details ?? ''} ${first?.message ?? ''}`);
};

/** Amazon's seller cancellation reasons, from the warehouse's cause. */
export const amazonCancelReason = (c: LinesToCancel) => (c.buyerRequested ? 'BUYER_CANCELLED' : 'NO_INVENTORY');

export type AmazonFulfillmentConfig = Readonly<{
  spApiUrl: Readonly<Record<AmazonRegion, string>>;
  tokens: AccessTokens;
  timing?: Timing;
  random?: () => number;
  retry?: Partial<RetryOptions>;
  buckets?: TokenBuckets<AmazonFulfillmentOperation>;
  timeoutMs?: number;
}>;

export const amazonFulfillment = (config: AmazonFulfillmentConfig): MarketplaceFulfillment => {
  const timing = config.timing ?? systemTiming;
  const random = config.random ?? Math.random;
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  const buckets = config.buckets ?? tokenBuckets(AMAZON_FULFILLMENT_USAGE_PLANS, timing);

  const send = (target: FulfillmentTarget, operation: AmazonFulfillmentOperation, method: string, path: string, body: unknown, signal?: AbortSignal) => {
    if (target.platform !== 'amazon' || target.region === null) throw new MarketplaceError('bad_request', null, 'Amazon: the target is not an Amazon order with a region');
    const url = new URL(path, config.spApiUrl[target.region]).toString();
    const bucket = buckets.bucket(target.authorizationId, operation);
    const what = `Amazon ${operation}`;
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
          method,
          headers: { 'x-amz-access-token': accessToken, 'user-agent': USER_AGENT, accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify(body),
          ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
        });
        const limit = Number(r.headers.get('x-amzn-ratelimit-limit') ?? Number.NaN);
        if (Number.isFinite(limit) && limit > 0) bucket.setRate(limit);
        return interpretWrite(r, what, bucket, { firstError, tokenRefused });
      },
    });
  };

  return {
    // Amazon has no acknowledgement step for seller-fulfilled orders.
    acknowledge: async () => undefined,
    confirmShipment: async (target, shipment, signal) => {
      const orderId = encodeURIComponent(target.platformOrderId);
      await send(target, 'confirmShipment', 'POST', `/orders/v0/orders/${orderId}/shipmentConfirmation`, {
        marketplaceId: target.marketplaceId,
        packageDetail: {
          packageReferenceId: shipment.packageReferenceId,
          carrierCode: shipment.carrier.other ? AMAZON_OTHER_CARRIER : shipment.carrier.code,
          ...(shipment.carrier.other ? { carrierName: shipment.carrier.name } : {}),
          ...(shipment.shipMethod !== null ? { shippingMethod: shipment.shipMethod } : {}),
          trackingNumber: shipment.trackingNumber,
          shipDate: new Date(shipment.shippedAt).toISOString(),
          orderItems: shipment.lines.map((l) => ({ orderItemId: l.platformLineId, quantity: l.quantity })),
        },
      }, signal);
    },
    cancelLines: async (target, cancellation, signal) => {
      // cancelOrder cancels the whole order; lines of a partly shipped order cannot be cancelled through it.
      if (!cancellation.wholeOrder) {
        throw new MarketplaceError('unsupported', null, 'Amazon cancels whole orders only: cancel these items in Seller Central (or refund them after shipment)');
      }
      const reason = amazonCancelReason(cancellation);
      await send(target, 'cancelOrder', 'PUT', `/orders/2026-01-01/orders/${encodeURIComponent(target.platformOrderId)}/cancellation`, { cancelReasonCode: reason }, signal);
      return reason;
    },
  };
};
