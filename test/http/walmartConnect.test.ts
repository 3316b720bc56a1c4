import t, { type Test } from 'tap';
import { connectWalmart, movableClock, sandboxEnv, sandboxesFor, walmartConsent } from '../support/marketplaces.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/**
 * Walmart Connect (issue #16 item 1): OAuth 2.0 seller authorization end to end over real HTTP
 * through OMS and the Walmart sandbox's authorize page and Token API.
 */
const MIN = 60_000;

const setUp = async (t: Test) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { seed: 'walmart-connect', amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), PULL_SWEEP_HOURS: '0' }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown, token = tenant.apiKey) => svc.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
  return { clock, sandboxes, svc, tenant, call, seller: sandboxes.walmart.mainClient.partnerId };
};

const count = async (svc: TestService, sql: string) => (await svc.db.query<{ n: number }>(sql)).rows[0]!.n;
const secretCount = (svc: TestService) => count(svc, 'SELECT count(*)::int AS n FROM vault_secrets');

const start = async (call: (m: string, p: string, b?: unknown) => Promise<Response>, body: Record<string, unknown> = { name: 'Walmart US' }) => {
  const res = await call('POST', '/v1/authorizations/walmart/connect', body);
  return { status: res.status, ...(await json(res)) };
};

t.test('a full Walmart Connect: consent URL, authorize page, code exchange, scopes, store, pulls with refreshed access tokens', async (t) => {
  const { clock, sandboxes, svc, call, seller } = await setUp(t);
  const started = await start(call, { name: 'Walmart US', initialLookbackDays: 4 });
  t.equal(started.status, 201);
  t.match(started, { authorizationId: String, consentUrl: String, expiresAt: String });

  const browser = await walmartConsent(svc, started.consentUrl);
  const authorize = new URL(browser.sellerCentralUrl);
  t.equal(authorize.origin, new URL(sandboxes.walmart.url).origin, 'the seller is sent to Walmart’s login host (WALMART_LOGIN_URL)');
  t.equal(authorize.pathname, '/authorize');
  t.equal(authorize.searchParams.get('responseType'), 'code');
  t.equal(authorize.searchParams.get('clientId'), sandboxes.walmart.app.clientId);
  t.equal(authorize.searchParams.get('redirectUri'), sandboxes.walmart.app.redirectUris[0]);
  t.equal(authorize.searchParams.get('clientType'), 'seller');
  t.match(authorize.searchParams.get('nonce'), /^[0-9a-f]{32}$/, 'a one-time nonce');
  t.equal(authorize.searchParams.get('state'), new URL(started.consentUrl).searchParams.get('state'), 'OMS’s state travels through Walmart');
  const back = new URLSearchParams(browser.query);
  t.equal(back.get('type'), 'auth');
  t.equal(back.get('sellerId'), seller);

  const res = await browser.callback();
  t.equal(res.status, 200);
  const auth = await json(res);
  t.match(auth, {
    authorizationId: started.authorizationId, platform: 'walmart', status: 'active', accountId: seller, clientIdHint: null,
    initialLookbackDays: 4, scopes: { orders: 'full_access' }, walmartConnect: { sellerId: seller, market: 'us' },
    marketplaces: [{ marketplaceId: 'WALMART_US', countryCode: 'US', isParticipating: true, storeId: String }],
  });
  t.ok(auth.renewal.daysLeft >= 364, 'the refresh token’s one-year life is the renewal date');
  const secret = JSON.parse(await svc.vault.readSecret((await svc.store.readStream(`authorization-${auth.authorizationId}`)).flatMap((e) => (e.type === 'WalmartConnectGranted' ? [(e.data as { secretRef: string }).secretRef] : []))[0]!));
  t.match(secret, { refreshToken: String, sellerId: seller, market: 'us' }, 'the refresh token is in the vault');
  const events = JSON.stringify(await svc.store.readStream(`authorization-${auth.authorizationId}`));
  t.notOk(events.includes(secret.refreshToken), 'the refresh token is not in any event');

  // Orders through the Connect grant; then 20 minutes later (access tokens live 15) again, with a refreshed token.
  const storeId = auth.marketplaces[0].storeId as string;
  sandboxes.walmart.orders.generate({ count: 3, partnerId: seller, days: 1 });
  clock.advance(2 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 3 });
  const tokenCalls = () => sandboxes.walmart.counters.count('token');
  const before = tokenCalls();
  clock.advance(20 * MIN);
  sandboxes.walmart.orders.generate({ count: 2, partnerId: seller, days: 0.01 });
  clock.advance(2 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 }, 'pulls go on after the first access token expired');
  t.ok(tokenCalls() > before, 'a new access token was minted with the refresh token');

  // Listed with its renewal date.
  await svc.projections.caughtUp(['authorizations']);
  const listed = (await json(await call('GET', '/v1/authorizations'))).items.find((a: { authorizationId: string }) => a.authorizationId === auth.authorizationId);
  t.match(listed, { platform: 'walmart', status: 'active', accountId: seller, renewBy: String });
});

t.test('a CA market sends clientType=seller-ca and WM_MARKET=ca, and makes a Walmart.ca store', async (t) => {
  const { svc, tenant } = await setUp(t);
  const auth = await connectWalmart(svc, tenant.apiKey, { market: 'ca' });
  t.match(auth, { status: 'active', walmartConnect: { market: 'ca' }, marketplaces: [{ marketplaceId: 'WALMART_CA', countryCode: 'CA' }] });
});

