import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { basicCredentials, type WalmartAuth } from './auth.js';
import { WALMART_SCOPES, type ScopeAccess, type WalmartApp, type WalmartScope } from './config.js';
import type { WalmartMarket } from './types.js';

/**
 * Walmart's OAuth 2.0 seller authorization for solution providers ("Connect"): the authorize page on
 * the login host (`/authorize?responseType=code&clientId&redirectUri&clientType&nonce&state`), which
 * sends the seller back with `code, type=auth, clientId, sellerId, state`, and the Token API's
 * `authorization_code` and `refresh_token` grants (Basic auth with the app's credentials,
 * `WM_PARTNER.ID` = the seller). Walmart does not publish the error bodies of these grants; the
 * sandbox answers the OAuth 2.0 ones (RFC 6749 §5.2: `{ error, error_description }`).
 */
export type { WalmartMarket } from './types.js';
const CLIENT_TYPES: Readonly<Record<string, WalmartMarket>> = { seller: 'us', 'seller-ca': 'ca', 'seller-mx': 'mx' };

/** What the seller signed in to the login page does: approve (with these scopes) or deny. */
export type ConsentDecision = Readonly<{
  /** The seller who logs in (default: the sandbox's main seller). */
  sellerId?: string;
  outcome?: 'approve' | 'deny';
  /** Missing scopes are granted at full_access. */
  scopes?: Partial<Record<WalmartScope, ScopeAccess>>;
}>;

type Code = { app: WalmartApp; sellerId: string; market: WalmartMarket; redirectUri: string; scopes: Record<WalmartScope, ScopeAccess>; expiresAt: number; used: boolean };
type Refresh = { app: WalmartApp; sellerId: string; market: WalmartMarket; scopes: Record<WalmartScope, ScopeAccess>; expiresAt: number; revoked: boolean; minted: string[] };

export type WalmartConnectOptions = Readonly<{
  clock: Clock;
  apps: readonly WalmartApp[];
  auth: WalmartAuth;
  defaultSellerId: string;
  /** Authorization codes are short-lived and single-use (default 10 minutes). */
  codeTtlSeconds?: number;
  /** Refresh tokens live one year (Token API description). */
  refreshTokenTtlDays?: number;
}>;

const page = (status: number, message: string): SandboxReply => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  text: `<!doctype html><html><head><title>Walmart Seller Center</title></head><body><h1>This app could not be authorized</h1><p>${message}</p></body></html>`,
});

const oauthError = (status: number, error: string, description: string): SandboxReply => ({
  status,
  headers: { 'cache-control': 'no-store' },
  json: { error, error_description: description },
});

