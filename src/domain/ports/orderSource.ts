import type { AmazonRegion } from '../authorization/events.js';
import type { PlatformOrder } from '../order/platformOrder.js';

/** Which store to pull, and how to authenticate as it. */
export type PullTarget = Readonly<{
  authorizationId: string;
  platform: 'amazon' | 'walmart';
  /** Amazon only: the region endpoint. */
  region: AmazonRegion | null;
  /** Amazon: the store's marketplace (a call may carry up to 50); Walmart: ignored (one store per key). */
  marketplaceIds: readonly string[];
  /** Amazon: ask for seller-fulfilled orders only (`fulfilledBy=MERCHANT`; the store setting). */
  skipMarketplaceFulfilled?: boolean;
  /** Walmart: the seller is the account's 3PL ship node; search `3PLFulfilled` orders too and treat them as the seller's. */
  walmart3plNode?: boolean;
}>;

/**
 * created: orders created in [from, to) (the initial look-back); updated: orders created or changed
 * in [from, to) (the schedule). `to` is honoured as the marketplaces allow (Amazon: ≥ 2 min ago).
 */
export type PullWindow = Readonly<{ kind: 'created' | 'updated'; from: string; to: string }>;

/**
 * An order of a page that could not be read as an order even with the tolerant parsers: the rest of
 * the page goes on. `reason` names fields, never values; the payload stays in memory only (the pull
 * records a keyed hash of it, never the payload — it holds buyer data).
 */
export type UnreadableOrder = Readonly<{ platformOrderId: string | null; reason: string; payload: unknown }>;

export type OrderPage = Readonly<{
  orders: readonly PlatformOrder[];
  /** Orders of this page that could not be parsed (absent: none). */
  rejected?: readonly UnreadableOrder[];
  /** Opaque resume token for the next page (Amazon paginationToken, Walmart nextCursor); null = last page. */
  next: string | null;
}>;

/**
 * Pages of orders from a marketplace. Rate limits, retries of 429/5xx with back-off and token
 * refresh are the adapter's job; a page that still fails throws MarketplaceError, and the caller
 * resumes later with the same `cursor` (tokens stay valid for hours).
 */
export interface OrderSource {
  fetchPage(target: PullTarget, window: PullWindow, cursor: string | null, signal?: AbortSignal): Promise<OrderPage>;
}

/** Access tokens per authorization, cached until shortly before expiry, one refresh in flight at a time. */
export interface AccessTokens {
  get(authorizationId: string): Promise<string>;
  /** The marketplace said the token is no longer valid: forget it so the next get refreshes. */
  invalidate(authorizationId: string): void;
  /** The Basic credential behind the authorization's current token (`AccessToken.clientBasic`), or null when none is held. */
  clientBasic?(authorizationId: string): string | null;
}
