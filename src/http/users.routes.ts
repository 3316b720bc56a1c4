import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_TTL_MS, type UserService, type UserView } from '../application/users.js';
import { isSellerRole, Role } from '../domain/user/events.js';
import { commandMetadata } from './auth.js';
import { HttpError } from './problem.js';
import { requireCsrf, SESSION_COOKIE, sessionCookie, sessionIdOf, userOf } from './session.js';
import type { Administrator } from '../domain/user/administration.js';

export type UserRoutesDeps = Readonly<{ users: UserService }>;

const UserView = z.object({ userId: z.string(), email: z.string(), role: Role, tenantId: z.string().nullable(), mustChangePassword: z.boolean() });
const SessionView = z.object({
  user: UserView,
  csrfToken: z.string(),
  /** For operators and auditors: the tenants they may pick. Seller roles see only their own. */
  tenants: z.array(z.object({ tenantId: z.string(), name: z.string() })),
});
const Credentials = z.strictObject({ email: z.string().max(320), password: z.string().max(1024) });

const sessionView = async (users: UserService, user: UserView, csrfToken: string) => ({
  user,
  csrfToken,
  tenants: user.tenantId ? (await users.listTenants()).filter((t) => t.tenantId === user.tenantId) : await users.listTenants(),
});

/**
 * Console sign-in and the session (`/v1/session`, reachable without a bearer token: they read the
 * session cookie themselves), and user administration (`/v1/users`, behind the usual auth).
 */
