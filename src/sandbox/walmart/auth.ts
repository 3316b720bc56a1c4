import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { scopesOf, type WalmartClient } from './config.js';
import { badRequest, UNAUTHORIZED_INFO, unauthorized } from './errors.js';

export type WalmartAccessGrant = Readonly<{ token: string; client: WalmartClient; issuedAt: number; expiresAt: number }>;

export type WalmartTokenCheck =
  | Readonly<{ ok: true; grant: WalmartAccessGrant }>
  | Readonly<{ ok: false; reply: SandboxReply }>;

/** Walmart tokens look like JWE compact serializations ("eyJraWQiOi…"); the sandbox's are opaque all the same. */
const mintToken = () => {
  const header = Buffer.from(JSON.stringify({ kid: randomUUID(), enc: 'A256GCM', alg: 'dir' })).toString('base64url');
  return `${header}..${randomBytes(12).toString('base64url')}.${randomBytes(96).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
};

/** Decodes `Authorization: Basic base64(clientId:clientSecret)`; undefined when absent or malformed. */
export const basicCredentials = (header: string | undefined): { clientId: string; clientSecret: string } | undefined => {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon <= 0 ? undefined : { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
};

export const createWalmartAuth = (options: Readonly<{ clock: Clock; clients: readonly WalmartClient[]; accessTokenTtlSeconds: number }>) => {
  const { clock } = options;
  const tokens = new Map<string, WalmartAccessGrant>();

  /** An access token for a key, or for an app acting for a seller (Connect: the seller's partner id and granted scopes). */
  const issue = (client: WalmartClient): WalmartAccessGrant => {
    const issuedAt = clock.now();
    const grant = { token: mintToken(), client, issuedAt, expiresAt: issuedAt + options.accessTokenTtlSeconds * 1000 };
    tokens.set(grant.token, grant);
    return grant;
  };

  /** POST /v3/token with the client_credentials grant (a seller's own production keys). */
  const handleToken = (request: SandboxRequest): SandboxReply => {
    const credentials = basicCredentials(request.header('authorization'));
    if (credentials === undefined) return unauthorized(UNAUTHORIZED_INFO.header);
    const client = options.clients.find((c) => c.clientId === credentials.clientId);
    // Unknown id, wrong secret and a sandbox key all look the same from production: an unknown client.
    if (client === undefined || client.clientSecret !== credentials.clientSecret || client.environment === 'sandbox') {
      return unauthorized(UNAUTHORIZED_INFO.client);
    }
    const grantType = new URLSearchParams(request.body).get('grant_type');
    if (grantType === null) return badRequest('MISSING_REQUEST_PARAM', 'grant_type', 'grant_type is required.');
    if (grantType !== 'client_credentials') {
      return badRequest('INVALID_REQUEST_PARAM', 'grant_type', `grant_type ${grantType} is not supported by this sandbox; use client_credentials.`);
    }
    const grant = issue(client);
    return { status: 200, json: { access_token: grant.token, token_type: 'Bearer', expires_in: options.accessTokenTtlSeconds } };
  };

  /** Every API call carries WM_SEC.ACCESS_TOKEN (not Authorization: Bearer). */
  const checkToken = (request: SandboxRequest): WalmartTokenCheck => {
    const token = request.header('wm_sec.access_token');
    const grant = token === undefined ? undefined : tokens.get(token);
    if (grant === undefined || grant.expiresAt <= clock.now()) return { ok: false, reply: unauthorized(UNAUTHORIZED_INFO.token) };
    return { ok: true, grant };
  };

  /** GET /v3/token/detail: what the token may do, for checking order access before enabling a store. */
  const tokenDetail = (grant: WalmartAccessGrant): SandboxReply => ({
    status: 200,
    json: {
      expire_at: String(grant.expiresAt),
      issued_at: String(grant.issuedAt),
      is_valid: true,
      is_channel_match: grant.client.channelMatch ?? true,
      scopes: scopesOf(grant.client),
    },
  });

  return {
    handleToken,
    checkToken,
    tokenDetail,
    issue,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    /** Ends access tokens at once (a revoked Connect grant), so tests reach the 401 path without waiting 15 minutes. */
    forget: (token: string) => void tokens.delete(token),
  };
};

export type WalmartAuth = ReturnType<typeof createWalmartAuth>;
