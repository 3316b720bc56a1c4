import { hashPassword, newOneTimePassword, verifyPassword } from '../adapters/auth/passwords.js';
import { sessionStore } from '../adapters/auth/sessionStore.js';
import { userErrorStatusesExtra, userService } from '../application/users.js';
import { routeGroup } from '../http/app.js';
import { registerErrorStatuses } from '../http/problem.js';
import { sessionAuthenticator } from '../http/session.js';
import { userListRoutes, userRoutes } from '../http/users.routes.js';
import type { Module, Platform } from './module.js';

/** The console's first operator in embedded mode (and the demo). */
export const FIRST_OPERATOR_EMAIL = 'operator@oms.local';

/** Console users and their sessions (the CSRF key is derived from the master key, like the content hashes). */
export const usersModule = (p: Platform, tenantExists: (tenantId: string) => Promise<boolean>) => {
  registerErrorStatuses(userErrorStatusesExtra);
  const users = userService({
    ...p.appDeps,
    passwords: { hash: (password) => hashPassword(password), verify: verifyPassword, oneTime: newOneTimePassword },
    sessions: sessionStore(p.db, p.derivedKey('oms/console-csrf')),
  });
  /**
   * Embedded mode: a first operator, so a newcomer can sign in (main.ts and the demo print it; called
   * after listening, so the KDF does not delay start-up). Null with a PostgreSQL server (`oms users create`).
   */
  const firstOperator = async () => (p.config.database.kind === 'pglite' ? users.ensureFirstOperator(FIRST_OPERATOR_EMAIL, { actor: 'system' }) : null);
  const module: Module = { routes: [routeGroup(userRoutes, { users }, '/v1'), routeGroup(userListRoutes, { users }, '/v1')] };
  return { users, firstOperator, session: sessionAuthenticator(users, tenantExists), module };
};
