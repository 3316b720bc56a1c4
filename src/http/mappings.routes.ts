import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SKU_MAX_LENGTH } from '../domain/catalog/skuCode.js';
import { MAX_COMPONENTS, MAX_QUANTITY } from '../domain/mapping/rules.js';
import type { MappingService } from '../application/mappings.js';
import { requireTenant } from './auth.js';
import { acceptCsv, callerOf, csvBody } from './caller.js';
import type { ImportGate } from '../application/importGate.js';
import { withImportSlot } from './importSlot.js';

export type MappingRoutesDeps = Readonly<{ mappings: MappingService; importMaxBytes: number; importMaxRows: number; importGate: ImportGate }>;

const StoreParams = z.strictObject({ storeId: z.uuid() });
/**
 * The router refuses a path segment longer than 100 characters (as sent, percent-encoded) with 414,
 * so the path form addresses platform SKUs that fit in that; the query form
 * (`/stores/:storeId/mapping?platformSku=…`) addresses every platform SKU (up to 200 characters).
 */
const PATH_SEGMENT_MAX = 100;
const MappingParams = z.strictObject({
  storeId: z.uuid(),
  platformSku: z.string().min(1).max(PATH_SEGMENT_MAX).describe('Percent-encoded at most 100 characters; longer ones: use /stores/{storeId}/mapping?platformSku='),
});
const MappingQuery = z.strictObject({
  platformSku: z.string().min(1).max(800).describe('The platform SKU exactly (encode "+" as %2B); any length the import accepts'),
});
const HistoryItems = z.object({
  items: z.array(
    z.object({
      version: z.number(),
      type: z.string(),
      components: z.array(z.object({ sku: z.string(), quantity: z.number() })),
      source: z.string().nullable(),
      at: z.string(),
      actor: z.string().nullable(),
    }),
  ),
});
// The documented limits are the domain's (refused with 422 and a stable code, not by the schema):
// OpenAPI says what is accepted, and the refusal still names the rule.
const Component = z.strictObject({
  sku: z.string().min(1).max(256).meta({ maxLength: SKU_MAX_LENGTH }),
  quantity: z.number().int().meta({ minimum: 1, maximum: MAX_QUANTITY }),
});
const MappingView = z.object({
  platformSku: z.string(),
  components: z.array(z.object({ sku: z.string(), quantity: z.number() })),
  version: z.number(),
});

