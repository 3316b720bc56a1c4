import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError, NotFoundError } from '../shared/errors.js';
import type { UserCommand } from './commands.js';
import { isSellerRole, passwordSet, roleChanged, userCreated, userDisabled, type Role, type UserEvent } from './events.js';

export type User =
  | Readonly<{ status: 'absent' }>
  | Readonly<{
      status: 'active' | 'disabled';
      userId: string;
      email: string;
      role: Role;
      tenantId: string | null;
      passwordHash: string | null;
      mustChangePassword: boolean;
      createdAt: string;
    }>;

/** Refusal codes of user commands (their HTTP statuses live in src/http/errorStatuses.ts). */
export const userErrorCodes = ['email_taken', 'invalid_email', 'role_tenant_mismatch', 'user_exists', 'user_disabled'] as const;
export type UserErrorCode = (typeof userErrorCodes)[number];

// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is not our business.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@.]+$/;

/** The form every lookup uses: trimmed and lower-cased (addresses are compared case-insensitively). */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const checkEmail = (raw: string) => {
  const email = normalizeEmail(raw);
  if (email.length > 254 || !EMAIL.test(email)) throw new DomainError('invalid_email', 'The e-mail address is not valid');
  return email;
};

/** Seller roles need their tenant; operator and auditor act across tenants and must not name one. */
const checkBinding = (role: Role, tenantId: string | null) => {
  if (isSellerRole(role) !== (tenantId !== null)) {
    throw new DomainError('role_tenant_mismatch', isSellerRole(role) ? `The role ${role} needs a tenant` : `The role ${role} is not bound to a tenant`);
  }
};

export const initialState = (): User => ({ status: 'absent' });

export const evolve = (state: User, event: UserEvent): User => {
  switch (event.type) {
    case 'UserCreated': {
      const { userId, email, role, tenantId, createdAt } = event.data;
      return { status: 'active', userId, email, role, tenantId, passwordHash: null, mustChangePassword: false, createdAt };
    }
    case 'PasswordSet':
      return state.status === 'absent' ? state : { ...state, passwordHash: event.data.passwordHash, mustChangePassword: event.data.mustChange };
    case 'RoleChanged':
      return state.status === 'absent' ? state : { ...state, role: event.data.role, tenantId: event.data.tenantId };
    case 'UserDisabled':
      return state.status === 'absent' ? state : { ...state, status: 'disabled' };
    default:
      return assertNever(event, 'UserEvent');
  }
};

export const decide = (command: UserCommand, state: User): UserEvent[] => {
  if (command.type === 'CreateUser') {
    if (state.status !== 'absent') throw new DomainError('user_exists', 'The user exists already');
    const { userId, role, tenantId, passwordHash, mustChange, now } = command.data;
    const email = checkEmail(command.data.email);
    checkBinding(role, tenantId);
    return [userCreated({ userId, email, role, tenantId, createdAt: now }), passwordSet({ userId, passwordHash, mustChange, setAt: now })];
  }
  if (state.status === 'absent') throw new NotFoundError('User');
  switch (command.type) {
    case 'SetPassword':
      if (state.status === 'disabled') throw new DomainError('user_disabled', 'The user is disabled');
      return [passwordSet({ userId: state.userId, passwordHash: command.data.passwordHash, mustChange: command.data.mustChange, setAt: command.data.now })];
    case 'ChangeRole': {
      if (state.status === 'disabled') throw new DomainError('user_disabled', 'The user is disabled');
      const { role, tenantId, now } = command.data;
      checkBinding(role, tenantId);
      if (role === state.role && tenantId === state.tenantId) return [];
      return [roleChanged({ userId: state.userId, role, tenantId, changedAt: now })];
    }
    case 'DisableUser':
      return state.status === 'disabled' ? [] : [userDisabled({ userId: state.userId, disabledAt: command.data.now })];
    default:
      return assertNever(command, 'UserCommand');
  }
};

export const userDecider: Decider<UserCommand, UserEvent, User> = { decide, evolve, initialState };

export const userStreamId = (userId: string) => `user-${userId}`;
/** One stream per normalized e-mail (encoded so any address makes a valid, unforgeable id). */
export const userEmailStreamId = (email: string) => `user_email-${encodeURIComponent(normalizeEmail(email))}`;
