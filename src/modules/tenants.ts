import { issueKeyMaterial, parseApiKey, safeEqual, secretMatches } from '../adapters/auth/apiKeys.js';
import { verifiedKeyCache } from '../adapters/auth/verifiedKeyCache.js';
import { tenantService, type Principal } from '../application/tenants.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { routeGroup } from '../http/app.js';
import { tenantRoutes } from '../http/tenants.routes.js';
import type { Module, Platform } from './module.js';

/** Tenants (sellers) and their API keys; administration with the admin token. */
export const tenantsModule = (p: Platform, adminToken: string | null) => {
  const tenants = tenantService({
    store: p.store,
    ids: p.appDeps.ids,
    clock: p.clock,
    keys: {
      issue: issueKeyMaterial,
      parse: parseApiKey,
      matches: secretMatches,
      adminMatches: (token) => adminToken !== null && safeEqual(token, adminToken),
    },
    // 2 s: a revoked key works at most that much longer on other instances (docs/http-security.md).
    verified: verifiedKeyCache<Principal>({ ttlMs: 2_000, maxEntries: 10_000 }),
  });
  const tenantExists = (id: string) =>
    tenants.get(id).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFoundError) return false;
        throw error;
      },
    );
  const module: Module = { routes: [routeGroup(tenantRoutes, { tenants }, '/v1')] };
  return { tenants, tenantExists, module };
};
