import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../application/tenants.js';
import type { EventMetadata } from '../domain/ports/eventStore.js';
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
  /** Requests per minute per API key (per client address before authentication). */
  rateLimitPerMinute: number;
  /** Console sessions (src/http/session.ts): the principal behind a session cookie, when no bearer token was sent. */
  session?: (request: FastifyRequest) => Promise<Principal | null>;
}>;

/**
 * Every /v1 route needs a bearer token unless its config says `public`. Authentication runs before
 * anything else; rate limiting follows, keyed by the API key, so one tenant cannot starve another.
 */
export const registerAuth = async (app: FastifyInstance, opts: AuthOptions) => {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/') || request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    let principal = token ? await opts.authenticate(token) : null;
    // --- console session: only without a bearer token (see src/http/session.ts) ---
    if (!token && opts.session) principal = await opts.session(request);
    // --- end console session ---
    if (!principal) throw new HttpError(401, 'unauthorized', 'A valid bearer token (API key) is required');
    request.principal = principal;
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => !request.url.startsWith('/v1/'),
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
