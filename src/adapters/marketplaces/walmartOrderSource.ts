import { z } from 'zod';
import type { PlatformOrder } from '../../domain/order/platformOrder.js';
import { MarketplaceError } from '../../domain/ports/marketplaces.js';
import type { AccessTokens, OrderPage, OrderSource, PullTarget, PullWindow, UnreadableOrder } from '../../domain/ports/orderSource.js';
import { genericFailure, httpCall, type HttpResult } from './http.js';
import { parseEach } from './orderPayloadError.js';
import { decodeCursor, encodeCursor } from './pageCursor.js';
import { callWithRetries, DEFAULT_RETRY, type Outcome, type RetryOptions } from './retryPolicy.js';
import { systemTiming, type Timing } from './timing.js';
import { tokenBuckets, type TokenBucket, type TokenBuckets, type UsagePlan } from './tokenBucket.js';
import { parseWalmartOrder, WALMART_US_MARKETPLACE } from './walmartOrderParser.js';
import { walmartHeaders, walmartMarketOf, WALMART_ORDERS_PATH } from './walmartMarkets.js';
import type { WalmartMarket } from '../../domain/ports/marketplaces.js';

/**
 * Walmart does not publish its US limits (reference §B2); these are the figures attributed to it
 * (GET /v3/orders 5,000 a minute). Its token-count headers correct them on every answer.
 */
export const WALMART_ORDER_USAGE_PLANS = {
  getAllOrders: { rate: 5000 / 60, burst: 5000 },
} as const satisfies Record<string, UsagePlan>;
export type WalmartOrderOperation = keyof typeof WALMART_ORDER_USAGE_PLANS;

/** GET /v3/orders serves the last 180 days only. */
export const WALMART_HISTORY_DAYS = 180;
/**
 * WFS orders are invisible unless asked for by name. 3PLFulfilled orders are searched only for a
 * store configured as the account's 3PL node (store setting `walmart3plNode`), last.
 */
export const WALMART_SHIP_NODE_TYPES = ['SellerFulfilled', 'WFSFulfilled', '3PLFulfilled'] as const;
/**
 * Mexico's cursor search needs a status (statusCodeFilter is required): one search per status an
 * order can be in, like the US's one search per ship-node type. OnHold orders are Walmart's, not yet
 * the seller's to ship; they are pulled once they move on.
 */
export const WALMART_MX_STATUSES = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Cancelled'] as const;
const marketOf = (target: PullTarget): WalmartMarket => walmartMarketOf(target.marketplaceIds[0]);
/** How many searches a pull makes: US per ship-node type, Canada one (no shipNodeType filter), Mexico per status. */
const searchesOf = (target: PullTarget): number => {
  const market = marketOf(target);
  if (market === 'ca') return 1;
  if (market === 'mx') return WALMART_MX_STATUSES.length;
  return target.walmart3plNode === true ? 3 : 2;
};
const PAGE_LIMIT = 200;
/** Mexico pages 100 orders at most. */
const MX_PAGE_LIMIT = 100;
const DAY_MS = 86_400_000;

export type WalmartOrderSourceConfig = Readonly<{
  apiUrl: string;
  tokens: AccessTokens;
  timing?: Timing;
  random?: () => number;
  retry?: Partial<RetryOptions>;
  buckets?: TokenBuckets<WalmartOrderOperation>;
  timeoutMs?: number;
  /** Receives the notice that a window reached past Walmart's history and was shortened (pino-compatible). */
  log?: Readonly<{ warn: (details: Record<string, unknown>, message: string) => void }>;
}>;

/**
 * A pull is one search per ship-node type. A search may stop early: Walmart pages through at most
 * 10,000 (older docs: 20,000) orders per query, newest first, so a window with more is finished by
 * further searches whose createdEndDate is the oldest order seen so far ("segments"). Orders at
 * exactly that instant were partly served already; their ids are skipped in the next segment.
 */
const Cursor = z.object({
  /** Which search: the ship-node type (US), the status (Mexico); Canada has one. */
  node: z.number().int().min(0).max(WALMART_MX_STATUSES.length - 1),
  createdStart: z.number(),
  createdEnd: z.number(),
  modified: z.object({ start: z.number(), end: z.number() }).nullable(),
  segmentEnd: z.number(),
  /** Walmart's nextCursor within the segment; null = the segment's first page. */
  next: z.string().nullable(),
  /** totalCount from the segment's first page, and how many orders the segment has served. */
  total: z.number().nullable(),
  served: z.number(),
  skip: z.array(z.string()),
  oldest: z.number().nullable(),
  oldestIds: z.array(z.string()),
});
type Cursor = z.infer<typeof Cursor>;