export const userRoutes: FastifyPluginAsyncZod<UserRoutesDeps> = async (app, { users }) => {
  const liveSession = async (request: FastifyRequest) => {
    const sessionId = sessionIdOf(request);
    const session = sessionId ? await users.session(sessionId) : null;
    if (!sessionId || !session) throw new HttpError(401, 'not_signed_in', 'Sign in first');
    requireCsrf(users, request, sessionId);
    return { sessionId, ...session };
  };

  app.post(
    '/session',
    {
      config: { public: true },
      schema: { tags: ['console'], security: [], summary: 'Sign in with e-mail and password (sets the session cookie)', body: Credentials, response: { 200: SessionView } },
    },
    async (request, reply) => {
      const result = await users.signIn(request.body.email, request.body.password, request.ip);
      if (!result.ok && result.reason === 'throttled') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        throw new HttpError(429, 'sign_in_throttled', `Too many failed sign-ins; retry after ${result.retryAfterSeconds} seconds`);
      }
      if (!result.ok) throw new HttpError(401, 'sign_in_failed', 'The e-mail or the password is not correct');
      reply.header('set-cookie', sessionCookie(request, result.sessionId, Math.floor(SESSION_TTL_MS / 1000)));
      return sessionView(users, result.user, result.csrfToken);
    },
  );

  app.get(
    '/session',
    { config: { public: true }, schema: { tags: ['console'], security: [], summary: 'The signed-in user, the CSRF token and the tenants to pick', response: { 200: SessionView } } },
    async (request) => {
      const { user, csrfToken } = await liveSession(request);
      return sessionView(users, user, csrfToken);
    },
  );

  app.delete('/session', { config: { public: true }, schema: { tags: ['console'], security: [], summary: 'Sign out' } }, async (request, reply) => {
    const { sessionId } = await liveSession(request);
    await users.signOut(sessionId);
    return reply.code(204).header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).send();
  });

  app.post(
    '/session/password',
    {
      config: { public: true },
      schema: {
        tags: ['console'],
        security: [],
        summary: 'Change the password (signs out every other session)',
        body: z.strictObject({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }),
      },
    },
    async (request, reply) => {
      const { sessionId, user } = await liveSession(request);
      await users.changePassword(sessionId, user.userId, request.body.currentPassword, request.body.newPassword, {
        actor: `user:${user.userId}`,
        correlationId: request.id,
        causationId: crypto.randomUUID(),
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['console'],
        summary: 'Create a console user; without a password a one-time password is returned once',
        body: z.strictObject({ email: z.string().max(320), role: Role, tenantId: z.uuid().nullable().default(null), password: z.string().max(1024).optional() }),
        response: {
          201: z.object({ userId: z.string(), email: z.string(), role: Role, tenantId: z.string().nullable(), oneTimePassword: z.string().nullable() }),
        },
      },
    },
    async (request, reply) => {
      // The admin token and operators create anyone; a seller admin creates seller users of their tenant.
      const p = request.principal;
      const user = userOf(request);
      const { email, role, tenantId, password } = request.body;
      const mayCreate =
        (p?.kind === 'admin' && !user) ||
        user?.role === 'operator' ||
        (user?.role === 'seller_admin' && p?.kind === 'tenant' && isSellerRole(role) && tenantId === p.tenantId);
      if (!mayCreate) throw new HttpError(403, 'user_admin_required', 'Creating this user needs an operator (or a seller admin of that tenant, for seller roles)');
      const created = await users.create({ email, role, tenantId, ...(password !== undefined ? { password } : {}) }, commandMetadata(request));
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  /** The acting administrator: the admin token, or a console user (API keys administer no users). */
  const administratorOf = (request: FastifyRequest): Administrator => {
    const user = userOf(request);
    if (user) return { kind: 'user', userId: user.userId, role: user.role, tenantId: user.role === 'operator' || user.role === 'auditor' ? null : (request.principal as { tenantId?: string }).tenantId ?? null };
    if (request.principal?.kind === 'admin') return { kind: 'admin' };
    throw new HttpError(403, 'user_admin_required', 'Users are administered by operators, seller admins (their tenant) and the admin token');
  };
  const UserParams = z.strictObject({ userId: z.uuid() });

  app.put(
    '/users/:userId/role',
    {
      schema: {
        tags: ['console'],
        summary: "Change a user's role (and tenant binding); recorded as RoleChanged with the actor",
        params: UserParams,
        body: z.strictObject({ role: Role, tenantId: z.uuid().nullable().default(null) }),
        response: { 200: UserView },
      },
    },
    async (request) => users.changeRole(administratorOf(request), request.params.userId, request.body, commandMetadata(request)),
  );

  app.post(
    '/users/:userId/disable',
    {
      schema: {
        tags: ['console'],
        summary: 'Disable a user: they cannot sign in, and every session of theirs ends at once; recorded as UserDisabled with the actor',
        params: UserParams,
      },
    },
    async (request, reply) => {
      await users.disable(administratorOf(request), request.params.userId, commandMetadata(request));
      return reply.code(204).send();
    },
  );
};

/**
 * `GET /v1/users`: the console's users list. A tenant principal (a seller role, an operator or
 * auditor with a picked tenant, a tenant's API key) sees its tenant's users only; the
 * administrator (admin token, operator/auditor without a picked tenant) sees everyone or one tenant.
 */
export const userListRoutes: FastifyPluginAsyncZod<UserRoutesDeps> = async (app, { users }) => {
  app.get(
    '/users',
    {
      schema: {
        tags: ['console'],
        summary: 'List console users (of the caller’s tenant; the administrator: every user or one tenant’s)',
        querystring: z.strictObject({ tenantId: z.uuid().optional() }),
        response: { 200: z.object({ items: z.array(UserView.extend({ status: z.enum(['active', 'disabled']) })) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      if (p?.kind === 'tenant') {
        if (request.query.tenantId !== undefined && request.query.tenantId !== p.tenantId) throw new HttpError(403, 'user_admin_required', 'Listing another tenant’s users needs an operator');
        return { items: await users.list(p.tenantId) };
      }
      if (p?.kind !== 'admin') throw new HttpError(403, 'user_admin_required', 'Listing users needs an operator or a user of the tenant');
      return { items: await users.list(request.query.tenantId ?? null) };
    },
  );
};
