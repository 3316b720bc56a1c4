import { DomainError, NotFoundError } from '../shared/errors.js';
import { isSellerRole, type Role } from './events.js';

/**
 * Who may change whose role or disable whom (docs/order-actions.md, "Role management"). Pure:
 * the shell passes the acting principal and the target's current binding.
 * - the admin token and operators: anyone but themselves, to any role the decider accepts;
 * - a seller admin: users of its own tenant (others do not exist for it: 404), only to seller
 *   roles of that tenant — never to operator or auditor, never into another tenant;
 * - everyone else: nobody.
 * Nobody changes or disables their own account here, so the last operator cannot lock everyone out by mistake.
 */
export type Administrator = Readonly<{ kind: 'admin' }> | Readonly<{ kind: 'user'; userId: string; role: Role; tenantId: string | null }>;
export type Binding = Readonly<{ userId: string; role: Role; tenantId: string | null }>;

/** Refusal codes of user administration (their HTTP statuses live in src/http/errorStatuses.ts). */
export const userAdminErrorCodes = ['user_admin_required', 'own_account'] as const;
export type UserAdminErrorCode = (typeof userAdminErrorCodes)[number];

const forbidden = (message: string) => new DomainError('user_admin_required', message);

export const checkAdministration = (who: Administrator, target: Binding, next: Readonly<{ role: Role; tenantId: string | null }> | null): void => {
  if (who.kind === 'user' && who.userId === target.userId) throw new DomainError('own_account', 'Your own role and account are changed by another administrator');
  if (who.kind === 'admin' || who.role === 'operator') return;
  if (who.role !== 'seller_admin') throw forbidden(`The role ${who.role} cannot administer users`);
  // Another tenant's users, and operators or auditors, are not a seller admin's to see.
  if (target.tenantId === null || target.tenantId !== who.tenantId) throw new NotFoundError('User');
  if (next && (!isSellerRole(next.role) || next.tenantId !== who.tenantId)) {
    throw forbidden('A seller admin gives only seller roles of its own tenant');
  }
};