const ListBody = z.object({
  meta: z.object({ totalCount: z.number().nullish(), nextCursor: z.string().nullish() }).nullish(),
  elements: z.object({ order: z.array(z.unknown()).nullish() }).nullish(),
});
/** US: `{list:{meta,elements}}`; Canada's spec draws the list without the `list` wrapper. */
const ListResponse = z.union([z.object({ list: ListBody }).transform((b) => b.list), ListBody.refine((b) => b.elements !== undefined || b.meta !== undefined)]);
/** Mexico: `{meta:{totalCount,nextCursorMark}, order:[…]}`. */
const MxListResponse = z.object({
  meta: z.object({ totalCount: z.number().nullish(), nextCursorMark: z.string().nullish() }).nullish(),
  order: z.array(z.unknown()).nullish(),
});

const GatewayError = z.object({ code: z.string(), description: z.string().nullish(), message: z.string().nullish() });
/** Walmart's error bodies come as `{errors:{error:[…]}}`, `{errors:[…]}` or a single object (reference §B2); Mexico's as `{error:{…}}`. */
const walmartError = (body: unknown): z.infer<typeof GatewayError> | undefined => {
  const errors = (body as { errors?: unknown; error?: unknown } | null)?.errors ?? (body as { error?: unknown } | null)?.error;
  const list = Array.isArray(errors) ? errors : (errors as { error?: unknown } | undefined)?.error;
  const first: unknown = Array.isArray(list) ? list[0] : (list ?? errors);
  const parsed = GatewayError.safeParse(first);
  return parsed.success ? parsed.data : undefined;
};

const headerNumber = (r: HttpResult, name: string): number | null => {
  const value = r.headers.get(name);
  const n = value === null || value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(n) ? n : null;
};

/** The throttling headers on every answer; a replenishment time in seconds is taken as such. */
const syncBucket = (r: HttpResult, bucket: TokenBucket) => {
  const remaining = headerNumber(r, 'x-current-token-count');
  if (remaining === null) return;
  const next = headerNumber(r, 'x-next-replenishment-time');
  bucket.sync(remaining, next === null ? null : next < 1e11 ? next * 1000 : next);
};

type RawPage = Readonly<{ orders: readonly PlatformOrder[]; rejected: readonly UnreadableOrder[]; total: number | null; nextCursor: string | null }>;
const NO_ORDERS: RawPage = { orders: [], rejected: [], total: null, nextCursor: null };

/** The orders, count and next page of a list answer, in the market's shape; undefined when it is not a list. */
const readList = (market: WalmartMarket, body: unknown): { raw: unknown[]; total: number | null; next: string | null } | undefined => {
  if (market === 'mx') {
    const list = MxListResponse.safeParse(body);
    if (!list.success) return undefined;
    const raw = list.data.order ?? [];
    const mark = list.data.meta?.nextCursorMark ?? null;
    // The cursor search pages to the end of its results (no per-query cap): its count is not needed
    // to notice a search cut short. A page without orders ends it, whatever mark came with it.
    return { raw, total: null, next: raw.length === 0 || mark === null || mark === '' ? null : mark };
  }
  const list = ListResponse.safeParse(body);
  if (!list.success) return undefined;
  return { raw: list.data.elements?.order ?? [], total: list.data.meta?.totalCount ?? null, next: list.data.meta?.nextCursor ?? null };
};

const interpret = (r: HttpResult, bucket: TokenBucket, market: WalmartMarket, parse: (raw: unknown) => PlatformOrder): Outcome<RawPage> => {
  const what = 'Walmart getAllOrders';
  syncBucket(r, bucket);
  if (r.status === 200) {
    if (r.body === null) return { kind: 'transient', error: new MarketplaceError('malformed_response', 200, `${what}: the answer was cut short or is not JSON`) };
    const list = readList(market, r.body);
    if (list === undefined) return { kind: 'failed', error: new MarketplaceError('malformed_response', 200, `${what}: the answer is not an order list`) };
    // One order that cannot be read is set aside (the pull records it); the rest of the page goes on.
    const { orders, rejected } = parseEach(list.raw, parse, 'purchaseOrderId');
    return { kind: 'done', value: { orders, rejected, total: list.total, nextCursor: list.next } };
  }
  const error = walmartError(r.body);
  // Walmart answers a search without results with 404 CONTENT_NOT_FOUND rather than an empty list.
  if (r.status === 404 && error?.code.startsWith('CONTENT_NOT_FOUND')) return { kind: 'done', value: NO_ORDERS };
  if (r.status === 429 || r.status >= 500) return { kind: 'transient', error: genericFailure(what, r) };
  if (r.status === 401) return { kind: 'tokenRejected', error: new MarketplaceError('unauthorized', 401, `${what}: the access token was refused`) };
  if (r.status === 403) return { kind: 'failed', error: new MarketplaceError('forbidden', 403, `${what}: the key lacks order access`) };
  if (r.status === 400 && error !== undefined) {
    return { kind: 'failed', error: new MarketplaceError('bad_request', 400, `${what}: ${error.code}: ${error.description ?? error.message ?? 'invalid request'}`) };
  }
  return { kind: 'failed', error: genericFailure(what, r) };
};

