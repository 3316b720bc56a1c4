import type { Role } from './events.js';

/** The shell hashed the password (a KDF is I/O-free but slow and random-salted: it stays outside). */
export type CreateUser = Readonly<{
  type: 'CreateUser';
  data: Readonly<{ userId: string; email: string; role: Role; tenantId: string | null; passwordHash: string; mustChange: boolean; now: string }>;
}>;
export type SetPassword = Readonly<{ type: 'SetPassword'; data: Readonly<{ passwordHash: string; mustChange: boolean; now: string }> }>;
export type ChangeRole = Readonly<{ type: 'ChangeRole'; data: Readonly<{ role: Role; tenantId: string | null; now: string }> }>;
/** Disabling a disabled user is a no-op, so a retried request is safe. */
export type DisableUser = Readonly<{ type: 'DisableUser'; data: Readonly<{ now: string }> }>;

export type UserCommand = CreateUser | SetPassword | ChangeRole | DisableUser;
