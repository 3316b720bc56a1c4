import { randomBytes } from 'node:crypto';
import { hashPassword, newOneTimePassword, verifyPassword } from '../../adapters/auth/passwords.js';
import { sessionStore } from '../../adapters/auth/sessionStore.js';
import { systemClock, uuidIds } from '../../adapters/system.js';
import { userService } from '../../application/users.js';
import { DomainError } from '../../domain/shared/errors.js';
import { Role } from '../../domain/user/events.js';
import type { CliContext } from '../context.js';
import { CliFailure, line, UsageError, type CliIo } from '../io.js';

export type CreateUserArgs = Readonly<{ email: string; role: Role; tenantId: string | null; json: boolean }>;

/** `--role`, `--email`, `--tenant` checked before any connection (usage errors exit 2). */
export const parseCreateUser = (values: { role?: string; email?: string; tenant?: string; json?: boolean }): CreateUserArgs => {
  const role = Role.safeParse(values.role);
  if (!role.success) throw new UsageError(`--role: one of ${Role.options.join(', ')}`, 'users');
  if (!values.email) throw new UsageError('--email is needed', 'users');
  if (values.tenant !== undefined && !/^[0-9a-f-]{36}$/.test(values.tenant)) throw new UsageError('--tenant: expected a tenant id', 'users');
  return { email: values.email, role: role.data, tenantId: values.tenant ?? null, json: values.json === true };
};

/**
 * `oms users create`: a console user with a generated one-time password, printed once (only its
 * scrypt hash is recorded); the user is asked to change it after signing in.
 */
export const createUserCommand = async (ctx: CliContext, io: CliIo, args: CreateUserArgs) => {
  const users = userService({
    store: ctx.store,
    ids: uuidIds,
    clock: systemClock,
    passwords: { hash: (p) => hashPassword(p), verify: verifyPassword, oneTime: newOneTimePassword },
    // Creating a user opens no session: the CSRF key is never used here.
    sessions: sessionStore(ctx.db, randomBytes(32)),
  });
  let created;
  try {
    created = await users.create({ email: args.email, role: args.role, tenantId: args.tenantId }, { actor: 'cli' });
  } catch (error) {
    if (error instanceof DomainError) throw new CliFailure(`${error.code}: ${error.message}`);
    throw error;
  }
  if (args.json) {
    line(io.stdout, JSON.stringify(created));
    return;
  }
  line(io.stdout, `created ${created.role} ${created.email}${created.tenantId ? ` (tenant ${created.tenantId})` : ''}, user id ${created.userId}`);
  line(io.stdout, `one-time password (shown once; change it after signing in): ${created.oneTimePassword}`);
};