export const createWalmartConnect = (options: WalmartConnectOptions) => {
  const { clock, auth } = options;
  const codes = new Map<string, Code>();
  const refreshTokens = new Map<string, Refresh>();
  const usedNonces = new Set<string>();
  let decision: ConsentDecision = {};

  const scopesFor = (granted: ConsentDecision['scopes']) =>
    Object.fromEntries(WALMART_SCOPES.map((s) => [s, granted?.[s] ?? 'full_access'])) as Record<WalmartScope, ScopeAccess>;

  /** GET /authorize: checks every parameter, then plays the seller logging in and answering the consent. */
  const authorizePage = (request: SandboxRequest): SandboxReply => {
    const q = request.query;
    const app = options.apps.find((a) => a.clientId === q.get('clientId'));
    if (app === undefined) return page(400, 'The clientId is not a registered app.');
    const redirectUri = q.get('redirectUri');
    // Never redirect to a URL the app did not register: an error page instead.
    if (redirectUri === null || !app.redirectUris.includes(redirectUri)) return page(400, 'The redirectUri is not registered for this app.');
    if (q.get('responseType') !== 'code') return page(400, 'responseType must be code.');
    const market = CLIENT_TYPES[q.get('clientType') ?? ''];
    if (market === undefined) return page(400, 'clientType must be seller, seller-ca or seller-mx.');
    const nonce = q.get('nonce');
    if (!nonce) return page(400, 'The nonce is missing.');
    if (usedNonces.has(nonce)) return page(400, 'This authorization request was used already (nonce replayed).');
    const state = q.get('state');
    if (!state) return page(400, 'The state is missing.');
    usedNonces.add(nonce);
    const target = new URL(redirectUri);
    if (decision.outcome === 'deny') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The seller declined to authorize the app.');
      target.searchParams.set('state', state);
      return { status: 302, headers: { location: target.toString(), 'referrer-policy': 'no-referrer' } };
    }
    const sellerId = decision.sellerId ?? options.defaultSellerId;
    const code = randomBytes(16).toString('hex').toUpperCase();
    const ttl = (options.codeTtlSeconds ?? 600) * 1000;
    codes.set(code, { app, sellerId, market, redirectUri, scopes: scopesFor(decision.scopes), expiresAt: clock.now() + ttl, used: false });
    target.searchParams.set('code', code);
    target.searchParams.set('type', 'auth');
    target.searchParams.set('clientId', app.clientId);
    target.searchParams.set('sellerId', sellerId);
    target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString(), 'referrer-policy': 'no-referrer' } };
  };

  const tokenReply = (refresh: Refresh, refreshToken: string, withRefresh: boolean): SandboxReply => {
    const grant = auth.issue({ label: 'connect', clientId: refresh.app.clientId, clientSecret: refresh.app.clientSecret, partnerId: refresh.sellerId, scopes: refresh.scopes, market: refresh.market });
    refresh.minted.push(grant.token);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      json: { access_token: grant.token, ...(withRefresh ? { refresh_token: refreshToken } : {}), token_type: 'Bearer', expires_in: auth.accessTokenTtlSeconds },
    };
  };

  /** POST /v3/token with grant_type authorization_code or refresh_token. */
  const handleToken = (request: SandboxRequest, grantType: 'authorization_code' | 'refresh_token'): SandboxReply => {
    const credentials = basicCredentials(request.header('authorization'));
    const app = options.apps.find((a) => a.clientId === credentials?.clientId);
    if (app === undefined || app.clientSecret !== credentials?.clientSecret) return oauthError(401, 'invalid_client', 'Client authentication failed.');
    const sellerId = (request.header('wm_partner.id') ?? '').trim();
    if (sellerId === '') return oauthError(400, 'invalid_request', 'The WM_PARTNER.ID header (the seller id) is required for this grant.');
    const market = (request.header('wm_market') ?? 'us').trim().toLowerCase();
    if (!['us', 'ca', 'mx'].includes(market)) return oauthError(400, 'invalid_request', 'WM_MARKET must be us, ca or mx.');
    const form = new URLSearchParams(request.body);
    if (grantType === 'authorization_code') {
      const code = form.get('code');
      const redirectUri = form.get('redirect_uri');
      if (!code) return oauthError(400, 'invalid_request', 'The code parameter is required.');
      if (!redirectUri) return oauthError(400, 'invalid_request', 'The redirect_uri parameter is required.');
      const stored = codes.get(code);
      if (stored === undefined || stored.used || stored.expiresAt <= clock.now() || stored.app !== app || stored.sellerId !== sellerId || stored.market !== market) {
        return oauthError(400, 'invalid_grant', 'The authorization code is invalid, expired, already used, or was issued to another app or seller.');
      }
      if (stored.redirectUri !== redirectUri) return oauthError(400, 'invalid_grant', 'The redirect_uri does not match the authorization request.');
      stored.used = true;
      const refreshToken = randomBytes(48).toString('base64url');
      const refresh: Refresh = {
        app, sellerId, market, scopes: stored.scopes, revoked: false, minted: [],
        expiresAt: clock.now() + (options.refreshTokenTtlDays ?? 365) * 86_400_000,
      };
      refreshTokens.set(refreshToken, refresh);
      return tokenReply(refresh, refreshToken, true);
    }
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) return oauthError(400, 'invalid_request', 'The refresh_token parameter is required.');
    const stored = refreshTokens.get(refreshToken);
    if (stored === undefined || stored.revoked || stored.expiresAt <= clock.now() || stored.app !== app || stored.sellerId !== sellerId) {
      return oauthError(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.');
    }
    return tokenReply(stored, refreshToken, false);
  };

  return {
    authorizePage,
    handleToken,
    /** Who logs in next and what they answer; stays until changed. */
    consentAs: (next: ConsentDecision) => void (decision = { ...next }),
    /** The seller withdraws the app (one refresh token, or all of a seller's): refreshing answers invalid_grant, and access tokens minted from it stop. */
    revoke: (target: Readonly<{ refreshToken?: string; sellerId?: string }>): number => {
      let n = 0;
      for (const [token, grant] of refreshTokens) {
        if (grant.revoked || (token !== target.refreshToken && (target.sellerId === undefined || grant.sellerId !== target.sellerId))) continue;
        grant.revoked = true;
        grant.minted.forEach((access) => auth.forget(access));
        n++;
      }
      return n;
    },
  };
};

export type WalmartConnect = ReturnType<typeof createWalmartConnect>;
