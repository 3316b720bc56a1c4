import { authorizationDecider, authorizationStreamId } from '../domain/authorization/decider.js';
import { AuthorizationEvent } from '../domain/authorization/events.js';
import type { EventStore } from '../domain/ports/eventStore.js';
import { MarketplaceError, type AccessToken, type AmazonAuthApi, type WalmartAuthApi, type WalmartConnectApi, type WalmartMarket } from '../domain/ports/marketplaces.js';
import type { Vault } from '../domain/ports/vault.js';
import { decodeWith, loadState } from '../domain/shared/commandHandler.js';
import { UnavailableError } from '../domain/shared/errors.js';

export type AccessTokenMintDeps = Readonly<{
  store: EventStore;
  vault: Vault;
  amazon: AmazonAuthApi | null;
  walmart: WalmartAuthApi;
  walmartConnect: WalmartConnectApi | null;
  /** Records that only the seller can fix the authorization now (authorizationService.requireReauthorization). */
  requireReauthorization: (authorizationId: string, reason: string, detail: string) => Promise<unknown>;
}>;

/** What the vault holds for a Walmart authorization: the seller's own keys, or a Connect grant's refresh token. */
type WalmartSecret = { clientId: string; clientSecret: string } | { refreshToken: string; sellerId: string; market: WalmartMarket };

const decodeAuthorization = decodeWith(AuthorizationEvent);

/**
 * A new access token for an authorization, from the secret the vault holds for it. A refused grant
 * (invalid_grant) marks the authorization as needing the seller (#16.4) — no retry brings it back.
 */
export const accessTokenMint = (deps: AccessTokenMintDeps) => {
  const refusedGrant = (authorizationId: string, reason: string, detail: string) => async (error: unknown) => {
    if (error instanceof MarketplaceError && error.code === 'invalid_grant') await deps.requireReauthorization(authorizationId, reason, detail);
    throw error;
  };

  return async (authorizationId: string): Promise<AccessToken> => {
    const { state } = await loadState(authorizationDecider, decodeAuthorization, deps.store, authorizationStreamId(authorizationId));
    if (state.status === 'absent' || !state.secretRef) throw new UnavailableError('authorization', 'the authorization has no credentials');
    const secret = await deps.vault.readSecret(state.secretRef);
    if (state.platform === 'amazon') {
      if (!deps.amazon) throw new UnavailableError('amazon', 'Amazon is not configured');
      // The seller revoked OMS, or the grant lapsed.
      return deps.amazon
        .accessToken(secret)
        .catch(refusedGrant(authorizationId, 'lwa_invalid_grant', 'Login with Amazon refused the refresh token (consent revoked or expired); the seller must authorize OMS again'));
    }
    const walmart = JSON.parse(secret) as WalmartSecret;
    if ('refreshToken' in walmart) {
      // Walmart Connect: the app refreshes for the seller.
      if (!deps.walmartConnect) throw new UnavailableError('walmart', 'Walmart Connect is not configured (WALMART_APP_CLIENT_ID, WALMART_APP_CLIENT_SECRET, WALMART_REDIRECT_URI)');
      // The seller withdrew the app (or the year is over): only a new Connect consent helps.
      return deps.walmartConnect
        .refreshAccessToken(walmart.refreshToken, { sellerId: walmart.sellerId, market: walmart.market })
        .catch(refusedGrant(authorizationId, 'walmart_invalid_grant', 'Walmart refused the refresh token (the app was removed or the grant expired); the seller must connect OMS again through Walmart Connect'));
    }
    return deps.walmart.token(walmart.clientId, walmart.clientSecret);
  };
};
