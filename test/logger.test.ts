import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import t from 'tap';
import { createMetrics } from '../src/adapters/metrics/metrics.js';
import { buildHttpApp, routeGroup } from '../src/http/app.js';
import { acceptedCorrelationId, createLogger, redactUrl } from '../src/logger.js';

const sinkOf = (lines: string[]) =>
  new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });

t.test('secret- and buyer-bearing fields are redacted at any usual depth', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info' }, sinkOf(lines));
  log.info({ refreshToken: 'RT-1', auth: { clientSecret: 'CS-2' }, a: { b: { accessToken: 'AT-3' } }, order: { shipTo: { name: 'Jane Buyer' } } }, 'x');
  log.info({ req: { headers: { authorization: 'Bearer K-4' } } }, 'y');
  log.info({ token: { accessToken: 'AT-5', clientBasic: 'QkFTSUMtNg==' } }, 'z');
  const out = lines.join('');
  for (const secret of ['RT-1', 'CS-2', 'AT-3', 'Jane Buyer', 'K-4', 'AT-5', 'QkFTSUMtNg==']) t.notMatch(out, secret, `${secret} not logged`);
  t.match(out, '[redacted]');
});

t.test('error codes are logged (no bare `code` path): ECONNREFUSED, SQL states', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info' }, sinkOf(lines));
  log.error({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'a');
  log.error({ err: Object.assign(new Error('duplicate key'), { code: '23505' }), spapi_oauth_code: 'ONE-TIME-1' }, 'b');
  const out = lines.join('');
  t.match(out, '"code":"ECONNREFUSED"');
  t.match(out, '"code":"23505"');
  t.notMatch(out, 'ONE-TIME-1', 'the consent code is still redacted by its own name');
});

t.test('URLs are redacted by parameter name and by value pattern; unmatched routes lose their query', async (t) => {
  const key = `omsk.${randomUUID()}.0123456789abcdef.${'k'.repeat(43)}`;
  t.equal(redactUrl('/v1/things'), '/v1/things');
  t.equal(redactUrl(`/v1/things?authorization=Bearer%20${key}&limit=5`), '/v1/things?authorization=%5Bredacted%5D&limit=5');
  t.equal(redactUrl(`/v1/things?x=${encodeURIComponent(key)}`), '/v1/things?x=%5Bredacted%5D', 'an API key under any name');
  t.equal(redactUrl('/v1/things?q=Bearer+abc.def'), '/v1/things?q=%5Bredacted%5D', 'a bearer credential under any name');
  t.equal(redactUrl(`/v1/things?${key}=1`), '/v1/things?%5Bredacted%5D=%5Bredacted%5D', 'a key used as a parameter name');
  t.equal(redactUrl('/v1/cb?state=S&code=C&selling_partner_id=A1'), '/v1/cb?state=%5Bredacted%5D&code=%5Bredacted%5D&selling_partner_id=A1');
  t.equal(redactUrl(`/v1/things/${key}`), '/[redacted]', 'a path that carries a key');
  t.equal(redactUrl('/v1/things/%E0%A4%A?x=1'), '/v1/things/%E0%A4%A?x=1', 'an undecodable path is kept as sent');
  t.equal(redactUrl('/nowhere?anything=goes', { matched: false }), '/nowhere');
});

t.test('correlation ids: only the documented pattern is accepted', async (t) => {
  t.equal(acceptedCorrelationId('abc-123'), 'abc-123');
  t.equal(acceptedCorrelationId('trace:4bf92f3577b34da6.a3ce929d0e0e4736'), 'trace:4bf92f3577b34da6.a3ce929d0e0e4736');
  for (const bad of [undefined, '', '<script>alert(1)</script>', 'x'.repeat(65), 'a b', 'omsk.abc', ['a', 'b']]) {
    t.equal(acceptedCorrelationId(bad), null, `${JSON.stringify(bad)?.slice(0, 20)} is not accepted`);
  }
});

t.test('through the HTTP app: a key in the query string, an odd correlation id and an unknown route never reach the log', async (t) => {
  const lines: string[] = [];
  const probe: FastifyPluginAsyncZod = async (app) => {
    app.get('/things', async () => ({ ok: true }));
  };
  const app = await buildHttpApp({
    logger: createLogger({ level: 'info' }, sinkOf(lines)),
    metrics: createMetrics(),
    checks: [],
    routes: [routeGroup(probe, {}, '/v1')],
  });
  t.teardown(() => app.close());
  const key = `omsk.${randomUUID()}.fedcba9876543210.${'Z'.repeat(43)}`;
  const res = await app.inject({ method: 'GET', url: `/v1/things?authorization=Bearer%20${key}&page=2` });
  t.equal(res.statusCode, 200);
  const html = '<img src=x onerror=alert(1)>';
  const odd = await app.inject({ method: 'GET', url: '/v1/things', headers: { 'x-correlation-id': html } });
  t.match(odd.headers['x-correlation-id'], /^[0-9a-f-]{36}$/, 'a generated id replaces markup');
  const long = await app.inject({ method: 'GET', url: '/v1/things', headers: { 'x-correlation-id': 'y'.repeat(15_000) } });
  t.match(long.headers['x-correlation-id'], /^[0-9a-f-]{36}$/, 'a generated id replaces 15 KB');
  const kept = await app.inject({ method: 'GET', url: '/v1/things', headers: { 'x-correlation-id': 'order-sync.42' } });
  t.equal(kept.headers['x-correlation-id'], 'order-sync.42');
  await app.inject({ method: 'GET', url: '/unknown/route?secretish=PLAIN-VALUE-77' });
  const out = lines.join('');
  t.notMatch(out, key.slice(5), 'the key never reaches the log');
  t.notMatch(out, 'onerror', 'the markup is neither echoed nor logged');
  t.notMatch(out, 'yyyyyyyyyy');
  t.notMatch(out, 'PLAIN-VALUE-77', "an unknown route's query string is not logged");
  t.match(out, '/v1/things?authorization=%5Bredacted%5D&page=2', 'the request is still logged, redacted');
  t.match(out, '"reqId":"order-sync.42"');
  t.match(out, '"url":"/unknown/route"');
});