const segmentStart = (cursor: Cursor, node: number, segmentEnd: number, skip: readonly string[]): Cursor => ({
  ...cursor,
  node,
  segmentEnd,
  next: null,
  total: null,
  served: 0,
  skip: [...skip],
  oldest: null,
  oldestIds: [],
});

/**
 * GET /v3/orders for a window, seller-fulfilled orders first, then WFS. `created` windows filter on
 * createdStartDate/EndDate; `updated` windows on lastModifiedStartDate/EndDate with the creation
 * range opened to Walmart's whole history (its default is only 7 days). Pages follow `nextCursor`
 * verbatim; a search without results (404 CONTENT_NOT_FOUND) is an empty, last page.
 */
export const walmartOrderSource = (config: WalmartOrderSourceConfig): OrderSource => {
  const timing = config.timing ?? systemTiming;
  const random = config.random ?? Math.random;
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  const buckets = config.buckets ?? tokenBuckets(WALMART_ORDER_USAGE_PLANS, timing);

  const instant = (value: string, name: string): number => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new MarketplaceError('bad_request', null, `Walmart order source: window ${name} is not a date-time`);
    return ms;
  };

  const firstCursor = (target: PullTarget, window: PullWindow): Cursor => {
    const from = instant(window.from, 'from');
    const to = instant(window.to, 'to');
    const historyStart = timing.now() - WALMART_HISTORY_DAYS * DAY_MS;
    if (from < historyStart) {
      config.log?.warn(
        { authorizationId: target.authorizationId, requestedFrom: window.from, servedFrom: new Date(historyStart).toISOString() },
        `Walmart serves only the last ${WALMART_HISTORY_DAYS} days of orders; the pull starts there instead`,
      );
    }
    const start = Math.max(from, historyStart);
    const created = window.kind === 'created';
    return {
      node: 0,
      createdStart: created ? start : historyStart,
      createdEnd: to,
      modified: created ? null : { start, end: to },
      segmentEnd: to,
      next: null,
      total: null,
      served: 0,
      skip: [],
      oldest: null,
      oldestIds: [],
    };
  };

  /** Mexico's cursor search: the same filters on every page, the page chosen by cursorMark ("*" first). */
  const mxPageUrl = (cursor: Cursor): string => {
    const query = new URLSearchParams({
      statusCodeFilter: WALMART_MX_STATUSES[cursor.node] as string,
      createdStartDate: new Date(cursor.createdStart).toISOString(),
      createdEndDate: new Date(cursor.segmentEnd).toISOString(),
      limit: String(MX_PAGE_LIMIT),
      cursorMark: cursor.next ?? '*',
    });
    return `${new URL('/v3/orders/cursor', config.apiUrl).toString()}?${query.toString()}`;
  };

  const pageUrl = (market: WalmartMarket, cursor: Cursor): string => {
    if (market === 'mx') return mxPageUrl(cursor);
    // (shipNodeType: the cursor's node, one search per type.)
    const path = new URL(WALMART_ORDERS_PATH[market], config.apiUrl).toString();
    // nextCursor is a ready-made query string; rebuilding it from parts makes Walmart start over.
    if (cursor.next !== null) return `${path}${cursor.next.startsWith('?') ? '' : '?'}${cursor.next}`;
    const query = new URLSearchParams({
      limit: String(PAGE_LIMIT),
      ...(market === 'us' ? { shipNodeType: WALMART_SHIP_NODE_TYPES[cursor.node] as string } : {}),
      createdStartDate: new Date(cursor.createdStart).toISOString(),
      createdEndDate: new Date(cursor.segmentEnd).toISOString(),
    });
    // Canada's search has no lastModified filter: an updated window reads every order of the history
    // (createdStart opened above) and the pull keeps what changed.
    if (cursor.modified !== null && market === 'us') {
      query.set('lastModifiedStartDate', new Date(cursor.modified.start).toISOString());
      query.set('lastModifiedEndDate', new Date(cursor.modified.end).toISOString());
    }
    return `${path}?${query.toString()}`;
  };

  const fetchRaw = (target: PullTarget, cursor: Cursor, signal: AbortSignal | undefined): Promise<RawPage> => {
    const bucket = buckets.bucket(target.authorizationId, 'getAllOrders');
    const market = marketOf(target);
    const context = {
      marketplaceId: target.marketplaceIds[0] ?? WALMART_US_MARKETPLACE,
      ...(market === 'us' ? { shipNodeType: WALMART_SHIP_NODE_TYPES[cursor.node] as string } : {}),
      threePlNode: target.walmart3plNode === true,
    };
    const url = pageUrl(market, cursor);
    return callWithRetries({
      what: 'Walmart getAllOrders',
      authorizationId: target.authorizationId,
      tokens: config.tokens,
      bucket,
      timing,
      random,
      retry,
      ...(signal !== undefined ? { signal } : {}),
      attempt: async (accessToken) => {
        const r = await httpCall(url, {
          headers: walmartHeaders(market, accessToken, config.tokens.clientBasic?.(target.authorizationId) ?? null),
          ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
        });
        return interpret(r, bucket, market, (raw) => parseWalmartOrder(raw, context));
      },
    }).catch((error: unknown) => {
      // nextCursor carries the first page's filters verbatim: a 400 on it means the cursor itself is
      // no longer honoured, and the caller restarts the window rather than sending it again.
      if (cursor.next !== null && error instanceof MarketplaceError && error.code === 'bad_request' && error.status === 400) {
        throw new MarketplaceError('cursor_refused', 400, error.message);
      }
      throw error;
    });
  };

  /**
   * Mexico: an order with lines in several statuses is found by each of their searches. The first
   * search that finds it serves it; a later one skips it while it still has a line in an earlier
   * search's status (a status can only move forward, so that search saw it).
   */
  const servedByEarlierSearch = (target: PullTarget, node: number, order: PlatformOrder): boolean => {
    if (marketOf(target) !== 'mx' || node === 0) return false;
    const statuses = order.platformStatus.split('/');
    return WALMART_MX_STATUSES.slice(0, node).some((status) => statuses.includes(status));
  };

  /** Where the pull goes once a search has no next page: a narrower segment, the next ship-node type, or the end. */
  const afterSearch = (target: PullTarget, cursor: Cursor): Cursor | null => {
    const cutShort = cursor.total !== null && cursor.served < cursor.total;
    if (cutShort && cursor.oldest !== null) {
      const skip = cursor.oldest === cursor.segmentEnd ? [...new Set([...cursor.skip, ...cursor.oldestIds])] : cursor.oldestIds;
      // Guard against a search that cannot move on (more orders at one instant than Walmart pages through).
      const progress = cursor.oldest < cursor.segmentEnd || skip.length > cursor.skip.length;
      if (progress) return segmentStart(cursor, cursor.node, cursor.oldest, skip);
    }
    if (cursor.node + 1 < searchesOf(target)) return segmentStart(cursor, cursor.node + 1, cursor.createdEnd, []);
    return null;
  };

  return {
    fetchPage: async (target, window, cursorText, signal): Promise<OrderPage> => {
      if (target.platform !== 'walmart') throw new MarketplaceError('bad_request', null, 'Walmart order source: the target is not a Walmart authorization');
      let cursor = cursorText === null ? firstCursor(target, window) : decodeCursor('walmart', Cursor, cursorText);
      // A resume point of a 3PL search after the store stopped being the 3PL node: start afresh.
      if (cursor.node >= searchesOf(target)) throw new MarketplaceError('cursor_refused', null, 'Walmart order source: the cursor names a ship-node type the store no longer searches');
      // Loops only past searches that return nothing new, so a call never hands back an empty page with more to come.
      for (;;) {
        const page = await fetchRaw(target, cursor, signal);
        const skip = new Set(cursor.skip);
        const fresh = page.orders.filter((order) => !skip.has(order.platformOrderId) && !servedByEarlierSearch(target, cursor.node, order));
        let oldest = cursor.oldest;
        let oldestIds = cursor.oldestIds;
        for (const order of page.orders) {
          const ms = Date.parse(order.createdAt);
          if (oldest === null || ms < oldest) {
            oldest = ms;
            oldestIds = [order.platformOrderId];
          } else if (ms === oldest && !oldestIds.includes(order.platformOrderId)) {
            oldestIds = [...oldestIds, order.platformOrderId];
          }
        }
        const searched: Cursor = {
          ...cursor,
          total: cursor.next === null ? page.total : cursor.total,
          served: cursor.served + page.orders.length + page.rejected.length,
          oldest,
          oldestIds,
        };
        const following = page.nextCursor !== null ? { ...searched, next: page.nextCursor } : afterSearch(target, searched);
        const unreadable = page.rejected.filter((order) => order.platformOrderId === null || !skip.has(order.platformOrderId));
        const rejected = unreadable.length > 0 ? { rejected: unreadable } : {};
        if (following === null) return { orders: fresh, ...rejected, next: null };
        if (fresh.length > 0 || unreadable.length > 0) return { orders: fresh, ...rejected, next: encodeCursor('walmart', following) };
        cursor = following;
      }
    },
  };
};
