import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import pino from 'pino';
import t from 'tap';
import { z } from 'zod';
import { createMetrics } from '../../src/adapters/metrics/metrics.js';
import { DomainError, NotFoundError } from '../../src/domain/shared/errors.js';
import { buildHttpApp } from '../../src/http/app.js';
import { registerErrorStatuses } from '../../src/http/problem.js';

const probe: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/things',
    { schema: { body: z.strictObject({ name: z.string().min(1), qty: z.number().int().positive() }) } },
    async (request) => ({ ok: request.body.name }),
  );
  app.get('/boom', async () => {
    throw new Error('password=hunter2 at db-host:5432');
  });
  app.get('/refused', async () => {
    throw new DomainError('thing_refused', 'Things cannot be refused twice');
  });
  app.get('/conflict', async () => {
    throw new DomainError('thing_exists', 'It exists');
  });
  app.get('/missing', async () => {
    throw new NotFoundError('Thing');
  });
};

const build = async (checks = [{ name: 'database', check: async () => undefined }]) => {
  registerErrorStatuses({ thing_exists: 409 });
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const app = await buildHttpApp({
    logger,
    metrics: createMetrics(),
    checks,
    routes: [{ plugin: probe as never, options: {}, prefix: '/v1' }],
  });
  return { app, lines };
};

t.test('validation errors are 400 problem+json naming each bad field and unknown keys', async (t) => {
  const { app } = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: '', qty: 1.5, extra: true } });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], 'application/problem+json');
  const body = res.json();
  t.equal(body.status, 400);
  const paths = body.issues.map((i: { path: string }) => i.path).join(' ');
  t.match(paths, 'body.name');
  t.match(paths, 'body.qty');
  t.match(JSON.stringify(body.issues), 'extra', 'the unknown key is named');
});

t.test('malformed JSON is refused without echoing the body', async (t) => {
  const { app } = await build();
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/things',
    headers: { 'content-type': 'application/json' },
    payload: '{"clientSecret": "s3cr3t-value", ',
  });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'malformed_json');
  t.notMatch(res.body, 's3cr3t-value');
});

t.test('5xx reveal nothing internal; domain codes map to statuses', async (t) => {
  const { app, lines } = await build();
  t.teardown(() => app.close());
  const boom = await app.inject({ method: 'GET', url: '/v1/boom' });
  t.equal(boom.statusCode, 500);
  t.notMatch(boom.body, 'hunter2');
  t.notMatch(boom.body, 'db-host');
  t.ok(lines.some((l) => l.includes('unhandled error')), 'the error is logged for operators');
  const refused = await app.inject({ method: 'GET', url: '/v1/refused' });
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().code, 'thing_refused');
  t.equal((await app.inject({ method: 'GET', url: '/v1/conflict' })).statusCode, 409);
  const missing = await app.inject({ method: 'GET', url: '/v1/missing' });
  t.equal(missing.statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/v1/nothing-here' })).json().code, 'route_not_found');
});

t.test('correlation id is echoed; security headers are set', async (t) => {
  const { app } = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-correlation-id': 'abc-123' } });
  t.equal(res.headers['x-correlation-id'], 'abc-123');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['cache-control'], 'no-store');
  const generated = await app.inject({ method: 'GET', url: '/healthz' });
  t.match(generated.headers['x-correlation-id'], /^[0-9a-f-]{36}$/);
});

t.test('readiness reports each dependency; metrics and OpenAPI are served', async (t) => {
  const { app } = await build([
    { name: 'database', check: async () => undefined },
    { name: 'kafka', check: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:9092'), { code: 'ECONNREFUSED' })) },
  ]);
  t.teardown(() => app.close());
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 503);
  t.same(ready.json().checks, [{ name: 'database', ok: true }, { name: 'kafka', ok: false, error: 'error ECONNREFUSED' }]);
  t.notMatch(ready.body, '10.0.0.1');
  await app.inject({ method: 'GET', url: '/healthz' });
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /oms_http_request_duration_seconds_count\{.*route="\/healthz".*\} 1/);
  const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.ok(spec.paths['/v1/things'], 'routes appear in the OpenAPI document');
  t.equal((await app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200);
});
