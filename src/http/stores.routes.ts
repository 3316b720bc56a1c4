import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TenantCatalogQueries } from '../domain/ports/catalogQueries.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import { requireTenant } from './auth.js';
import { callerOf } from './caller.js';
import type { Caller } from '../application/context.js';

export type StoreRoutesDeps = Readonly<{
  queries: (tenantId: string) => TenantCatalogQueries;
  /** Manual sync: due now (coalesced with a running pull); false when the store is not scheduled. */
  requestSync: (storeId: string) => Promise<{ found: boolean; running: boolean }>;
  pullLog: (storeId: string, limit: number) => Promise<readonly { type: string; at: string; data: Record<string, unknown> }[]>;
  /** Change the store's pull settings (StoreSettingsChanged); the new settings. */
  changeSettings?: (caller: Caller, storeId: string, settings: Partial<StoreSettingsBody>) => Promise<StoreSettingsBody>;
}>;

const StoreSettingsView = z.object({ skipMarketplaceFulfilled: z.boolean(), walmart3plNode: z.boolean() });
type StoreSettingsBody = z.infer<typeof StoreSettingsView>;

export const StoreView = z.object({
  storeId: z.string(),
  authorizationId: z.string(),
  platform: z.string(),
  marketplaceId: z.string(),
  countryCode: z.string(),
  marketplaceName: z.string(),
  name: z.string(),
  status: z.string(),
  connectedAt: z.string(),
  settings: StoreSettingsView,
  sync: z.object({
    lastSuccessAt: z.string().nullable(),
    watermark: z.string().nullable(),
    nextRunAt: z.string().nullable(),
    running: z.boolean(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    failures: z.number(),
    /** ok / retrying / failing (FAILING_AFTER failures in a row), the reason code and since when. */
    state: z.enum(['ok', 'retrying', 'failing']),
    reason: z.string().nullable(),
    failingSince: z.string().nullable(),
  }),
});

/** The calling tenant's stores (one per marketplace of an authorized account). */
export const storeRoutes: FastifyPluginAsyncZod<StoreRoutesDeps> = async (app, deps) => {
  app.get(
    '/stores',
    {
      schema: {
        tags: ['stores'],
        querystring: z.strictObject({ platform: z.enum(['amazon', 'walmart']).optional(), status: z.string().max(40).optional() }),
        response: { 200: z.object({ items: z.array(StoreView) }) },
      },
    },
    async (request) => {
      const { platform, status } = request.query;
      return { items: await deps.queries(requireTenant(request).tenantId).stores.list({ ...(platform ? { platform } : {}), ...(status ? { status } : {}) }) };
    },
  );

  app.post(
    '/stores/:storeId/sync',
    {
      schema: {
        tags: ['stores'],
        summary: 'Pull this store now (coalesces with a pull already running)',
        params: z.strictObject({ storeId: z.uuid() }),
        response: { 202: z.object({ accepted: z.literal(true), coalesced: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const store = await deps.queries(requireTenant(request).tenantId).stores.get(request.params.storeId);
      if (!store) throw new NotFoundError('Store');
      if (store.status !== 'active') throw new DomainError('store_not_active', `The store is ${store.status}; only active stores are pulled`);
      const result = await deps.requestSync(store.storeId);
      if (!result.found) throw new DomainError('store_not_active', 'The store is not scheduled yet; try again in a moment');
      return reply.code(202).send({ accepted: true as const, coalesced: result.running });
    },
  );

  app.get(
    '/stores/:storeId/pulls',
    {
      schema: {
        tags: ['stores'],
        summary: 'The pull log: started, completed (window, pages, new/changed/unchanged), failed (reason)',
        params: z.strictObject({ storeId: z.uuid() }),
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ items: z.array(z.object({ type: z.string(), at: z.string(), data: z.record(z.string(), z.unknown()) })) }) },
      },
    },
    async (request) => {
      const store = await deps.queries(requireTenant(request).tenantId).stores.get(request.params.storeId);
      if (!store) throw new NotFoundError('Store');
      return { items: [...(await deps.pullLog(store.storeId, request.query.limit))] };
    },
  );

  app.post(
    '/stores/:storeId/pause',
    { schema: { tags: ['stores'], summary: 'Not possible: pause the authorization instead', params: z.strictObject({ storeId: z.uuid() }) } },
    async (request) => {
      const store = await deps.queries(requireTenant(request).tenantId).stores.get(request.params.storeId);
      if (!store) throw new NotFoundError('Store');
      throw new DomainError(
        'store_pause_not_supported',
        store.platform === 'amazon'
          ? 'Amazon synchronizes per account and region: a single store cannot be paused; pause its authorization (all stores of the region) instead'
          : 'Pause the store’s authorization instead',
        { authorizationId: store.authorizationId },
      );
    },
  );

  app.patch(
    '/stores/:storeId',
    {
      schema: {
        tags: ['stores'],
        summary: 'Change how the store is pulled: skipMarketplaceFulfilled (Amazon: leave FBA orders out), walmart3plNode (Walmart 3PL ship node)',
        params: z.strictObject({ storeId: z.uuid() }),
        body: z
          .strictObject({ skipMarketplaceFulfilled: z.boolean().optional(), walmart3plNode: z.boolean().optional() })
          .refine((b) => b.skipMarketplaceFulfilled !== undefined || b.walmart3plNode !== undefined, { message: 'Give at least one setting' }),
        response: { 200: z.object({ storeId: z.string(), settings: StoreSettingsView }) },
      },
    },
    async (request) => {
      if (!deps.changeSettings) throw new NotFoundError('Store');
      const body = request.body;
      const settings = await deps.changeSettings(callerOf(request), request.params.storeId, {
        ...(body.skipMarketplaceFulfilled !== undefined ? { skipMarketplaceFulfilled: body.skipMarketplaceFulfilled } : {}),
        ...(body.walmart3plNode !== undefined ? { walmart3plNode: body.walmart3plNode } : {}),
      });
      return { storeId: request.params.storeId, settings };
    },
  );

  app.get('/stores/:storeId', { schema: { tags: ['stores'], params: z.strictObject({ storeId: z.uuid() }), response: { 200: StoreView } } }, async (request) => {
    const store = await deps.queries(requireTenant(request).tenantId).stores.get(request.params.storeId);
    if (!store) throw new NotFoundError('Store');
    return store;
  });
};
