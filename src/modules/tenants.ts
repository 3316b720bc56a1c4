import { issueKeyMaterial, parseApiKey, safeEqual, secretMatches } from '../adapters/auth/apiKeys.js';
import { tenantService } from '../application/tenants.js';
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
