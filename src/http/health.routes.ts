import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpMetrics } from '../domain/ports/metrics.js';

export type ReadinessCheck = Readonly<{ name: string; check: () => Promise<void> }>;

export type HealthRoutesDeps = Readonly<{
  checks: readonly ReadinessCheck[];
  metrics: HttpMetrics;
  /** Refresh gauges that need I/O (lag) just before a scrape. */
  beforeScrape?: () => Promise<void>;
  checkTimeoutMs?: number;
}>;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });

const Check = z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() });

/** Liveness, readiness (each configured dependency) and Prometheus metrics. No auth: no data here. */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesDeps> = async (app, deps) => {
  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.array(Check) }),
          503: z.object({ status: z.literal('not_ready'), checks: z.array(Check) }),
        },
      },
    },
    async (_request, reply) => {
      const checks = await Promise.all(
        deps.checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), deps.checkTimeoutMs ?? 3000);
            return { name, ok: true };
          } catch (error) {
            // Say which dependency and how it failed, without hosts or credentials from the message.
            const code = (error as { code?: string }).code;
            return { name, ok: false, error: code ? `error ${code}` : 'unreachable or failing' };
          }
        }),
      );
      return checks.every((c) => c.ok)
        ? reply.code(200).send({ status: 'ready' as const, checks })
        : reply.code(503).send({ status: 'not_ready' as const, checks });
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    await deps.beforeScrape?.().catch(() => undefined);
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
};
