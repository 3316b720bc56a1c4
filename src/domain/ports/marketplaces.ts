import type { AmazonRegion } from '../authorization/events.js';

/**
 * What OMS needs from the marketplaces to authorize stores. Adapters speak HTTP and translate the
 * marketplaces' errors into MarketplaceError codes; nothing here ever carries a secret in a message.
 */
export type MarketplaceErrorCode =
  | 'invalid_grant'
  | 'invalid_client'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'malformed_response'
  | 'bad_request'
  /** A resume point the marketplace no longer honours (expired pagination token) or that is not ours. */
  | 'cursor_refused'
  /** What OMS was asked to send has no form at this marketplace (e.g. a partial cancellation at Amazon). */
  | 'unsupported';

export class MarketplaceError extends Error {
  override readonly name = 'MarketplaceError';
  constructor(
    readonly code: MarketplaceErrorCode,
    readonly status: number | null,
    message: string,
    /** From Retry-After or the marketplace's rate headers, when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export type Participation = Readonly<{
  marketplaceId: string;
  countryCode: string;
  name: string;
  isParticipating: boolean;
  hasSuspendedListings: boolean;
}>;

export type AccessToken = Readonly<{
  accessToken: string;
  expiresInSeconds: number;
  /**
   * Walmart: the client credentials the token was minted with, base64 for HTTP Basic — Walmart
   * Mexico's orders spec asks for them beside the token on every call. A secret: never logged.
   */
  clientBasic?: string;
}>;

export interface AmazonAuthApi {
  /** Seller Central consent page for the region, carrying our one-time state. */
  /** Seller Central's consent page: the store country's own host when known, else the region's main one. */
  consentUrl(region: AmazonRegion, state: string, countryCode?: string | null): string;
  /** LWA authorization_code grant: the refresh token for the consenting seller. */
  exchangeCode(code: string): Promise<{ refreshToken: string }>;
  /** LWA refresh_token grant. */
  accessToken(refreshToken: string): Promise<AccessToken>;
  /** Sellers API getMarketplaceParticipations on the region's endpoint. */
  participations(region: AmazonRegion, accessToken: string): Promise<Participation[]>;
  /**
   * The selling partner behind an access token, as Amazon itself says it (Product Fees v0
   * getMyFeesEstimateForASIN names it in FeesEstimateIdentifier.SellerId) — never the browser's claim.
   */
  sellerIdOf(region: AmazonRegion, accessToken: string, marketplaceId: string): Promise<string>;
}

export interface WalmartAuthApi {
  /** POST /v3/token (client_credentials). */
  token(clientId: string, clientSecret: string): Promise<AccessToken>;
  /** GET /v3/token/detail: the scopes the key was given (e.g. orders: full_access). */
  scopes(accessToken: string): Promise<Record<string, string>>;
}

export type WalmartMarket = 'us' | 'ca' | 'mx';

/** A Walmart Connect grant: which seller (WM_PARTNER.ID) in which market (WM_MARKET). */
export type WalmartSellerGrant = Readonly<{ sellerId: string; market: WalmartMarket }>;

/**
 * Walmart's OAuth 2.0 seller authorization for solution providers ("Connect"), with OMS's app
 * credentials. A refused code or refresh token is MarketplaceError('invalid_grant') — a revoked or
 * expired grant when refreshing.
 */
export interface WalmartConnectApi {
  /** Walmart's authorize page for the market (clientType seller / seller-ca / seller-mx), with our state and a one-time nonce. */
  consentUrl(market: WalmartMarket, state: string, nonce: string): string;
  /** POST /v3/token grant_type=authorization_code: the seller's refresh token (one year) and a first access token. */
  exchangeCode(code: string, seller: WalmartSellerGrant): Promise<AccessToken & { refreshToken: string }>;
  /** POST /v3/token grant_type=refresh_token. */
  refreshAccessToken(refreshToken: string, seller: WalmartSellerGrant): Promise<AccessToken>;
}
