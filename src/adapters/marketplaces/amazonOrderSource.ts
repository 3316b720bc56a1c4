import { z } from 'zod';
import type { AmazonRegion } from '../../domain/authorization/events.js';
import type { PlatformOrder } from '../../domain/order/platformOrder.js';
import { MarketplaceError } from '../../domain/ports/marketplaces.js';
import type { AccessTokens, OrderSource, PullTarget, PullWindow, UnreadableOrder } from '../../domain/ports/orderSource.js';
import { parseAmazonOrder } from './amazonOrderParser.js';
import { genericFailure, httpCall, type HttpResult } from './http.js';
import { parseEach } from './orderPayloadError.js';
import { decodeCursor, encodeCursor } from './pageCursor.js';
import { callWithRetries, DEFAULT_RETRY, type Outcome, type RetryOptions } from './retryPolicy.js';
import { systemTiming, type Timing } from './timing.js';
import { tokenBuckets, type TokenBucket, type TokenBuckets, type UsagePlan } from './tokenBucket.js';

/** Default usage plans of the Orders API v2026-01-01 (reference §A4): rate per second, burst. */
export const AMAZON_ORDER_USAGE_PLANS = {
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
} as const satisfies Record<string, UsagePlan>;
export type AmazonOrderOperation = keyof typeof AMAZON_ORDER_USAGE_PLANS;

/**
 * Datasets the warehouse needs: FULFILLMENT carries the status, channel and ship-by dates, RECIPIENT
 * the address, BUYER the name, PROCEEDS the total, CANCELLATION the cancelled items. Nothing else
 * is asked for: less buyer data fetched is less to protect.
 */
export const AMAZON_INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'FULFILLMENT', 'PROCEEDS', 'CANCELLATION'] as const;

/**
 * searchOrders refuses an end bound less than two minutes before its own now; ten seconds more
 * keeps a clock slightly ahead of Amazon's from earning a 400.
 */
export const SEARCH_END_LAG_MS = 130_000;
export const MAX_MARKETPLACES_PER_CALL = 50;
const PAGE_SIZE = 100;
const SEARCH_PATH = '/orders/2026-01-01/orders';
const DEFAULT_USER_AGENT = 'OMS/0.1 (Language=TypeScript; Platform=Node.js)';

export type AmazonOrderSourceConfig = Readonly<{
  spApiUrl: Readonly<Record<AmazonRegion, string>>;
  tokens: AccessTokens;
  timing?: Timing;
  /** Jitter source for back-off (tests pass a constant). */
  random?: () => number;
  retry?: Partial<RetryOptions>;
  /** Shared buckets when several sources act for the same authorizations; one per source otherwise. */
  buckets?: TokenBuckets<AmazonOrderOperation>;
  userAgent?: string;
  /** Per request; a page of 100 orders with items is large. */
  timeoutMs?: number;
}>;

/** What the next page must repeat: the paginationToken, and the end bound fixed by the first page. */
const Cursor = z.object({ token: z.string().min(1), before: z.string(), kind: z.enum(['created', 'updated']) });

const SearchOrdersResponse = z.object({
  orders: z.array(z.unknown()),
  pagination: z.object({ nextToken: z.string().optional() }).optional(),
});
const ErrorList = z.object({ errors: z.array(z.object({ code: z.string(), message: z.string().optional(), details: z.string().optional() })).min(1) });

/** Amazon writes instants to the second; so do we, rounding down so no order falls between two windows. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const instant = (value: string, name: string): number => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new MarketplaceError('bad_request', null, `Amazon order source: window ${name} is not a date-time`);
  return ms;
};

const firstError = (r: HttpResult) => {
  const parsed = ErrorList.safeParse(r.body);
  return parsed.success ? parsed.data.errors[0] : undefined;
};

/**
 * The gateway answers a bad access token with 403 "Unauthorized" and says why in `details`
 * (expired, revoked, missing); an app without the role gets the same 403 with no token in the story.
 */
const tokenRefused = (r: HttpResult): boolean => {
  if (r.status === 401) return true;
  const error = firstError(r);
  return r.status === 403 && /token/i.test(`${error?.details ?? ''} ${error?.message ?? ''}`);
};

type SearchPage = Readonly<{ orders: PlatformOrder[]; rejected: UnreadableOrder[]; nextToken: string | null }>;