/** A store's product mappings: platform SKU → system SKUs × quantity. */
export const mappingRoutes: FastifyPluginAsyncZod<MappingRoutesDeps> = async (app, deps) => {
  acceptCsv(app, deps.importMaxBytes);

  app.put(
    '/stores/:storeId/mappings/:platformSku',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Set (create or replace) the mapping of a platform SKU',
        params: MappingParams,
        body: z.strictObject({ components: z.array(Component).max(100).meta({ minItems: 1, maxItems: MAX_COMPONENTS }) }),
        response: { 200: MappingView.extend({ changed: z.boolean() }) },
      },
    },
    async (request) => deps.mappings.set(callerOf(request), request.params.storeId, request.params.platformSku, request.body.components),
  );

  app.get('/stores/:storeId/mappings/:platformSku', { schema: { tags: ['mappings'], params: MappingParams, response: { 200: MappingView } } }, async (request) =>
    deps.mappings.get(requireTenant(request).tenantId, request.params.storeId, request.params.platformSku),
  );

  app.delete(
    '/stores/:storeId/mappings/:platformSku',
    { schema: { tags: ['mappings'], params: MappingParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await deps.mappings.remove(callerOf(request), request.params.storeId, request.params.platformSku);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/stores/:storeId/mappings/:platformSku/history',
    {
      schema: {
        tags: ['mappings'],
        params: MappingParams,
        response: { 200: HistoryItems },
      },
    },
    async (request) => ({
      items: await deps.mappings.history(requireTenant(request).tenantId, request.params.storeId, request.params.platformSku),
    }),
  );

  // The same single-mapping operations addressed by query parameter: no path length limit below the
  // platform SKU's own, and no clash with /mappings/export, /mappings/import or /mappings/copy.
  app.get(
    '/stores/:storeId/mapping',
    { schema: { tags: ['mappings'], summary: 'Read the mapping of a platform SKU (any length, any name)', params: StoreParams, querystring: MappingQuery, response: { 200: MappingView } } },
    async (request) => deps.mappings.get(requireTenant(request).tenantId, request.params.storeId, request.query.platformSku),
  );

  app.put(
    '/stores/:storeId/mapping',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Set (create or replace) the mapping of a platform SKU (any length, any name)',
        params: StoreParams,
        querystring: MappingQuery,
        body: z.strictObject({ components: z.array(Component).max(100) }),
        response: { 200: MappingView.extend({ changed: z.boolean() }) },
      },
    },
    async (request) => deps.mappings.set(callerOf(request), request.params.storeId, request.query.platformSku, request.body.components),
  );

  app.delete(
    '/stores/:storeId/mapping',
    { schema: { tags: ['mappings'], summary: 'Remove the mapping of a platform SKU (any length, any name)', params: StoreParams, querystring: MappingQuery, response: { 204: z.null() } } },
    async (request, reply) => {
      await deps.mappings.remove(callerOf(request), request.params.storeId, request.query.platformSku);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/stores/:storeId/mapping/history',
    { schema: { tags: ['mappings'], summary: 'Every change of the mapping of a platform SKU', params: StoreParams, querystring: MappingQuery, response: { 200: HistoryItems } } },
    async (request) => ({
      items: await deps.mappings.history(requireTenant(request).tenantId, request.params.storeId, request.query.platformSku),
    }),
  );

  app.get(
    '/stores/:storeId/mappings',
    {
      schema: {
        tags: ['mappings'],
        params: StoreParams,
        querystring: z.strictObject({
          q: z.string().max(200).optional(),
          sku: z.string().max(256).optional(),
          after: z.string().max(1200).meta({ pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page (opaque)' }).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({ items: z.array(MappingView.extend({ updatedAt: z.string() })), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (request) => {
      const { q, sku, after, limit } = request.query;
      return deps.mappings.list(requireTenant(request).tenantId, request.params.storeId, {
        ...(q ? { q } : {}),
        ...(sku ? { sku } : {}),
        after: after ?? null,
        limit,
      });
    },
  );

  app.post(
    '/stores/:storeId/mappings/import',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Import mappings from CSV (platform_sku,system_sku,quantity); the whole file or nothing',
        consumes: ['text/csv'],
        params: StoreParams,
        body: z.any().describe('text/csv: header platform_sku,system_sku,quantity; rows sharing a platform_sku form one combination'),
        response: {
          200: z.object({ rows: z.number(), mappings: z.number(), created: z.number(), updated: z.number(), unchanged: z.number() }),
        },
      },
    },
    async (request, reply) =>
      withImportSlot(deps.importGate, reply, () =>
        deps.mappings.importCsv(callerOf(request), request.params.storeId, csvBody(request.body), {
          maxBytes: deps.importMaxBytes,
          maxRows: deps.importMaxRows,
        }),
      ),
  );

  app.get('/stores/:storeId/mappings/export', { schema: { tags: ['mappings'], params: StoreParams } }, async (request, reply) => {
    const csv = await deps.mappings.exportCsv(requireTenant(request).tenantId, request.params.storeId);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="mappings.csv"').send(csv);
  });

  app.post(
    '/stores/:storeId/mappings/copy',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Copy all mappings from another store of the same tenant',
        params: StoreParams,
        body: z.strictObject({ fromStoreId: z.uuid(), overwrite: z.boolean().default(false) }),
        response: {
          200: z.object({
            counts: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), kept: z.number(), skipped: z.number() }),
            skipped: z.array(z.object({ platformSku: z.string(), problems: z.array(z.object({ code: z.string(), reason: z.string() })).optional() })),
          }),
        },
      },
    },
    async (request) => deps.mappings.copyFrom(callerOf(request), request.params.storeId, request.body.fromStoreId, request.body.overwrite),
  );
};
