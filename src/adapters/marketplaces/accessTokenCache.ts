import type { AccessToken } from '../../domain/ports/marketplaces.js';
import type { AccessTokens } from '../../domain/ports/orderSource.js';

/** A token is replaced this long before it expires, so a request never leaves with one about to lapse. */
export const REFRESH_MARGIN_MS = 60_000;

export type AccessTokenCacheOptions = Readonly<{
  /** Mints a new access token for an authorization (LWA refresh_token grant, Walmart client_credentials). */
  fetch: (authorizationId: string) => Promise<AccessToken>;
  now?: () => number;
}>;

type Cached = { token: string; clientBasic: string | null; refreshAt: number };

/**
 * Access tokens per authorization: reused until shortly before expiry, and refreshed by one request
 * at a time however many pulls ask at once — token endpoints have tight limits of their own.
 */
export type AccessTokenCache = AccessTokens &
  Readonly<{
    /** The authorization's credentials changed: drop its token and any refresh in flight (minted from the old ones). */
    forget: (authorizationId: string) => void;
    clientBasic: (authorizationId: string) => string | null;
  }>;

export const accessTokenCache = (options: AccessTokenCacheOptions): AccessTokenCache => {
  const now = options.now ?? (() => Date.now());
  const cached = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<string>>();

  const refresh = (authorizationId: string): Promise<string> => {
    // Expiry counts from the request, not the answer: the token's clock started while we waited.
    const started = now();
    const request = options
      .fetch(authorizationId)
      .then((fresh) => {
        // Forgotten while in flight (credentials replaced): hand it to its callers, keep it for nobody else.
        if (inFlight.get(authorizationId) !== request) return fresh.accessToken;
        const lifetimeMs = Math.max(0, fresh.expiresInSeconds * 1000);
        // Short-lived tokens (tests, odd configurations) keep half their life rather than none.
        const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
        cached.set(authorizationId, { token: fresh.accessToken, clientBasic: fresh.clientBasic ?? null, refreshAt: started + lifetimeMs - margin });
        return fresh.accessToken;
      })
      .finally(() => {
        if (inFlight.get(authorizationId) === request) inFlight.delete(authorizationId);
      });
    inFlight.set(authorizationId, request);
    return request;
  };

  return {
    get: (authorizationId) => {
      const hit = cached.get(authorizationId);
      if (hit !== undefined && now() < hit.refreshAt) return Promise.resolve(hit.token);
      return inFlight.get(authorizationId) ?? refresh(authorizationId);
    },
    // A refresh already in flight is left alone: its token is newer than the one that was rejected.
    invalidate: (authorizationId) => {
      cached.delete(authorizationId);
    },
    forget: (authorizationId) => {
      cached.delete(authorizationId);
      inFlight.delete(authorizationId);
    },
    clientBasic: (authorizationId) => cached.get(authorizationId)?.clientBasic ?? null,
  };
};
