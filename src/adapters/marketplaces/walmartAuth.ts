import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MarketplaceError, type WalmartAuthApi, type WalmartConnectApi, type WalmartMarket } from '../../domain/ports/marketplaces.js';
import { genericFailure, httpCall, type HttpResult } from './http.js';

export const WALMART_SERVICE_NAME = 'Walmart Marketplace';

const TokenResponse = z.object({ access_token: z.string(), expires_in: z.number() });
const TokenDetail = z.object({ scopes: z.record(z.string(), z.string()) });

const basicOf = (clientId: string, clientSecret: string) => Buffer.from(`${clientId}:${clientSecret}`).toString('base64');

/** POST /v3/token with Basic auth and Walmart's required headers; `extra` adds WM_PARTNER.ID / WM_MARKET for Connect grants. */
const tokenCall = (apiUrl: string, clientId: string, clientSecret: string, form: Record<string, string>, extra: Record<string, string> = {}) =>
  httpCall(new URL('/v3/token', apiUrl).toString(), {
    method: 'POST',
    headers: {
      authorization: `Basic ${basicOf(clientId, clientSecret)}`,
      'wm_svc.name': WALMART_SERVICE_NAME,
      'wm_qos.correlation_id': randomUUID(),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...extra,
    },
    body: new URLSearchParams(form).toString(),
  });

export const walmartAuthApi = (config: { apiUrl: string }): WalmartAuthApi => ({
  token: async (clientId, clientSecret) => {
    const r = await tokenCall(config.apiUrl, clientId, clientSecret, { grant_type: 'client_credentials' });
    if (r.status === 401 || r.status === 400) throw new MarketplaceError('invalid_client', r.status, 'Walmart refused the Client ID / Client Secret');
    if (r.status !== 200) throw genericFailure('Walmart token API', r);
    const t = TokenResponse.safeParse(r.body);
    if (!t.success) throw new MarketplaceError('malformed_response', 200, 'Walmart token API: unexpected response');
    return { accessToken: t.data.access_token, expiresInSeconds: t.data.expires_in, clientBasic: basicOf(clientId, clientSecret) };
  },

  scopes: async (accessToken) => {
    const r = await httpCall(new URL('/v3/token/detail', config.apiUrl).toString(), {
      headers: {
        'wm_sec.access_token': accessToken,
        'wm_svc.name': WALMART_SERVICE_NAME,
        'wm_qos.correlation_id': randomUUID(),
        accept: 'application/json',
      },
    });
    if (r.status !== 200) throw genericFailure('Walmart token detail', r);
    const d = TokenDetail.safeParse(r.body);
    if (!d.success) throw new MarketplaceError('malformed_response', 200, 'Walmart token detail: unexpected response');
    return d.data.scopes;
  },
});

export type WalmartConnectConfig = Readonly<{ apiUrl: string; loginUrl: string; clientId: string; clientSecret: string; redirectUri: string }>;

const ConnectTokenResponse = TokenResponse.extend({ refresh_token: z.string().min(1) });
const OAuthError = z.object({ error: z.string(), error_description: z.string().optional() });
const CLIENT_TYPE: Readonly<Record<WalmartMarket, string>> = { us: 'seller', ca: 'seller-ca', mx: 'seller-mx' };

/**
 * The Token API's refusals of a Connect grant. Walmart does not publish their bodies: OAuth 2.0's
 * `{error}` and Walmart's gateway `{errors:…code}` are both read; a grant refused (bad, used or
 * expired code; revoked or expired refresh token) is `invalid_grant`, the app's credentials `invalid_client`.
 */
const connectFailure = (what: string, r: HttpResult): MarketplaceError => {
  const oauth = OAuthError.safeParse(r.body);
  const text = oauth.success ? oauth.data.error : r.text;
  if (r.status < 500 && /invalid_grant/i.test(text)) return new MarketplaceError('invalid_grant', r.status, `${what}: the grant was refused`);
  if (r.status === 401 || /invalid_client/i.test(text)) return new MarketplaceError('invalid_client', r.status, `${what}: the app's credentials were refused`);
  if (r.status === 400) return new MarketplaceError('bad_request', 400, `${what}: ${oauth.success ? oauth.data.error : 'invalid request'}`);
  return genericFailure(what, r);
};

/** Walmart Connect with OMS's app credentials: authorize page URL, code exchange, access-token refresh. */
export const walmartConnectApi = (config: WalmartConnectConfig): WalmartConnectApi => {
  const grant = async (form: Record<string, string>, seller: { sellerId: string; market: WalmartMarket }, what: string) => {
    const r = await tokenCall(config.apiUrl, config.clientId, config.clientSecret, form, { 'wm_partner.id': seller.sellerId, wm_market: seller.market });
    if (r.status !== 200) throw connectFailure(what, r);
    return r;
  };
  return {
    consentUrl: (market, state, nonce) => {
      const url = new URL('/authorize', config.loginUrl);
      url.searchParams.set('responseType', 'code');
      url.searchParams.set('clientId', config.clientId);
      url.searchParams.set('redirectUri', config.redirectUri);
      url.searchParams.set('clientType', CLIENT_TYPE[market]);
      url.searchParams.set('nonce', nonce);
      url.searchParams.set('state', state);
      return url.toString();
    },
    exchangeCode: async (code, seller) => {
      const r = await grant({ grant_type: 'authorization_code', code, redirect_uri: config.redirectUri }, seller, 'Walmart token API (authorization_code)');
      const t = ConnectTokenResponse.safeParse(r.body);
      if (!t.success) throw new MarketplaceError('malformed_response', 200, 'Walmart token API: no refresh token in the answer');
      return { accessToken: t.data.access_token, expiresInSeconds: t.data.expires_in, clientBasic: basicOf(config.clientId, config.clientSecret), refreshToken: t.data.refresh_token };
    },
    refreshAccessToken: async (refreshToken, seller) => {
      const r = await grant({ grant_type: 'refresh_token', refresh_token: refreshToken }, seller, 'Walmart token API (refresh_token)');
      const t = TokenResponse.safeParse(r.body);
      if (!t.success) throw new MarketplaceError('malformed_response', 200, 'Walmart token API: unexpected response');
      // The app's credentials minted it: Mexico's calls name them again (walmartHeaders).
      return { accessToken: t.data.access_token, expiresInSeconds: t.data.expires_in, clientBasic: basicOf(config.clientId, config.clientSecret) };
    },
  };
};
