import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../application/tenants.js';
import type { EventMetadata } from '../domain/ports/eventStore.js';
import { failureLimiter } from './failureLimiter.js';
import { HttpError } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a bearer token (the Amazon consent callback, protected by its state). */
    public?: boolean;
  }
}

export type AuthOptions = Readonly<{
  authenticate: (token: string) => Promise<Principal | null>;
  /** Requests per minute per API key (per client address on public routes). */
  rateLimitPerMinute: number;
  /** Missing or failed authentications per minute per client address before 429 (default 60). */
  failedAuthPerMinute?: number;
  /** Console sessions (src/http/session.ts): the principal behind a session cookie, when no bearer token was sent. */
  session?: (request: FastifyRequest) => Promise<Principal | null>;
}>;

/** Longer than any key or admin token OMS accepts: not worth looking up. */
const MAX_TOKEN_LENGTH = 512;

/** The token of an `Authorization: Bearer …` header; the scheme name is case-insensitive (RFC 7235). */
export const bearerToken = (header: string | undefined): string | null => {
  const m = header === undefined ? null : /^bearer[ \t]+(.*)$/is.exec(header);
  const token = m?.[1]!.trim() ?? '';
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
};

/**
 * Whether a matched route needs a bearer token: every route registered under /v1 unless its config
 * says `public`. Decided on the route the router matched (its pattern), never on the request's URL
 * text, which can spell the same route differently (`/%761/…` is routed to `/v1/…`).
 */
export const isAuthenticatedRoute = (route: { url?: string | undefined; config?: { public?: boolean } | undefined }): boolean =>
  isV1Route(route.url) && !route.config?.public;

const isV1Route = (url: string | undefined) => url !== undefined && (url === '/v1' || url.startsWith('/v1/'));

/**
 * Authentication runs first (after the app's 404 for unmatched URLs), on the matched route: a client address with too many failed attempts is refused before its token is looked at;
 * then the token is checked. Rate limiting follows (still before the body is read), keyed by the API
 * key, so one tenant cannot starve another.
 */
export const registerAuth = async (app: FastifyInstance, opts: AuthOptions) => {
  app.decorateRequest('principal', null);
  const failures = failureLimiter({ maxPerWindow: opts.failedAuthPerMinute ?? 60 });
  app.addHook('onRequest', async (request) => {
    if (!isAuthenticatedRoute(request.routeOptions)) return;
    const retryAfter = failures.retryAfterSeconds(request.ip);
    if (retryAfter > 0) {
      throw new HttpError(429, 'rate_limited', `Too many failed authentications from this address; retry after ${retryAfter} s`, {
        'retry-after': String(retryAfter),
      });
    }
    const token = bearerToken(request.headers.authorization);
    let principal = token ? await opts.authenticate(token) : null;
    // A console session counts only when no bearer token was sent (see src/http/session.ts).
    if (!token && opts.session) principal = await opts.session(request);
    if (!principal) {
      failures.record(request.ip);
      throw new HttpError(401, 'unauthorized', 'A valid bearer token (API key) is required');
    }
    request.principal = principal;
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: opts.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => !isV1Route(request.routeOptions.url),
    keyGenerator: (request) => {
      const p = request.principal;
      return p ? (p.kind === 'tenant' ? `key:${p.keyId}` : 'admin') : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `Too many requests: at most ${context.max} per minute; retry after ${context.after}`),
  });
};

export const requireTenant = (request: FastifyRequest): Extract<Principal, { kind: 'tenant' }> => {
  const p = request.principal;
  if (p?.kind !== 'tenant') throw new HttpError(403, 'tenant_key_required', 'This route needs a tenant API key');
  return p;
};

export const requireAdmin = (request: FastifyRequest): void => {
  if (request.principal?.kind !== 'admin') throw new HttpError(403, 'admin_token_required', 'This route needs the admin token');
};

/** Event metadata for a command from this request: who, which request, and a fresh command id. */
export const commandMetadata = (request: FastifyRequest): EventMetadata => ({
  actor: request.principal?.actor ?? 'anonymous',
  correlationId: request.id,
  causationId: randomUUID(),
});
