import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import pino from 'pino';
import t from 'tap';
import { z } from 'zod';
import { createMetrics } from '../../src/adapters/metrics/metrics.js';
import { DomainError, NotFoundError } from '../../src/domain/shared/errors.js';
import { buildHttpApp, routeGroup } from '../../src/http/app.js';
import { failureLimiter } from '../../src/http/failureLimiter.js';
import { MAX_LISTED_ISSUES, registerErrorStatuses } from '../../src/http/problem.js';

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
  app.post('/numbers', { schema: { body: z.array(z.number()) } }, async (request) => ({ n: request.body.length }));
  app.get('/many-issues', async () => {
    throw new DomainError('import_invalid', 'The file has errors', { issues: Array.from({ length: 150_000 }, (_, i) => ({ row: i + 2, message: 'bad' })), rows: 150_000 });
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
    routes: [routeGroup(probe, {}, '/v1')],
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

// --- authentication on the matched route, rate limits ------------------------------------------------

const TOKEN = 'tenant-token-for-tests-0001';
const publicProbe: FastifyPluginAsyncZod = async (app) => {
  app.get('/open', { config: { public: true } }, async () => ({ open: true }));
};

const buildWithAuth = async (limits: { rateLimitPerMinute?: number; failedAuthPerMinute?: number } = {}) => {
  const looked: string[] = [];
  const app = await buildHttpApp({
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    checks: [],
    auth: {
      // Stands in for the tenant service: records which tokens reached the (costly) lookup.
      authenticate: async (token) => {
        looked.push(token);
        return token === TOKEN ? { kind: 'tenant', tenantId: 't-1', keyId: 'k-1', actor: 'key:k-1' } : null;
      },
      rateLimitPerMinute: limits.rateLimitPerMinute ?? 100,
      ...(limits.failedAuthPerMinute ? { failedAuthPerMinute: limits.failedAuthPerMinute } : {}),
    },
    routes: [
      routeGroup(probe, {}, '/v1'),
      routeGroup(publicProbe, {}, '/v1'),
    ],
  });
  return { app, looked };
};

t.test('an encoded path is authenticated and rate limited as the route it is routed to', async (t) => {
  const { app } = await buildWithAuth({ rateLimitPerMinute: 2 });
  t.teardown(() => app.close());
  const payload = { name: 'x', qty: 1 };
  const anonymous = await app.inject({ method: 'POST', url: '/%761/things', payload });
  t.equal(anonymous.statusCode, 401, '/%761/things is /v1/things: a token is required');
  t.equal(anonymous.json().code, 'unauthorized');
  t.equal(anonymous.headers['www-authenticate'], 'Bearer');
  const headers = { authorization: `Bearer ${TOKEN}` };
  t.equal((await app.inject({ method: 'POST', url: '/%761/things', payload, headers })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/v1/things', payload, headers })).statusCode, 200);
  const limited = await app.inject({ method: 'POST', url: '/%761/things', payload, headers });
  t.equal(limited.statusCode, 429, 'the encoded spelling counts against the same key');
  t.equal(limited.json().code, 'rate_limited');
});

t.test('public routes opt out by route config; unmatched routes answer 404 without reading the body', async (t) => {
  const { app, looked } = await buildWithAuth();
  t.teardown(() => app.close());
  t.same((await app.inject({ method: 'GET', url: '/v1/open' })).json(), { open: true });
  const unmatched = await app.inject({
    method: 'POST',
    url: '/v1/no-such-route?x=1',
    headers: { 'content-type': 'application/json' },
    payload: '{"not json',
  });
  t.equal(unmatched.statusCode, 404, 'a parsed body would have answered 400 malformed_json');
  t.equal(unmatched.json().code, 'route_not_found');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'health stays outside /v1 and public');
  t.same(looked, [], 'no token was looked up');
});

t.test('the bearer scheme is case-insensitive (RFC 7235)', async (t) => {
  const { app } = await buildWithAuth();
  t.teardown(() => app.close());
  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
    const res = await app.inject({ method: 'GET', url: '/v1/refused', headers: { authorization: `${scheme} ${TOKEN}` } });
    t.equal(res.statusCode, 422, `${scheme} is accepted (the route's own refusal answers)`);
  }
  for (const header of ['Basic abc', `Bearer`, `Bearer${TOKEN}`, `Bearer ${'x'.repeat(600)}`]) {
    t.equal((await app.inject({ method: 'GET', url: '/v1/refused', headers: { authorization: header } })).statusCode, 401, `${header.slice(0, 20)} is refused`);
  }
});

t.test('missing and failed authentication are limited per address, before any lookup', async (t) => {
  const { app, looked } = await buildWithAuth({ failedAuthPerMinute: 3 });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/v1/refused' })).statusCode, 401, 'no token: a failure');
  t.equal((await app.inject({ method: 'GET', url: '/v1/refused', headers: { authorization: 'Bearer wrong-1' } })).statusCode, 401);
  t.equal((await app.inject({ method: 'GET', url: '/v1/refused', headers: { authorization: 'Bearer wrong-2' } })).statusCode, 401);
  const refused = await app.inject({ method: 'GET', url: '/v1/refused', headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(refused.statusCode, 429, 'the address is refused, even with a valid token, until its window ends');
  t.equal(refused.json().code, 'rate_limited');
  t.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60, 'Retry-After says when');
  t.same(looked, ['wrong-1', 'wrong-2'], 'the refused attempt looked nothing up');
  const other = await app.inject({ method: 'GET', url: '/v1/refused', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(other.statusCode, 422, 'another address is not affected');
  t.equal((await app.inject({ method: 'GET', url: '/v1/open' })).statusCode, 200, 'public routes are not behind the failure limit');
});

t.test('the failure table forgets ended windows and stays bounded', async (t) => {
  let clock = 0;
  const limiter = failureLimiter({ maxPerWindow: 2, windowMs: 1000, maxAddresses: 3, now: () => clock });
  limiter.record('a');
  limiter.record('a');
  t.equal(limiter.retryAfterSeconds('a'), 1);
  t.equal(limiter.retryAfterSeconds('b'), 0);
  clock = 1000;
  t.equal(limiter.retryAfterSeconds('a'), 0, 'a new window starts');
  for (const address of ['b', 'c', 'd']) limiter.record(address);
  limiter.record('b');
  t.equal(limiter.retryAfterSeconds('b'), 1, 'b reached the limit');
  limiter.record('e');
  t.equal(limiter.retryAfterSeconds('b'), 0, 'the oldest entry made room for a new address');
  clock = 2500;
  limiter.record('f');
  t.equal(limiter.retryAfterSeconds('c'), 0, 'expired windows are swept');
  limiter.record('f');
  t.equal(limiter.retryAfterSeconds('f'), 1);
});

t.test('listed issues are capped with their total: validation 400s and domain refusals alike', async (t) => {
  const { app } = await build();
  t.teardown(() => app.close());
  const invalid = await app.inject({ method: 'POST', url: '/v1/numbers', payload: Array.from({ length: 250 }, () => 'x') });
  t.equal(invalid.statusCode, 400);
  t.equal(invalid.json().issues.length, MAX_LISTED_ISSUES);
  t.equal(invalid.json().totalIssues, 250);
  const few = await app.inject({ method: 'POST', url: '/v1/numbers', payload: ['x', 1, 'y'] });
  t.same([few.json().issues.length, few.json().totalIssues], [2, 2]);
  const refused = await app.inject({ method: 'GET', url: '/v1/many-issues' });
  t.equal(refused.statusCode, 422);
  const body = refused.json();
  t.equal(body.issues.length, MAX_LISTED_ISSUES);
  t.same(body.issues[0], { row: 2, message: 'bad' }, 'the first issues, in order');
  t.equal(body.totalIssues, 150_000);
  t.equal(body.rows, 150_000, 'other details are kept');
  t.ok(refused.body.length < 20_000, `the answer stays small (${refused.body.length} bytes)`);
});

t.test('problems: `type` names the code’s page, `title` is the status phrase, `code` is kept', async (t) => {
  const { app } = await build();
  t.teardown(() => app.close());
  const refused = (await app.inject({ method: 'GET', url: '/v1/refused' })).json();
  t.match(refused, { type: '/problems/thing_refused', title: 'Unprocessable Entity', status: 422, code: 'thing_refused' });
  t.match((await app.inject({ method: 'GET', url: '/v1/conflict' })).json(), { type: '/problems/thing_exists', title: 'Conflict', status: 409 });
  t.match((await app.inject({ method: 'GET', url: '/v1/missing' })).json(), { type: '/problems/not_found', title: 'Not Found' });
  t.match((await app.inject({ method: 'GET', url: '/v1/boom' })).json(), { type: 'about:blank', title: 'Internal Server Error', status: 500 });
  const invalid = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 1 } });
  t.match(invalid.json(), { type: 'about:blank', title: 'Bad Request', status: 400 }, 'validation answers carry issues, not a code');
  const tooLarge = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/json' }, payload: `{"name":"${'x'.repeat(1024 * 1024)}"}` });
  t.match(tooLarge.json(), { type: 'about:blank', title: 'Payload Too Large', status: 413, code: 'fst_err_ctp_body_too_large' }, "Fastify's own codes are not ours to document");
});
