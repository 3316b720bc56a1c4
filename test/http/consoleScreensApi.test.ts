// What the console's screens need from the API, over real HTTP on the real PostgreSQL and the
// Amazon sandbox: GET /v1/users with its role checks (the administrator: everyone or one tenant;
// a tenant's users and keys: that tenant only), and the Amazon consent callback sending a person's
// browser on to the console's page of the authorization (or of the refusal's code), while API
// clients still get JSON.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildConsole } from '../../src/console/build.js';
import { consent, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { ADMIN_TOKEN, json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const sessionCookie = async (svc: TestService, email: string, password: string) => {
  const res = await svc.call('POST', '/v1/session', { body: { email, password } });
  t.equal(res.status, 200, `${email} signs in`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};

t.test('the API behind the console screens', async (t) => {
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false } });
  // With the console served: a browser coming back from a consent is sent on to it.
  const consoleDir = await buildConsole(await mkdtemp(join(tmpdir(), 'oms-console-build-')));
  t.teardown(() => rm(consoleDir, { recursive: true, force: true }));
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RATE_LIMIT_PER_MINUTE: '100000' }, { consoleDir });
  /** The callback as a browser's navigation asks for it, without following the redirect. */
  const asBrowser = (query: string, cookie: string) => fetch(`${svc.url}/v1/authorizations/amazon/callback${query}`, { redirect: 'manual', headers: { cookie, accept: HTML } });
  const alpha = await createTenant(svc, 'Alpha');
  const bravo = await createTenant(svc, 'Bravo');
  const create = async (body: Record<string, unknown>) => t.equal((await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body })).status, 201);
  await create({ email: 'ops@example.com', role: 'operator', password: 'operator password 1' });
  await create({ email: 'audit@example.com', role: 'auditor', password: 'auditor password 1' });
  await create({ email: 'admin@alpha.example', role: 'seller_admin', tenantId: alpha.tenantId, password: 'alpha admin password' });
  await create({ email: 'viewer@alpha.example', role: 'seller_viewer', tenantId: alpha.tenantId, password: 'alpha viewer password' });
  await create({ email: 'admin@bravo.example', role: 'seller_admin', tenantId: bravo.tenantId, password: 'bravo admin password' });
  // The list is read from the users' creation events, which are readable once no older transaction is open.
  for (let i = 0; i < 100 && (await json(await svc.call('GET', '/v1/users', { token: ADMIN_TOKEN }))).items.length < 5; i++) await new Promise((r) => setTimeout(r, 50));
  const emails = async (res: Response) => {
    t.equal(res.status, 200);
    return ((await json(res)).items as { email: string }[]).map((u) => u.email);
  };

  await t.test('GET /v1/users: the administrator sees everyone or one tenant', async (t) => {
    t.same(await emails(await svc.call('GET', '/v1/users', { token: ADMIN_TOKEN })), [
      'admin@alpha.example',
      'admin@bravo.example',
      'audit@example.com',
      'ops@example.com',
      'viewer@alpha.example',
    ]);
    t.same(await emails(await svc.call('GET', `/v1/users?tenantId=${alpha.tenantId}`, { token: ADMIN_TOKEN })), ['admin@alpha.example', 'viewer@alpha.example']);
    const listed = await json(await svc.call('GET', `/v1/users?tenantId=${bravo.tenantId}`, { token: ADMIN_TOKEN }));
    t.match(listed.items[0], { email: 'admin@bravo.example', role: 'seller_admin', tenantId: bravo.tenantId, status: 'active', mustChangePassword: false });
    t.notOk(JSON.stringify(listed).includes('scrypt'), 'no password hash in the list');
    const ops = await sessionCookie(svc, 'ops@example.com', 'operator password 1');
    t.equal((await emails(await svc.call('GET', '/v1/users', { headers: { cookie: ops } }))).length, 5, 'an operator without a picked tenant: everyone');
    t.same(await emails(await svc.call('GET', '/v1/users', { headers: { cookie: ops, 'x-oms-tenant': bravo.tenantId } })), ['admin@bravo.example'], 'with a picked tenant: its users');
    const auditor = await sessionCookie(svc, 'audit@example.com', 'auditor password 1');
    t.equal((await emails(await svc.call('GET', '/v1/users', { headers: { cookie: auditor } }))).length, 5, 'an auditor reads');
    t.equal((await svc.call('GET', '/v1/users?tenantId=nope', { token: ADMIN_TOKEN })).status, 400, 'a tenant id is a uuid');
  });

  await t.test("GET /v1/users: a tenant's users and keys see that tenant only", async (t) => {
    t.same(await emails(await svc.call('GET', '/v1/users', { token: alpha.apiKey })), ['admin@alpha.example', 'viewer@alpha.example']);
    const admin = await sessionCookie(svc, 'admin@alpha.example', 'alpha admin password');
    t.same(await emails(await svc.call('GET', '/v1/users', { headers: { cookie: admin } })), ['admin@alpha.example', 'viewer@alpha.example']);
    t.same(await emails(await svc.call('GET', `/v1/users?tenantId=${alpha.tenantId}`, { headers: { cookie: admin } })), ['admin@alpha.example', 'viewer@alpha.example']);
    const other = await svc.call('GET', `/v1/users?tenantId=${bravo.tenantId}`, { headers: { cookie: admin } });
    t.equal(other.status, 403);
    t.match(await json(other), { code: 'user_admin_required' });
    const viewer = await sessionCookie(svc, 'viewer@alpha.example', 'alpha viewer password');
    t.same(await emails(await svc.call('GET', '/v1/users', { headers: { cookie: viewer } })), ['admin@alpha.example', 'viewer@alpha.example'], 'a viewer reads its tenant');
    t.equal((await svc.call('GET', '/v1/users', { token: bravo.apiKey, headers: { 'x-oms-tenant': alpha.tenantId } })).status, 200);
    t.same(await emails(await svc.call('GET', '/v1/users', { token: bravo.apiKey })), ['admin@bravo.example']);
    t.equal((await svc.call('GET', '/v1/users')).status, 401, 'no credentials: nothing');
  });

  await t.test('the Amazon callback: a browser goes on to the console, an API client gets JSON', async (t) => {
    const start = async () => json(await svc.call('POST', '/v1/authorizations/amazon', { token: alpha.apiKey, body: { name: 'NA', region: 'NA' } }));
    const started = await start();
    const flow = await consent(svc, started.consentUrl);
    const landing = await flow.callbackWith(flow.query, flow.cookie);
    // callbackWith asks for JSON (Accept: application/json): the API answer, as before.
    t.equal(landing.status, 200);
    t.match(await json(landing), { authorizationId: started.authorizationId, status: 'active' });

    const second = await start();
    const browser = await consent(svc, second.consentUrl);
    const page = await asBrowser(browser.query, browser.cookie);
    t.equal(page.status, 303);
    t.match(page.headers.get('location'), /^\/#\/authorizations(\/[0-9a-f-]{36})?\?outcome=failed&code=account_already_connected$/, 'the same account again: the refusal by its code');
    t.match(page.headers.get('set-cookie'), /oms_consent_.*Max-Age=0/, 'the binding cookie is cleared');

    // A third consent with another seller signed in to Seller Central succeeds and lands on its page.
    sandboxes.amazon.consentAs(sandboxes.amazon.sellers[1]!.sellerId);
    const third = await start();
    const other = await consent(svc, third.consentUrl);
    const done = await asBrowser(other.query, other.cookie);
    t.equal(done.status, 303);
    t.equal(done.headers.get('location'), `/#/authorizations/${third.authorizationId}?outcome=connected`);
    t.match(await json(await svc.call('GET', `/v1/authorizations/${third.authorizationId}`, { token: alpha.apiKey })), { status: 'active' });
    const replay = await asBrowser(other.query, other.cookie);
    t.match(replay.headers.get('location'), /^\/#\/authorizations(\/[0-9a-f-]{36})?\?outcome=failed&code=invalid_state/, 'a replayed callback: its refusal');
  });
});
