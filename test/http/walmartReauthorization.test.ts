import t, { type Test } from 'tap';
import { connectWalmart, movableClock, sandboxEnv, sandboxesFor, walmartConsent } from '../support/marketplaces.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/**
 * Issue #16 items 4 and 5, the Walmart side: a withdrawn Walmart Connect grant (refresh token refused
 * with invalid_grant) and the Walmart callback answering the seller's browser. Over real HTTP through
 * OMS and the Walmart sandbox.
 */
const MIN = 60_000;

const setUp = async (t: Test, env: Record<string, string> = {}) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { seed: 'walmart-reauth', amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), PULL_SWEEP_HOURS: '0', ...env }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  return { clock, sandboxes, svc, tenant, call, seller: sandboxes.walmart.mainClient.partnerId };
};

t.test('#16.4 Walmart: a withdrawn Connect grant marks the authorization reauthorization_required; Connect again brings it back with its store', async (t) => {
  const { clock, sandboxes, svc, tenant, call, seller } = await setUp(t);
  const auth = await connectWalmart(svc, tenant.apiKey);
  const [storeId] = auth.storeIds as [string];
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true });

  // A Walmart outage on the token endpoint is not a withdrawn grant.
  clock.advance(20 * MIN);
  sandboxes.walmart.faults.next({ status: 503, route: 'token', count: 20 });
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: false });
  sandboxes.walmart.faults.clear();
  t.equal((await json(await call('GET', `/v1/authorizations/${auth.authorizationId}`))).status, 'active', 'a 503 marks nothing');

  t.ok(sandboxes.walmart.connect.revoke({ sellerId: seller }) >= 1, 'the seller removes the app');
  clock.advance(20 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: false, reason: 'invalid_grant' });
  t.match(await json(await call('GET', `/v1/authorizations/${auth.authorizationId}`)), {
    status: 'reauthorization_required',
    lastFailure: { reason: 'walmart_invalid_grant', detail: /Walmart Connect/ },
  });
  await svc.projections.caughtUp(['authorizations', 'stores', 'pull_schedule']);
  t.equal((await json(await call('GET', '/v1/stores'))).items[0].status, 'paused', 'its store stops');
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: false, reason: 'store_not_active' });
  t.match(await (await svc.call('GET', '/metrics')).text(), /oms_authorizations_reauthorization_required\{platform="walmart"[^}]*\} 1/);

  // Re-authorize through Connect: the same authorization and store, pulling again.
  const renewal = await call('POST', `/v1/authorizations/${auth.authorizationId}/reauthorize`);
  t.equal(renewal.status, 200);
  const back = await (await walmartConsent(svc, (await json(renewal)).consentUrl)).callback();
  t.equal(back.status, 200);
  t.match(await json(back), { authorizationId: auth.authorizationId, status: 'active', marketplaces: [{ storeId }] });
  await svc.projections.caughtUp(['authorizations', 'stores', 'pull_schedule']);
  t.equal((await json(await call('GET', '/v1/stores'))).items[0].status, 'active');
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true }, 'pulls resume');
  t.match((await json(await call('GET', '/v1/authorizations'))).items[0], { status: 'active', lastFailure: null });
});

t.test('#16.5 Walmart: the callback answers the browser with a page, or the console when CONSOLE_URL is set', async (t) => {
  const { svc, call } = await setUp(t, { CONSOLE_URL: 'https://console.example.test' });
  const started = await json(await call('POST', '/v1/authorizations/walmart/connect', { name: 'Walmart US' }));
  const browser = await walmartConsent(svc, started.consentUrl);
  const asBrowser = (query: string) =>
    fetch(new URL(`/v1/authorizations/walmart/callback${query}`, svc.url), { redirect: 'manual', headers: { cookie: browser.cookie, accept: 'text/html' } });
  const ok = await asBrowser(browser.query);
  t.equal(ok.status, 303);
  t.equal(ok.headers.get('location'), `https://console.example.test/#/authorizations/${started.authorizationId}?outcome=connected`);
  const replay = await asBrowser(browser.query);
  t.equal(replay.headers.get('location'), `https://console.example.test/#/authorizations/${started.authorizationId}?outcome=failed&code=invalid_state`);
});

t.test('#16.5 Walmart: without CONSOLE_URL a refused consent is a page with its code, not JSON', async (t) => {
  const { sandboxes, svc, call } = await setUp(t);
  sandboxes.walmart.connect.consentAs({ outcome: 'deny' });
  const started = await json(await call('POST', '/v1/authorizations/walmart/connect', { name: 'Walmart US' }));
  const browser = await walmartConsent(svc, started.consentUrl);
  const res = await fetch(new URL(`/v1/authorizations/walmart/callback${browser.query}`, svc.url), { redirect: 'manual', headers: { cookie: browser.cookie } });
  t.equal(res.status, 422);
  t.match(res.headers.get('content-type'), /^text\/html/);
  const html = await res.text();
  t.match(html, /not connected/);
  t.match(html, /consent_denied|authorization_failed/, 'the stable code is named');
  t.notMatch(html, /^\s*\{/, 'not JSON');
});