/** What a searchOrders answer means, and what it tells the rate limiter. */
const interpret = (r: HttpResult, bucket: TokenBucket, marketplaceId: string | undefined, withToken: boolean): Outcome<SearchPage> => {
  const what = 'Amazon searchOrders';
  const limit = Number(r.headers.get('x-amzn-ratelimit-limit') ?? Number.NaN);
  if (Number.isFinite(limit) && limit > 0) bucket.setRate(limit);
  if (r.status === 200) {
    // A 200 without a JSON body is a response cut short (reset, truncation): the same request will do.
    if (r.body === null) return { kind: 'transient', error: new MarketplaceError('malformed_response', 200, `${what}: the answer was cut short or is not JSON`) };
    const page = SearchOrdersResponse.safeParse(r.body);
    if (!page.success) return { kind: 'failed', error: new MarketplaceError('malformed_response', 200, `${what}: the answer is not a SearchOrdersResponse`) };
    // One order that cannot be read is set aside (the pull records it); the rest of the page goes on.
    const { orders, rejected } = parseEach(page.data.orders, (raw) => parseAmazonOrder(raw, marketplaceId === undefined ? {} : { marketplaceId }), 'orderId');
    return { kind: 'done', value: { orders, rejected, nextToken: page.data.pagination?.nextToken ?? null } };
  }
  if (r.status === 429) {
    // Amazon's bucket is empty whatever ours thought: the next token is a full interval away.
    bucket.drain();
    return { kind: 'transient', error: genericFailure(what, r) };
  }
  if (r.status >= 500) return { kind: 'transient', error: genericFailure(what, r) };
  if (tokenRefused(r)) return { kind: 'tokenRejected', error: new MarketplaceError('unauthorized', r.status, `${what}: the access token was refused`) };
  const error = firstError(r);
  if (r.status === 400 && error !== undefined) {
    // Amazon's validation messages name parameters (e.g. an expired paginationToken), never buyer data.
    // A follow-up page repeats the filters the first page was served with: a 400 there is about the
    // token (expired after 24 h, or not honoured any more), and the caller restarts the search.
    const message = `${what}: ${error.code}: ${error.details || error.message || 'invalid input'}`;
    return { kind: 'failed', error: new MarketplaceError(withToken ? 'cursor_refused' : 'bad_request', 400, message) };
  }
  return { kind: 'failed', error: genericFailure(what, r) };
};

/**
 * Orders API v2026-01-01 searchOrders: one page per call, items inline. A window selects by
 * creation (createdAfter/createdBefore) or by last update (lastUpdatedAfter/lastUpdatedBefore),
 * never both; the end bound is clamped to two minutes ago and frozen in the cursor, because every
 * follow-up page must repeat the first page's filters exactly.
 */
export const amazonOrderSource = (config: AmazonOrderSourceConfig): OrderSource => {
  const timing = config.timing ?? systemTiming;
  const random = config.random ?? Math.random;
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  const buckets = config.buckets ?? tokenBuckets(AMAZON_ORDER_USAGE_PLANS, timing);
  const userAgent = config.userAgent ?? DEFAULT_USER_AGENT;

  const searchUrl = (target: PullTarget, window: PullWindow, before: string, token: string | null): string => {
    const [afterName, beforeName] = window.kind === 'created' ? ['createdAfter', 'createdBefore'] : ['lastUpdatedAfter', 'lastUpdatedBefore'];
    const query = new URLSearchParams();
    query.set(afterName, isoSeconds(instant(window.from, 'from')));
    query.set(beforeName, before);
    if (target.marketplaceIds.length > 0) query.set('marketplaceIds', target.marketplaceIds.join(','));
    // FBA orders cost pages but are never sent; a store may leave them out (v2026-01-01 `fulfilledBy`).
    if (target.skipMarketplaceFulfilled === true) query.set('fulfilledBy', 'MERCHANT');
    query.set('maxResultsPerPage', String(PAGE_SIZE));
    query.set('includedData', AMAZON_INCLUDED_DATA.join(','));
    if (token !== null) query.set('paginationToken', token);
    return `${new URL(SEARCH_PATH, config.spApiUrl[target.region as AmazonRegion]).toString()}?${query.toString()}`;
  };

  return {
    fetchPage: async (target, window, cursor, signal) => {
      if (target.platform !== 'amazon' || target.region === null) {
        throw new MarketplaceError('bad_request', null, 'Amazon order source: the target is not an Amazon authorization with a region');
      }
      if (target.marketplaceIds.length > MAX_MARKETPLACES_PER_CALL) {
        throw new MarketplaceError('bad_request', null, `Amazon order source: at most ${MAX_MARKETPLACES_PER_CALL} marketplaces per call`);
      }
      const state = cursor === null ? null : decodeCursor('amazon', Cursor, cursor);
      if (state !== null && state.kind !== window.kind) throw new MarketplaceError('cursor_refused', null, 'Amazon order source: the cursor belongs to another kind of window');
      const after = Math.floor(instant(window.from, 'from') / 1000) * 1000;
      const before = state?.before ?? isoSeconds(Math.min(instant(window.to, 'to'), timing.now() - SEARCH_END_LAG_MS));
      // The whole window is younger than Amazon serves yet: nothing to fetch, the next pull covers it.
      if (Date.parse(before) < after) return { orders: [], next: null };

      const url = searchUrl(target, window, before, state?.token ?? null);
      const bucket = buckets.bucket(target.authorizationId, 'searchOrders');
      const page = await callWithRetries({
        what: 'Amazon searchOrders',
        authorizationId: target.authorizationId,
        tokens: config.tokens,
        bucket,
        timing,
        random,
        retry,
        ...(signal !== undefined ? { signal } : {}),
        attempt: async (accessToken) => {
          const r = await httpCall(url, {
            headers: { 'x-amz-access-token': accessToken, 'user-agent': userAgent, accept: 'application/json' },
            ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
          });
          // An order that names no marketplace belongs to the one asked for; with several, it cannot be told.
          return interpret(r, bucket, target.marketplaceIds.length === 1 ? target.marketplaceIds[0] : undefined, state !== null);
        },
      });
      return {
        orders: page.orders,
        ...(page.rejected.length > 0 ? { rejected: page.rejected } : {}),
        next: page.nextToken === null ? null : encodeCursor('amazon', { token: page.nextToken, before, kind: window.kind }),
      };
    },
  };
};
