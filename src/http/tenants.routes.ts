import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TenantService } from '../application/tenants.js';
import { commandMetadata, requireAdmin, requireTenant } from './auth.js';

export type TenantRoutesDeps = Readonly<{ tenants: TenantService }>;

const ApiKeyView = z.object({ keyId: z.string(), name: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });
const TenantView = z.object({ tenantId: z.string(), name: z.string(), createdAt: z.string(), apiKeys: z.array(ApiKeyView) });
const TenantParams = z.strictObject({ tenantId: z.uuid() });

/** Tenant administration (admin token) and `GET /v1/me` (a tenant key asking who it is). */
export const tenantRoutes: FastifyPluginAsyncZod<TenantRoutesDeps> = async (app, { tenants }) => {
  app.post(
    '/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant (a seller)',
        body: z.strictObject({ name: z.string().trim().min(1).max(200) }),
        response: { 201: TenantView },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      return reply.code(201).send(await tenants.create(request.body.name, commandMetadata(request)));
    },
  );

  app.get(
    '/tenants/:tenantId',
    { schema: { tags: ['tenants'], params: TenantParams, response: { 200: TenantView } } },
    async (request) => {
      requireAdmin(request);
      return tenants.get(request.params.tenantId);
    },
  );

  app.post(
    '/tenants/:tenantId/api-keys',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Issue an API key; the key is in this response only',
        params: TenantParams,
        body: z.strictObject({ name: z.string().trim().max(200).default('') }),
        response: { 201: z.object({ keyId: z.string(), name: z.string(), apiKey: z.string() }) },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const issued = await tenants.issueKey(request.params.tenantId, request.body.name, commandMetadata(request));
      return reply.code(201).header('cache-control', 'no-store').send(issued);
    },
  );

  app.delete(
    '/tenants/:tenantId/api-keys/:keyId',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Revoke an API key (it stops working at once)',
        params: z.strictObject({ tenantId: z.uuid(), keyId: z.string().regex(/^[0-9a-f]{16}$/) }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await tenants.revokeKey(request.params.tenantId, request.params.keyId, commandMetadata(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { schema: { tags: ['tenants'], response: { 200: z.object({ tenantId: z.string(), keyId: z.string() }) } } },
    async (request) => {
      const p = requireTenant(request);
      return { tenantId: p.tenantId, keyId: p.keyId };
    },
  );
};
