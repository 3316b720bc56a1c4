import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import type { AmazonApp } from './config.js';
import { invalidGrant, lwaError } from './errors.js';
import type { Region } from './marketplaces.js';

/** What an access token stands for: an app acting for one seller in one region (or grantless). */
export type AccessGrant = Readonly<{
  token: string;
  clientId: string;
  sellerId?: string;
  region?: Region;
  /** Set for client_credentials (grantless) tokens, which cannot read a seller's data. */
  scope?: string;
  expiresAt: number;
}>;

type AuthorizationCode = { clientId: string; sellerId: string; region: Region; redirectUri: string; expiresAt: number; used: boolean };
type RefreshGrant = { clientId: string; sellerId: string; region: Region; revoked: boolean };

export type TokenCheck =
  | Readonly<{ ok: true; grant: AccessGrant }>
  | Readonly<{ ok: false; reason: 'missing' | 'invalid' | 'expired' }>;

export type LwaOptions = Readonly<{ clock: Clock; apps: readonly AmazonApp[]; accessTokenTtlSeconds: number; authCodeTtlSeconds: number }>;

const opaque = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** Reads a token request body: form-encoded as documented, JSON tolerated as some clients send it. */
const readForm = (request: SandboxRequest): URLSearchParams => {
  if ((request.header('content-type') ?? '').includes('application/json')) {
    try {
      const parsed = JSON.parse(request.body) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(parsed).map(([k, v]): [string, string] => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(request.body);
};

/** Login with Amazon as SP-API uses it: one-time codes, refresh tokens, short-lived access tokens. */
export const createLwa = (options: LwaOptions) => {
  const { clock } = options;
  const codes = new Map<string, AuthorizationCode>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const accessTokens = new Map<string, AccessGrant>();
  /** Which refresh token minted an access token, so revoking the one ends the other. */
  const mintedFrom = new Map<string, string>();

  const issueAccessToken = (grant: Omit<AccessGrant, 'token' | 'expiresAt'>, refreshToken?: string): AccessGrant => {
    const issued = { ...grant, token: opaque('Atza|IwEB', 96), expiresAt: clock.now() + options.accessTokenTtlSeconds * 1000 };
    accessTokens.set(issued.token, issued);
    if (refreshToken !== undefined) mintedFrom.set(issued.token, refreshToken);
    return issued;
  };

  const tokenReply = (access: AccessGrant, refreshToken?: string): SandboxReply => ({
    status: 200,
    headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' },
    json: {
      access_token: access.token,
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
      token_type: 'bearer',
      expires_in: options.accessTokenTtlSeconds,
    },
  });

  const issueRefreshToken = (clientId: string, sellerId: string, region: Region): string => {
    const token = opaque('Atzr|IwEB', 96);
    refreshTokens.set(token, { clientId, sellerId, region, revoked: false });
    return token;
  };

  const handleToken = (request: SandboxRequest): SandboxReply => {
    const form = readForm(request);
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (grantType === null || clientId === null || clientSecret === null) {
      const missing = grantType === null ? 'grant_type' : clientId === null ? 'client_id' : 'client_secret';
      return lwaError(400, 'invalid_request', `The request is missing a required parameter : ${missing}`);
    }
    const app = options.apps.find((a) => a.clientId === clientId);
    if (app === undefined || app.clientSecret !== clientSecret) {
      return lwaError(401, 'invalid_client', 'Client authentication failed');
    }
    if (grantType === 'authorization_code') {
      const code = form.get('code');
      if (code === null) return lwaError(400, 'invalid_request', 'The request is missing a required parameter : code');
      const redirectUri = form.get('redirect_uri');
      if (redirectUri === null) return lwaError(400, 'invalid_request', 'The request is missing a required parameter : redirect_uri');
      const stored = codes.get(code);
      if (stored === undefined || stored.used || stored.clientId !== clientId || stored.expiresAt <= clock.now()) {
        return invalidGrant('code');
      }
      if (stored.redirectUri !== redirectUri) return invalidGrant('redirect_uri');
      stored.used = true;
      const refreshToken = issueRefreshToken(clientId, stored.sellerId, stored.region);
      return tokenReply(issueAccessToken({ clientId, sellerId: stored.sellerId, region: stored.region }, refreshToken), refreshToken);
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token');
      if (refreshToken === null) {
        return lwaError(400, 'invalid_request', 'The request is missing a required parameter : refresh_token');
      }
      const stored = refreshTokens.get(refreshToken);
      if (stored === undefined || stored.revoked || stored.clientId !== clientId) return invalidGrant('refresh_token');
      // LWA answers a refresh with the same refresh token, not a rotated one.
      return tokenReply(issueAccessToken({ clientId, sellerId: stored.sellerId, region: stored.region }, refreshToken), refreshToken);
    }
    if (grantType === 'client_credentials') {
      const scope = form.get('scope');
      if (scope === null || !scope.startsWith('sellingpartnerapi::')) {
        return lwaError(400, 'invalid_scope', 'The request has an invalid parameter : scope');
      }
      return tokenReply(issueAccessToken({ clientId, scope }));
    }
    return lwaError(400, 'unsupported_grant_type', `The authorization grant type is not supported : ${grantType}`);
  };

  return {
    handleToken,
    issueCode: (app: AmazonApp, sellerId: string, region: Region, redirectUri: string): { code: string; expiresAt: number } => {
      const code = `AN${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`;
      const expiresAt = clock.now() + options.authCodeTtlSeconds * 1000;
      codes.set(code, { clientId: app.clientId, sellerId, region, redirectUri, expiresAt, used: false });
      return { code, expiresAt };
    },
    issueRefreshToken,
    /** Revokes one refresh token, or every authorization of a seller (optionally in one region). */
    revoke: (target: Readonly<{ refreshToken?: string; sellerId?: string; region?: Region }>): number => {
      const hits = new Set<string>();
      for (const [token, grant] of refreshTokens) {
        const hit =
          token === target.refreshToken ||
          (target.sellerId !== undefined && grant.sellerId === target.sellerId && (target.region === undefined || grant.region === target.region));
        if (hit && !grant.revoked) {
          grant.revoked = true;
          hits.add(token);
        }
      }
      // Access tokens minted from a revoked grant die at once (Amazon may honour them until expiry), so
      // tests reach the client's 403 path without waiting an hour.
      for (const [access, source] of mintedFrom) {
        if (hits.has(source)) {
          accessTokens.delete(access);
          mintedFrom.delete(access);
        }
      }
      return hits.size;
    },
    checkAccessToken: (token: string | undefined): TokenCheck => {
      if (token === undefined || token === '') return { ok: false, reason: 'missing' };
      const grant = accessTokens.get(token);
      if (grant === undefined) return { ok: false, reason: 'invalid' };
      if (grant.expiresAt <= clock.now()) return { ok: false, reason: 'expired' };
      return { ok: true, grant };
    },
  };
};

export type Lwa = ReturnType<typeof createLwa>;
