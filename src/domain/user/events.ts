import { z } from 'zod';

/** What a user may do. Seller roles are bound to one tenant; operator and auditor see every tenant. */
export const ROLES = ['operator', 'seller_admin', 'seller_viewer', 'auditor'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Roles that may only read: the session layer refuses their state-changing requests. */
export const READ_ONLY_ROLES: ReadonlySet<Role> = new Set(['seller_viewer', 'auditor']);
export const isSellerRole = (role: Role) => role === 'seller_admin' || role === 'seller_viewer';

/** A person got an account. The e-mail is normalized (trimmed, lower case) and unique across OMS. */
export const UserCreated = z.object({
  type: z.literal('UserCreated'),
  schemaVersion: z.literal(1),
  data: z.object({
    userId: z.string(),
    email: z.string(),
    role: Role,
    tenantId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  }),
});

/**
 * The password was set or changed. Only the memory-hard hash is recorded (its format names the KDF
 * and its parameters); `mustChange` marks a generated one-time password.
 */
export const PasswordSet = z.object({
  type: z.literal('PasswordSet'),
  schemaVersion: z.literal(1),
  data: z.object({ userId: z.string(), passwordHash: z.string(), mustChange: z.boolean(), setAt: z.iso.datetime() }),
});

export const RoleChanged = z.object({
  type: z.literal('RoleChanged'),
  schemaVersion: z.literal(1),
  data: z.object({ userId: z.string(), role: Role, tenantId: z.string().nullable(), changedAt: z.iso.datetime() }),
});

/** The user can no longer sign in; their sessions stop working. */
export const UserDisabled = z.object({
  type: z.literal('UserDisabled'),
  schemaVersion: z.literal(1),
  data: z.object({ userId: z.string(), disabledAt: z.iso.datetime() }),
});

export const UserEvent = z.discriminatedUnion('type', [UserCreated, PasswordSet, RoleChanged, UserDisabled]);
export type UserEvent = z.infer<typeof UserEvent>;
type Data<T extends UserEvent['type']> = Extract<UserEvent, { type: T }>['data'];

export const userCreated = (data: Data<'UserCreated'>): UserEvent => ({ type: 'UserCreated', schemaVersion: 1, data });
export const passwordSet = (data: Data<'PasswordSet'>): UserEvent => ({ type: 'PasswordSet', schemaVersion: 1, data });
export const roleChanged = (data: Data<'RoleChanged'>): UserEvent => ({ type: 'RoleChanged', schemaVersion: 1, data });
export const userDisabled = (data: Data<'UserDisabled'>): UserEvent => ({ type: 'UserDisabled', schemaVersion: 1, data });

/**
 * The e-mail's claim: one stream per normalized address, created in the same atomic append as the
 * user's first event with `no_stream`, so two concurrent sign-ups with one address cannot both win.
 */
export const UserEmailClaimed = z.object({
  type: z.literal('UserEmailClaimed'),
  schemaVersion: z.literal(1),
  data: z.object({ email: z.string(), userId: z.string() }),
});
export type UserEmailClaimed = z.infer<typeof UserEmailClaimed>;
export const userEmailClaimed = (data: UserEmailClaimed['data']): UserEmailClaimed => ({ type: 'UserEmailClaimed', schemaVersion: 1, data });
