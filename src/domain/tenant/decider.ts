import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError, NotFoundError } from '../shared/errors.js';
import type { TenantCommand } from './commands.js';
import { apiKeyIssued, apiKeyRevoked, tenantCreated, type TenantEvent } from './events.js';

export type ApiKeyState = Readonly<{ keyId: string; name: string; salt: string; keyHash: string; issuedAt: string; revokedAt: string | null }>;

export type Tenant =
  | Readonly<{ status: 'absent' }>
  | Readonly<{ status: 'active'; tenantId: string; name: string; createdAt: string; keys: ReadonlyMap<string, ApiKeyState> }>;

/** Refusal codes of tenant commands (their HTTP statuses live in src/http/errorStatuses.ts). */
export const tenantErrorCodes = ['tenant_exists', 'invalid_name'] as const;
export type TenantErrorCode = (typeof tenantErrorCodes)[number];

export const initialState = (): Tenant => ({ status: 'absent' });

export const evolve = (state: Tenant, event: TenantEvent): Tenant => {
  switch (event.type) {
    case 'TenantCreated':
      return { status: 'active', tenantId: event.data.tenantId, name: event.data.name, createdAt: event.data.createdAt, keys: new Map() };
    case 'ApiKeyIssued': {
      if (state.status !== 'active') return state;
      const { keyId, name, salt, keyHash, issuedAt } = event.data;
      return { ...state, keys: new Map(state.keys).set(keyId, { keyId, name, salt, keyHash, issuedAt, revokedAt: null }) };
    }
    case 'ApiKeyRevoked': {
      const key = state.status === 'active' ? state.keys.get(event.data.keyId) : undefined;
      if (state.status !== 'active' || !key) return state;
      return { ...state, keys: new Map(state.keys).set(key.keyId, { ...key, revokedAt: event.data.revokedAt }) };
    }
    default:
      return assertNever(event, 'TenantEvent');
  }
};

export const decide = (command: TenantCommand, state: Tenant): TenantEvent[] => {
  switch (command.type) {
    case 'CreateTenant': {
      if (state.status !== 'absent') throw new DomainError('tenant_exists', 'The tenant exists already');
      const name = command.data.name.trim();
      if (name.length < 1 || name.length > 200) throw new DomainError('invalid_name', 'The name must be 1 to 200 characters');
      return [tenantCreated({ tenantId: command.data.tenantId, name, createdAt: command.data.now })];
    }
    case 'IssueApiKey': {
      if (state.status !== 'active') throw new NotFoundError('Tenant');
      const { tenantId, keyId, name, salt, keyHash, now } = command.data;
      return [apiKeyIssued({ tenantId, keyId, name: name.trim() || 'unnamed', salt, keyHash, issuedAt: now })];
    }
    case 'RevokeApiKey': {
      if (state.status !== 'active') throw new NotFoundError('Tenant');
      const key = state.keys.get(command.data.keyId);
      if (!key) throw new NotFoundError('API key');
      if (key.revokedAt) return [];
      return [apiKeyRevoked({ tenantId: command.data.tenantId, keyId: key.keyId, revokedAt: command.data.now })];
    }
    default:
      return assertNever(command, 'TenantCommand');
  }
};

export const tenantDecider: Decider<TenantCommand, TenantEvent, Tenant> = { decide, evolve, initialState };

export const tenantStreamId = (tenantId: string) => `tenant-${tenantId}`;
