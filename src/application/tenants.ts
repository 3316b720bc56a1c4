import { NotFoundError } from '../domain/shared/errors.js';
import { commandHandler, decodeWith, loadState } from '../domain/shared/commandHandler.js';
import type { EventMetadata, EventStore } from '../domain/ports/eventStore.js';
import type { Clock, IdGenerator } from '../domain/ports/ids.js';
import type { VerifiedKeys } from '../domain/ports/verifiedKeys.js';
import { tenantDecider, tenantStreamId, type Tenant } from '../domain/tenant/decider.js';
import { TenantEvent } from '../domain/tenant/events.js';

/** Who is calling: the operator's admin token, or one tenant's API key. */
export type Principal =
  | Readonly<{ kind: 'admin'; actor: 'admin' }>
  | Readonly<{ kind: 'tenant'; tenantId: string; keyId: string; actor: string }>;

export type KeyCrypto = Readonly<{
  issue: (tenantId: string) => { keyId: string; token: string; salt: string; keyHash: string };
  parse: (token: string) => { tenantId: string; keyId: string; secret: string } | null;
  matches: (salt: string, keyHash: string, secret: string) => boolean;
  adminMatches: (token: string) => boolean;
}>;

const decode = decodeWith(TenantEvent);

const view = (t: Extract<Tenant, { status: 'active' }>) => ({
  tenantId: t.tenantId,
  name: t.name,
  createdAt: t.createdAt,
  apiKeys: [...t.keys.values()].map((k) => ({ keyId: k.keyId, name: k.name, createdAt: k.issuedAt, revokedAt: k.revokedAt })),
});

/** Tenants and their API keys: commands, the tenant view, and authentication of bearer tokens. */
export const tenantService = (deps: { store: EventStore; ids: IdGenerator; clock: Clock; keys: KeyCrypto; verified?: VerifiedKeys<Principal> }) => {
  const handle = commandHandler(tenantDecider, decode, deps.store, deps.ids);
  const now = () => deps.clock.now().toISOString();
  const load = async (tenantId: string) => (await loadState(tenantDecider, decode, deps.store, tenantStreamId(tenantId))).state;

  return {
    create: async (name: string, metadata: EventMetadata) => {
      const tenantId = deps.ids.newId();
      const { state } = await handle(tenantStreamId(tenantId), { type: 'CreateTenant', data: { tenantId, name, now: now() } }, { metadata });
      return view(state as Extract<Tenant, { status: 'active' }>);
    },

    get: async (tenantId: string) => {
      const state = await load(tenantId);
      if (state.status !== 'active') throw new NotFoundError('Tenant');
      return view(state);
    },

    /** Returns the key in clear exactly once; only its salted hash is recorded. */
    issueKey: async (tenantId: string, name: string, metadata: EventMetadata) => {
      const material = deps.keys.issue(tenantId);
      const { keyId, salt, keyHash } = material;
      await handle(tenantStreamId(tenantId), { type: 'IssueApiKey', data: { tenantId, keyId, name, salt, keyHash, now: now() } }, { metadata });
      return { keyId, name: name.trim() || 'unnamed', apiKey: material.token };
    },

    revokeKey: async (tenantId: string, keyId: string, metadata: EventMetadata) => {
      try {
        await handle(tenantStreamId(tenantId), { type: 'RevokeApiKey', data: { tenantId, keyId, now: now() } }, { metadata });
      } finally {
        // Also when the append failed: it may have been recorded all the same.
        deps.verified?.forget(keyId);
      }
    },

    /**
     * Checked against the tenant's stream, or against `verified` when the key passed that check
     * less than its TTL ago: a key revoked here stops working at once, on other instances within
     * the TTL (docs/http-security.md). Only keys that verified are remembered.
     */
    authenticate: async (token: string): Promise<Principal | null> => {
      if (deps.keys.adminMatches(token)) return { kind: 'admin', actor: 'admin' };
      const parsed = deps.keys.parse(token);
      if (!parsed) return null;
      const remembered = deps.verified?.get(token);
      if (remembered) return remembered;
      const since = deps.verified?.mark() ?? 0;
      const state = await load(parsed.tenantId);
      if (state.status !== 'active') return null;
      const key = state.keys.get(parsed.keyId);
      if (!key || key.revokedAt || !deps.keys.matches(key.salt, key.keyHash, parsed.secret)) return null;
      const principal: Principal = { kind: 'tenant', tenantId: state.tenantId, keyId: key.keyId, actor: `key:${key.keyId}` };
      deps.verified?.remember(token, key.keyId, principal, since);
      return principal;
    },
  };
};

export type TenantService = ReturnType<typeof tenantService>;
