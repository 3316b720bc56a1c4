import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SKU_MAX_LENGTH } from '../domain/catalog/skuCode.js';
import type { TenantCatalogQueries } from '../domain/ports/catalogQueries.js';
import type { CatalogService } from '../application/catalog.js';
import { requireTenant } from './auth.js';
import { acceptCsv, callerOf, csvBody } from './caller.js';
import type { ImportGate } from '../application/importGate.js';
import { withImportSlot } from './importSlot.js';

export type ProductRoutesDeps = Readonly<{
  catalog: CatalogService;
  queries: (tenantId: string) => TenantCatalogQueries;
  importMaxBytes: number;
  importMaxRows: number;
  /** Imports at once per instance (IMPORT_CONCURRENCY); beyond: 429. */
  importGate: ImportGate;
}>;

const Product = z.object({ sku: z.string(), name: z.string(), barcode: z.string().nullable(), status: z.string() });
const ProductListItem = Product.extend({ createdAt: z.string(), updatedAt: z.string() });
const SkuParams = z.strictObject({ sku: z.string().min(1).max(256) });
const Name = z.string().trim().min(1).max(200);
const Barcode = z.string().trim().max(64).nullable();

/** System SKUs (the warehouse's products) of the calling tenant. */
export const productRoutes: FastifyPluginAsyncZod<ProductRoutesDeps> = async (app, deps) => {
  acceptCsv(app, deps.importMaxBytes);

  app.post(
    '/products',
    {
      schema: {
        tags: ['products'],
        summary: 'Create a system SKU',
        // minLength/maxLength document the catalog's rule (an empty or too long SKU is refused with 422 sku_empty/sku_too_long).
        body: z.strictObject({ sku: z.string().max(256).meta({ minLength: 1, maxLength: SKU_MAX_LENGTH }), name: Name, barcode: Barcode.optional() }),
        response: { 201: Product },
      },
    },
    async (request, reply) => reply.code(201).send(await deps.catalog.create(callerOf(request), request.body)),
  );

  app.get(
    '/products',
    {
      schema: {
        tags: ['products'],
        querystring: z.strictObject({
          q: z.string().max(200).optional(),
          status: z.enum(['active', 'retired']).optional(),
          after: z.string().max(400).meta({ pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page (opaque)' }).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(ProductListItem), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { tenantId } = requireTenant(request);
      const { q, status, after, limit } = request.query;
      return deps.queries(tenantId).products.list({ ...(q ? { q } : {}), ...(status ? { status } : {}), after: after ?? null, limit });
    },
  );

  app.get('/products/:sku', { schema: { tags: ['products'], params: SkuParams, response: { 200: Product } } }, async (request) =>
    deps.catalog.get(requireTenant(request).tenantId, request.params.sku),
  );

  app.patch(
    '/products/:sku',
    {
      schema: {
        tags: ['products'],
        params: SkuParams,
        body: z.strictObject({ name: Name.optional(), barcode: Barcode.optional() }),
        response: { 200: Product },
      },
    },
    async (request) => deps.catalog.update(callerOf(request), request.params.sku, request.body),
  );

  app.post(
    '/products/:sku/retire',
    {
      schema: {
        tags: ['products'],
        summary: 'Retire a system SKU; lists the mappings that still use it',
        params: SkuParams,
        response: {
          200: z.object({
            product: Product,
            usedBy: z.array(z.object({ storeId: z.string(), platformSku: z.string(), version: z.number() })),
          }),
        },
      },
    },
    async (request) => deps.catalog.retire(callerOf(request), request.params.sku),
  );

  app.post(
    '/products/import',
    {
      schema: {
        tags: ['products'],
        summary: 'Create or update system SKUs from CSV (sku,name,barcode); all rows or none',
        consumes: ['text/csv'],
        body: z.any().describe('text/csv: header sku,name,barcode'),
        response: { 200: z.object({ rows: z.number(), created: z.number(), updated: z.number(), unchanged: z.number() }) },
      },
    },
    async (request, reply) =>
      withImportSlot(deps.importGate, reply, () => deps.catalog.importCsv(callerOf(request), csvBody(request.body), { maxRows: deps.importMaxRows })),
  );
};