t.test('forged, replayed, expired and unbound states change nothing and never reach Walmart', async (t) => {
  const { clock, sandboxes, svc, call } = await setUp(t);
  const started = await start(call);
  const browser = await walmartConsent(svc, started.consentUrl);
  const tokenCalls = () => sandboxes.walmart.counters.count('token');
  const calls = tokenCalls();
  const secrets = await secretCount(svc);
  // The consent link works once (a second browser cannot bind it).
  const link = new URL(started.consentUrl);
  const again = await fetch(new URL(`${link.pathname}${link.search}`, svc.url), { redirect: 'manual', headers: { accept: 'application/json' } });
  t.equal(again.status, 409);
  t.match(await again.json(), { code: 'consent_link_used' });

  const forged = new URLSearchParams(browser.query);
  forged.set('state', `${started.authorizationId}.forged`);
  t.match(await json(await browser.callbackWith(`?${forged}`)), { code: 'invalid_state' }, 'forged state');
  t.match(await json(await browser.callbackWith(browser.query, null)), { code: 'state_not_bound' }, 'no cookie: another browser');
  t.equal(tokenCalls(), calls, 'no code exchange for a refused callback');

  t.equal((await browser.callback()).status, 200, 'the real callback goes through');
  const replay = await browser.callback();
  t.equal(replay.status, 400);
  t.match(await json(replay), { code: 'invalid_state' }, 'a replayed callback');
  t.equal(await secretCount(svc), secrets + 1, 'one secret stored, by the real callback only');

  // Expired: the link is older than 10 minutes when the seller comes back.
  const late = await start(call, { name: 'Late' });
  const lateBrowser = await walmartConsent(svc, late.consentUrl);
  clock.advance(11 * MIN);
  const expired = await lateBrowser.callback();
  t.equal(expired.status, 400);
  t.match(await json(expired), { code: 'state_expired' });
  t.match(await json(await call('GET', `/v1/authorizations/${late.authorizationId}`)), { status: 'pending' }, 'nothing granted');
});

t.test('a denied consent and a view-only orders grant are refused with stable codes and hints', async (t) => {
  const { sandboxes, svc, call } = await setUp(t);
  const secrets = await secretCount(svc);
  sandboxes.walmart.connect.consentAs({ outcome: 'deny' });
  const denied = await start(call);
  const deniedRes = await (await walmartConsent(svc, denied.consentUrl)).callback();
  t.equal(deniedRes.status, 422);
  t.match(await json(deniedRes), { code: 'consent_denied', hint: String });
  t.match(await json(await call('GET', `/v1/authorizations/${denied.authorizationId}`)), { status: 'failed', lastFailure: { reason: 'consent_denied' } });

  sandboxes.walmart.connect.consentAs({ scopes: { orders: 'view_only' } });
  const viewOnly = await start(call);
  const viewRes = await (await walmartConsent(svc, viewOnly.consentUrl)).callback();
  t.equal(viewRes.status, 422);
  t.match(await json(viewRes), { code: 'missing_permission', permission: 'orders', granted: 'view_only', hint: /full access/ });
  t.match(await json(await call('GET', `/v1/authorizations/${viewOnly.authorizationId}`)), { status: 'failed', lastFailure: { reason: 'missing_permission' }, marketplaces: [] });
  t.equal(await secretCount(svc), secrets, 'no secret kept for a refused grant');

  sandboxes.walmart.connect.consentAs({});
  const retry = await call('POST', `/v1/authorizations/${viewOnly.authorizationId}/reauthorize`);
  t.equal(retry.status, 200);
  const ok = await (await walmartConsent(svc, (await json(retry)).consentUrl)).callback();
  t.match(await json(ok), { status: 'active', scopes: { orders: 'full_access' } }, 'connecting again with full access works');
});

t.test('one live authorization per Walmart seller across tenants', async (t) => {
  const { svc, tenant } = await setUp(t);
  const first = await connectWalmart(svc, tenant.apiKey);
  const other = await createTenant(svc, 'Other');
  const started = await json(await svc.call('POST', '/v1/authorizations/walmart/connect', { token: other.apiKey, body: { name: 'Same seller' } }));
  const res = await (await walmartConsent(svc, started.consentUrl)).callback();
  t.equal(res.status, 409);
  const body = await json(res);
  t.match(body, { code: 'account_already_connected' });
  t.notOk(JSON.stringify(body).includes(first.authorizationId), 'nothing about the other tenant’s authorization');

  // The same tenant after a revoke: the authorization comes back with its store.
  t.equal((await svc.call('DELETE', `/v1/authorizations/${first.authorizationId}`, { token: tenant.apiKey })).status, 200);
  const again = await connectWalmart(svc, tenant.apiKey);
  t.equal(again.authorizationId, first.authorizationId, 'reinstated');
  t.same(again.storeIds, first.storeIds, 'with the same store');
});

t.test('the key form still works, with the retirement notice; Connect unconfigured answers a stable code', async (t) => {
  const { sandboxes, call } = await setUp(t);
  const main = sandboxes.walmart.client('main');
  const res = await call('POST', '/v1/authorizations/walmart', { name: 'Own keys', clientId: main.clientId, clientSecret: main.clientSecret });
  t.equal(res.status, 201);
  t.match(await json(res), { status: 'active', walmartConnect: null, notice: /retired.*2026-07-30/ });
  const bad = await call('POST', '/v1/authorizations/walmart', { name: 'Bad', clientId: main.clientId, clientSecret: main.clientId });
  t.match(await json(bad), { code: 'credentials_identical', hint: String }, 'its diagnostics stay');

  const bare = await startTestService(t, { WALMART_API_URL: sandboxes.walmart.url });
  const tenant = await createTenant(bare, 'Bare');
  const refused = await bare.call('POST', '/v1/authorizations/walmart/connect', { token: tenant.apiKey, body: { name: 'x' } });
  t.equal(refused.status, 422);
  t.match(await json(refused), { code: 'walmart_connect_not_configured' });
});
