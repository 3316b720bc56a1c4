import t from 'tap';
import { ADMIN_TOKEN, json, startTestService } from '../support/service.js';

t.test('tenants and API keys over real HTTP', async (t) => {
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '1000' });

  t.equal((await svc.call('POST', '/v1/tenants', { body: { name: 'x' } })).status, 401, 'no token');
  const wrongAdmin = await svc.call('POST', '/v1/tenants', { token: 'not-the-admin-token-at-all', body: { name: 'x' } });
  t.equal(wrongAdmin.status, 401);
  t.equal(wrongAdmin.headers.get('www-authenticate'), 'Bearer');

  const created = await svc.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: '  Acme Sellers  ' }, headers: { 'x-correlation-id': 'corr-1' } });
  t.equal(created.status, 201);
  t.equal(created.headers.get('x-correlation-id'), 'corr-1', 'correlation id echoed');
  const tenant = await json(created);
  t.equal(tenant.name, 'Acme Sellers', 'trimmed');

  const unknownField = await svc.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: 'A', admin: true } });
  t.equal(unknownField.status, 400, 'unknown fields are refused');

  const issued = await svc.call('POST', `/v1/tenants/${tenant.tenantId}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'ops' } });
  t.equal(issued.status, 201);
  const { apiKey, keyId } = await json(issued);
  t.match(apiKey, /^omsk\./);

  const me = await svc.call('GET', '/v1/me', { token: apiKey });
  t.same(await json(me), { tenantId: tenant.tenantId, keyId });
  t.equal((await svc.call('POST', '/v1/tenants', { token: apiKey, body: { name: 'x' } })).status, 403, 'a tenant key cannot administer');
  t.equal((await svc.call('GET', '/v1/me', { token: ADMIN_TOKEN })).status, 403, 'the admin token is not a tenant key');

  const view = await json(await svc.call('GET', `/v1/tenants/${tenant.tenantId}`, { token: ADMIN_TOKEN }));
  t.equal(view.apiKeys.length, 1);
  t.notOk(JSON.stringify(view).includes(apiKey.split('.')[3]), 'the secret is never shown again');

  const tampered = apiKey.slice(0, -2) + (apiKey.endsWith('AA') ? 'BB' : 'AA');
  t.equal((await svc.call('GET', '/v1/me', { token: tampered })).status, 401, 'a wrong secret is refused');
  t.equal((await svc.call('GET', '/v1/me', { token: 'omsk.garbage' })).status, 401, 'a malformed key is refused');

  t.equal((await svc.call('DELETE', `/v1/tenants/${tenant.tenantId}/api-keys/${keyId}`, { token: ADMIN_TOKEN })).status, 204);
  t.equal((await svc.call('GET', '/v1/me', { token: apiKey })).status, 401, 'revoked keys stop working at once');
  t.equal((await svc.call('DELETE', `/v1/tenants/${tenant.tenantId}/api-keys/${keyId}`, { token: ADMIN_TOKEN })).status, 204, 'revoking again is harmless');
  t.equal((await svc.call('DELETE', `/v1/tenants/${tenant.tenantId}/api-keys/0000000000000000`, { token: ADMIN_TOKEN })).status, 404);
  t.equal((await svc.call('GET', '/v1/tenants/00000000-0000-4000-8000-000000000000', { token: ADMIN_TOKEN })).status, 404);

  const events = await svc.store.readStream(`tenant-${tenant.tenantId}`);
  t.same(events.map((e) => e.type), ['TenantCreated', 'ApiKeyIssued', 'ApiKeyRevoked']);
  t.match(events[0]!.metadata, { actor: 'admin', correlationId: 'corr-1', schemaVersion: 1 });
  t.ok(events.every((e) => typeof e.metadata.causationId === 'string'), 'each command has a causation id');
  t.notOk(JSON.stringify(events).includes(apiKey.split('.')[3]!), 'the key secret is not in the events');
  t.notOk(svc.logs().includes(apiKey.split('.')[3]!), 'nor in the logs');
  t.notOk(svc.logs().includes(ADMIN_TOKEN), 'the admin token is not logged');
});

t.test('per-key rate limiting answers 429 with Retry-After', async (t) => {
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '5' });
  const tenant = await json(await svc.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: 'Busy' } }));
  const { apiKey } = await json(await svc.call('POST', `/v1/tenants/${tenant.tenantId}/api-keys`, { token: ADMIN_TOKEN, body: {} }));
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await svc.call('GET', '/v1/me', { token: apiKey })).status);
  t.same(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
  const limited = await svc.call('GET', '/v1/me', { token: apiKey });
  t.equal(limited.status, 429);
  t.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After says when');
  t.equal((await json(limited)).code, 'rate_limited');
  t.equal((await svc.call('GET', '/healthz')).status, 200, 'health is never limited');
});

t.test('oversized bodies are refused with 413', async (t) => {
  const svc = await startTestService(t);
  const res = await svc.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name: 'x'.repeat(2 * 1024 * 1024) } });
  t.equal(res.status, 413);
});
