import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyPluginOptions, type RawServerDefault } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { HttpMetrics } from '../domain/ports/metrics.js';
import { acceptedCorrelationId } from '../logger.js';
import { registerAuth, type AuthOptions } from './auth.js';
import { healthRoutes, type ReadinessCheck } from './health.routes.js';
import { completeOpenApi } from './openapi.js';
import { frameworkErrorHandler, notFoundHandler, problemErrorHandler, problemPage, refuseUnstorableText } from './problem.js';

/**
 * A route group: one Fastify plugin with its options (dependencies), mounted under a prefix. Built by
 * `routeGroup`, which checks the options against the plugin's own type and keeps that pairing inside
 * the closure, so a list of groups with different options needs no cast.
 */
export type RouteGroup = Readonly<{ prefix: string; register: (app: HttpApp) => Promise<unknown> }>;

/** The plugins a group may hold: the routes (Zod type provider) and plain ones (the console's files). */
type RoutePlugin<O extends FastifyPluginOptions> = FastifyPluginAsync<O, RawServerDefault, ZodTypeProvider> | FastifyPluginAsync<O>;

export const routeGroup = <O extends FastifyPluginOptions>(plugin: RoutePlugin<O>, options: O, prefix: string): RouteGroup => ({
  prefix,
  register: async (app) => app.register(plugin, { ...options, prefix }),
});

export type HttpAppDeps = Readonly<{
  logger: Logger;
  metrics: HttpMetrics;
  checks: readonly ReadinessCheck[];
  beforeScrape?: () => Promise<void>;
  routes?: readonly RouteGroup[];
  /** Bearer-token authentication and per-key rate limiting for /v1 (omitted in some HTTP tests). */
  auth?: AuthOptions;
  bodyLimitBytes?: number;
  version?: string;
}>;

export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;

export const buildHttpApp = async (deps: HttpAppDeps): Promise<HttpApp> => {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes ?? 1024 * 1024,
    // Correlation: take the caller's id only when it matches the documented pattern, else make one;
    // echoed in the response and logged, so it is never the caller's arbitrary text.
    requestIdHeader: false,
    genReqId: (req) => acceptedCorrelationId(req.headers['x-correlation-id']) ?? crypto.randomUUID(),
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('preValidation', refuseUnstorableText);
  // An unmatched URL answers 404 at once: its body is never read or parsed, whoever sends it.
  app.addHook('onRequest', async (request, reply) => (request.is404 ? notFoundHandler(request, reply) : undefined));

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-correlation-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (!request.url.startsWith('/docs')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', `${Math.floor(reply.statusCode / 100)}xx`)
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OMS API',
        description: 'Order management: marketplace stores, product mappings, orders and the warehouse feed.',
        version: deps.version ?? '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => completeOpenApi('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The page a problem's `type` (/problems/<code>) names: docs/errors/<code>.md, as Markdown.
  app.get<{ Params: { code: string } }>('/problems/:code', { schema: { hide: true } }, async (request, reply) => {
    const page = await problemPage(request.params.code);
    if (page === null) return notFoundHandler(request, reply);
    return reply.type('text/markdown; charset=utf-8').header('cache-control', 'public, max-age=3600').send(page);
  });

  await app.register(healthRoutes, {
    checks: deps.checks,
    metrics: deps.metrics,
    ...(deps.beforeScrape ? { beforeScrape: deps.beforeScrape } : {}),
  });
  if (deps.auth) await registerAuth(app as unknown as FastifyInstance, deps.auth);
  for (const group of deps.routes ?? []) await group.register(app);
  return app;
};
