import type { FastifyRequest } from 'fastify';
import type { Principal } from '../application/tenants.js';
import type { UserService, UserView } from '../application/users.js';
import { READ_ONLY_ROLES, type Role } from '../domain/user/events.js';
import { HttpError } from './problem.js';

/**
 * Console sessions on the /v1 API. The browser sends the httpOnly session cookie; requests that
 * change state must also send the session's CSRF token in `x-csrf-token` (synchronizer token:
 * HMAC of the session id, handed to the page by /v1/session — a cross-site form or fetch can
 * neither read it nor set the header without a CORS preflight, which OMS never grants). SameSite=Strict
 * is the second layer.
 */
export const SESSION_COOKIE = 'oms_session';
export const CSRF_HEADER = 'x-csrf-token';
/** Operators and auditors act on one tenant at a time: the console names it in this header. */
export const TENANT_HEADER = 'x-oms-tenant';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TENANT_ID = /^[0-9a-f-]{36}$/;

/** A principal that is a console user: the usual shape plus who and in which role. */
export type UserPrincipal = Principal & Readonly<{ userId: string; role: Role }>;

export const userOf = (request: FastifyRequest): UserPrincipal | null => {
  const p = request.principal as Partial<UserPrincipal> | null;
  return p && typeof p.userId === 'string' ? (p as UserPrincipal) : null;
};

export const readCookie = (header: string | undefined, name: string): string | null => {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || null;
  }
  return null;
};

export const sessionIdOf = (request: FastifyRequest) => {
  const id = readCookie(request.headers.cookie, SESSION_COOKIE);
  return id && /^[\w-]{43}$/.test(id) ? id : null;
};

export const sessionCookie = (request: FastifyRequest, sessionId: string, maxAgeSeconds: number) =>
  [`${SESSION_COOKIE}=${sessionId}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(request.protocol === 'https' ? ['Secure'] : [])].join('; ');

/** Refuses a state-changing request that lacks the session's CSRF token. */
export const requireCsrf = (users: UserService, request: FastifyRequest, sessionId: string) => {
  if (SAFE_METHODS.has(request.method)) return;
  const token = request.headers[CSRF_HEADER];
  if (typeof token !== 'string' || !users.csrfMatches(sessionId, token)) {
    throw new HttpError(403, 'csrf_token_invalid', `State-changing requests of the console need the session's ${CSRF_HEADER} header`);
  }
};

/** The principal a user acts as: seller roles in their tenant; operators/auditors in the tenant they picked, else as administrators. */
export const principalOf = (user: UserView, pickedTenant: string | null): UserPrincipal => {
  const base = { userId: user.userId, role: user.role, actor: `user:${user.userId}`, keyId: `user:${user.userId}` };
  const tenantId = user.tenantId ?? pickedTenant;
  // Principal types the admin's actor as the literal 'admin'; a user records `user:<id>` instead
  // (commandMetadata copies the actor into the events), so the cast widens only that field.
  return tenantId ? { kind: 'tenant', tenantId, ...base } : { ...base, kind: 'admin', actor: base.actor as 'admin' };
};

/**
 * For the auth hook: the principal behind the session cookie, or null without a live session.
 * Checks CSRF for state-changing requests, and refuses them for read-only roles (403 `read_only_role`).
 */
export const sessionAuthenticator =
  (users: UserService, tenantExists: (tenantId: string) => Promise<boolean>) =>
  async (request: FastifyRequest): Promise<Principal | null> => {
    const sessionId = sessionIdOf(request);
    if (!sessionId) return null;
    const session = await users.session(sessionId);
    if (!session) return null;
    requireCsrf(users, request, sessionId);
    if (!SAFE_METHODS.has(request.method) && READ_ONLY_ROLES.has(session.user.role)) {
      throw new HttpError(403, 'read_only_role', `The role ${session.user.role} can only read`);
    }
    const picked = request.headers[TENANT_HEADER];
    if (picked !== undefined && (typeof picked !== 'string' || !TENANT_ID.test(picked))) {
      throw new HttpError(400, 'invalid_tenant_header', `${TENANT_HEADER} must be a tenant id`);
    }
    // Only operators and auditors pick; a picked tenant must exist (nothing is written for a phantom one).
    const pickedTenant = session.user.tenantId === null && picked !== undefined ? picked : null;
    if (pickedTenant && !(await tenantExists(pickedTenant))) throw new HttpError(400, 'unknown_tenant', `${TENANT_HEADER} names no tenant`);
    return principalOf(session.user, pickedTenant);
  };
