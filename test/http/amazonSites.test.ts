import t, { type Test } from 'tap';
import { run, type CliOutput } from '../../src/cli/run.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { authorizeAmazon, consent, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/**
 * Issue #16 items 3–5 against the Amazon sandbox over real HTTP: the store country's own Seller
 * Central, shadow marketplaces, marketplaces left without a store, a revoked consent, renewal due,
 * and the consent pages a seller's browser sees.
 */
const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const MX = 'A1AM78C64UM0Y8';
const SHADOW_US = 'A2ZV50J4W1RKNI';
const DAY = 86_400_000;

const setUp = async (t: Test, env: Record<string, string> = {}) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { seed: 'amazon-sites', amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), ...env }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  return { clock, sandboxes, svc, tenant, call, seller: sandboxes.amazon.sellers[0]!.sellerId };
};

const storesOf = async (svc: TestService, call: (m: string, p: string) => Promise<Response>) => {
  await svc.projections.caughtUp(['stores', 'authorizations', 'pull_schedule']);
  return (await json(await call('GET', '/v1/stores'))).items as { storeId: string; marketplaceId: string; status: string }[];
};

t.test('#16.3: a CA seller is sent to sellercentral.amazon.ca and still gets every store of NA; shadow marketplaces are ignored and logged', async (t) => {
  const { sandboxes, svc, call } = await setUp(t);
  const started = await call('POST', '/v1/authorizations/amazon', { name: 'Maple', country: 'CA' });
  t.equal(started.status, 201);
  const { consentUrl, authorizationId } = await json(started);
  const flow = await consent(svc, consentUrl);
  const sellerCentral = new URL(flow.sellerCentralUrl);
  t.equal(sellerCentral.pathname, '/sellercentral/sellercentral.amazon.ca/apps/authorize/consent', "the link leads to Canada's Seller Central (sandbox host)");
  t.equal(sellerCentral.searchParams.get('application_id'), sandboxes.amazon.app.applicationId);
  t.same(sandboxes.amazon.consentHosts(), ['sellercentral.amazon.ca'], 'the sandbox served the consent as sellercentral.amazon.ca');

  const done = await flow.callback();
  t.equal(done.status, 200);
  const auth = await json(done);
  t.match(auth, { authorizationId, status: 'active', region: 'NA', countryCode: 'CA', renewalDue: false });
  t.same(auth.marketplaces.map((m: { marketplaceId: string }) => m.marketplaceId).sort(), [CA, US, MX].sort(), 'the shadow "Non-Amazon" marketplace is not among them');
  const stores = await storesOf(svc, call);
  t.same(stores.filter((s) => s.status === 'active').map((s) => s.marketplaceId).sort(), [CA, US].sort(), 'every participating NA marketplace has a store');
  t.notOk(stores.some((s) => s.marketplaceId === SHADOW_US), 'no store for the shadow marketplace');
  t.match(svc.logs(), new RegExp(`"marketplaceId":"${SHADOW_US}".*not Amazon marketplaces`), 'the ignored marketplace is logged');

  const list = (await json(await call('GET', '/v1/authorizations'))).items;
  t.match(list.find((a: { authorizationId: string }) => a.authorizationId === authorizationId), { countryCode: 'CA', region: 'NA', renewalDue: false });

  // The re-authorization goes to the same country's Seller Central.
  const renewal = await json(await call('POST', `/v1/authorizations/${authorizationId}/reauthorize`));
  const again = await consent(svc, renewal.consentUrl);
  t.match(new URL(again.sellerCentralUrl).pathname, /sellercentral\.amazon\.ca/);
  t.equal((await again.callback()).status, 200);

  // Country and region: the region follows from the country; a contradiction or neither is refused.
  const mismatch = await call('POST', '/v1/authorizations/amazon', { name: 'x', country: 'FR', region: 'NA' });
  t.equal(mismatch.status, 400);
  t.equal((await json(mismatch)).code, 'country_region_mismatch');
  t.equal((await call('POST', '/v1/authorizations/amazon', { name: 'x' })).status, 400, 'neither country nor region');
  t.equal((await call('POST', '/v1/authorizations/amazon', { name: 'x', country: 'XX' })).status, 400, 'not an Amazon country');
  const uk = await json(await call('POST', '/v1/authorizations/amazon', { name: 'UK', country: 'UK' }));
  const ukFlow = await fetch(new URL(new URL(uk.consentUrl).pathname + new URL(uk.consentUrl).search, svc.url), { redirect: 'manual' });
  t.match(ukFlow.headers.get('location'), /\/sellercentral\/sellercentral-europe\.amazon\.com\/apps\/authorize\/consent/, 'UK sellers sign in on Seller Central Europe');
  // Region alone still works (compatibility): the region's main Seller Central, as before.
  const byRegion = await json(await call('POST', '/v1/authorizations/amazon', { name: 'FE', region: 'FE' }));
  const feFlow = await fetch(new URL(new URL(byRegion.consentUrl).pathname + new URL(byRegion.consentUrl).search, svc.url), { redirect: 'manual' });
  t.equal(new URL(feFlow.headers.get('location')!).origin, new URL(sandboxes.amazon.urls.FE).origin);
});

t.test('#16.3: a participating marketplace left without a store at the start is added later; a store can be left out again', async (t) => {
  const { svc, call } = await setUp(t);
  const started = await json(await call('POST', '/v1/authorizations/amazon', { name: 'US only', country: 'US', excludeMarketplaceIds: [CA] }));
  const granted = await json(await (await consent(svc, started.consentUrl)).callback());
  t.same(granted.excludedMarketplaceIds, [CA]);
  t.equal(granted.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === CA).storeId, null, 'no store for CA');
  t.same((await storesOf(svc, call)).map((s) => s.marketplaceId), [US]);

  // Sync keeps it out.
  t.equal((await json(await call('POST', `/v1/authorizations/${started.authorizationId}/sync-marketplaces`))).marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === CA).storeId, null);

  const added = await call('PUT', `/v1/authorizations/${started.authorizationId}/marketplaces/${CA}`, { enabled: true });
  t.equal(added.status, 200);
  const withCa = await json(added);
  t.same(withCa.excludedMarketplaceIds, []);
  const caStore = withCa.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === CA).storeId;
  t.ok(caStore, 'CA gets its store');
  let stores = await storesOf(svc, call);
  t.same(stores.map((s) => [s.marketplaceId, s.status]).sort(), [[CA, 'active'], [US, 'active']].sort());
  t.match(await svc.pulls.pullStore(caStore, 'manual'), { ok: true }, 'and it pulls');

  // Left out again: the store stays (its orders keep their identity) but stops pulling.
  const removed = await json(await call('PUT', `/v1/authorizations/${started.authorizationId}/marketplaces/${CA}`, { enabled: false }));
  t.same(removed.excludedMarketplaceIds, [CA]);
  stores = await storesOf(svc, call);
  t.equal(stores.find((s) => s.marketplaceId === CA)!.status, 'paused');
  const schedule = await svc.db.query<{ active: boolean }>('SELECT active FROM pull_schedule WHERE store_id = $1', [caStore]);
  t.equal(schedule.rows[0]!.active, false, 'not scheduled');
  // Back again: the same store, active.
  const back = await json(await call('PUT', `/v1/authorizations/${started.authorizationId}/marketplaces/${CA}`, { enabled: true }));
  t.equal(back.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === CA).storeId, caStore, 'the same store id');
  t.equal((await storesOf(svc, call)).find((s) => s.marketplaceId === CA)!.status, 'active');

  const unknown = await call('PUT', `/v1/authorizations/${started.authorizationId}/marketplaces/A1PA6795UKMFR9`, { enabled: true });
  t.equal(unknown.status, 404);
  t.equal((await json(unknown)).code, 'marketplace_not_found');
  t.equal((await call('PUT', `/v1/authorizations/${started.authorizationId}/marketplaces/${CA}`, { enabled: 'yes' })).status, 400);
});

t.test('#16.4: a revoked consent marks the authorization reauthorization_required, stops its pulls, shows everywhere; consenting again brings it back', async (t) => {
  const { clock, sandboxes, svc, call, tenant, seller } = await setUp(t);
  const auth = await authorizeAmazon(svc, tenant.apiKey, { country: 'US' });
  const [storeId] = auth.storeIds as [string];
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true }, 'pulls work');

  // A transient LWA failure (503) is not a revoked consent.
  clock.advance(2 * 3600_000); // the cached access token lapses: the next pull asks LWA
  sandboxes.amazon.faults.next({ status: 503, route: 'lwaToken', count: 20 });
  const transient = await svc.pulls.pullStore(storeId, 'manual');
  t.match(transient, { ok: false, reason: 'server_error' });
  sandboxes.amazon.faults.clear();
  t.equal((await json(await call('GET', `/v1/authorizations/${auth.authorizationId}`))).status, 'active', 'a 503 from LWA marks nothing');

  t.ok(sandboxes.amazon.revoke({ sellerId: seller }) >= 1, 'the seller revokes OMS in Seller Central');
  // Let the cached access token lapse, as it would within the hour.
  clock.advance(2 * 3600_000);
  const refused = await svc.pulls.pullStore(storeId, 'manual');
  t.match(refused, { ok: false, reason: 'invalid_grant' });
  const view = await json(await call('GET', `/v1/authorizations/${auth.authorizationId}`));
  t.match(view, { status: 'reauthorization_required', lastFailure: { reason: 'lwa_invalid_grant', detail: /authorize OMS again/ } });
  await svc.projections.caughtUp(['authorizations', 'stores', 'pull_schedule']);
  const listed = (await json(await call('GET', '/v1/authorizations'))).items.find((a: { authorizationId: string }) => a.authorizationId === auth.authorizationId);
  t.match(listed, { status: 'reauthorization_required', lastFailure: 'lwa_invalid_grant' });
  const stores = await storesOf(svc, call);
  t.ok(stores.every((s) => s.status === 'paused'), 'its stores stop');
  const active = await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pull_schedule WHERE active');
  t.equal(active.rows[0]!.n, 0, 'the scheduler has nothing of it to claim (no hammering)');
  const next = await svc.pulls.pullStore(storeId, 'manual');
  t.match(next, { ok: false, reason: 'store_not_active' }, 'a manual pull does not call Amazon either');
  const lwaCalls = sandboxes.amazon.counters.byStatus('lwaToken');
  t.match(await (await svc.call('GET', '/metrics')).text(), /oms_authorizations_reauthorization_required\{platform="amazon"[^}]*\} 1/);

  // oms status lists it.
  const db = svc.db as Database & { url: string; schema: string };
  let stdout = '';
  const out: CliOutput = { write: (s: string) => (stdout += s), isTTY: false };
  const code = await run(['status', '--no-probe'], { stdout: out, stderr: { write: () => true, isTTY: false }, env: { NODE_ENV: 'test', DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema } });
  t.equal(code, 0);
  t.match(stdout, /1 need re-authorization \(pulls stopped\)/);
  t.match(stdout, new RegExp(`${auth.authorizationId} +amazon +.+reauthorization_required +lwa_invalid_grant`));

  // The seller consents again: the same authorization, its stores, pulling again.
  const renewal = await json(await call('POST', `/v1/authorizations/${auth.authorizationId}/reauthorize`));
  const back = await (await consent(svc, renewal.consentUrl)).callback();
  t.equal(back.status, 200);
  t.match(await json(back), { authorizationId: auth.authorizationId, status: 'active', lastFailure: null });
  const after = await storesOf(svc, call);
  t.same(after.map((s) => s.storeId).sort(), stores.map((s) => s.storeId).sort(), 'the same stores');
  t.ok(after.every((s) => s.status === 'active'), 'active again');
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true }, 'pulls resume');
  t.same(sandboxes.amazon.counters.byStatus('lwaToken')[400] ?? 0, lwaCalls[400] ?? 0, 'no refused refresh since it was marked');
  t.match(await (await svc.call('GET', '/metrics')).text(), /oms_authorizations_reauthorization_required\{platform="amazon"[^}]*\} 0/);
});

t.test('#16.4: authorizations within 30 days of their renewal date are listed as due', async (t) => {
  const { clock, svc, call, tenant } = await setUp(t);
  const auth = await authorizeAmazon(svc, tenant.apiKey, { country: 'MX' });
  await svc.projections.caughtUp(['authorizations']);
  t.same((await json(await call('GET', '/v1/authorizations?due=renewal'))).items, [], 'a fresh consent is not due');
  clock.advance(340 * DAY);
  const due = (await json(await call('GET', '/v1/authorizations?due=renewal'))).items;
  t.match(due, [{ authorizationId: auth.authorizationId, renewalDue: true }]);
  t.match(await json(await call('GET', `/v1/authorizations/${auth.authorizationId}`)), { renewalDue: true, renewal: { warning: true } });
  t.match(await (await svc.call('GET', '/metrics')).text(), /oms_authorizations_renewal_due\{platform="amazon"[^}]*\} 1/);
  t.equal((await call('GET', '/v1/authorizations?due=soon')).status, 400);
});

/** The seller's browser: no JSON Accept header, cookies carried by hand. */
const browserConsent = async (svc: TestService, consentUrl: string) => {
  const link = new URL(consentUrl);
  const followed = await fetch(new URL(`${link.pathname}${link.search}`, svc.url), { redirect: 'manual', headers: { accept: 'text/html,*/*;q=0.8' } });
  const cookie = (followed.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await fetch(followed.headers.get('location')!, { redirect: 'manual' });
  const back = new URL(page.headers.get('location')!);
  const callback = () => fetch(new URL(`/v1/authorizations/amazon/callback${back.search}`, svc.url), { redirect: 'manual', headers: { cookie, accept: 'text/html,*/*;q=0.8' } });
  return { link, callback };
};

t.test('#16.5: without CONSOLE_URL the browser gets a small page saying what happened — never raw JSON', async (t) => {
  const { svc, call } = await setUp(t);
  const started = await json(await call('POST', '/v1/authorizations/amazon', { name: 'Shop <b>&</b>', country: 'CA' }));
  const { link, callback } = await browserConsent(svc, started.consentUrl);
  const ok = await callback();
  t.equal(ok.status, 200);
  t.match(ok.headers.get('content-type'), /^text\/html/);
  const html = await ok.text();
  t.match(html, /Store connected/);
  t.match(html, /Shop &lt;b&gt;&amp;&lt;\/b&gt;/, 'text is escaped');
  t.match(html, /2 stores/);
  t.notMatch(html, /<script|<link|src=/, 'no external assets, no script');

  const replay = await callback();
  t.equal(replay.status, 400);
  t.match(replay.headers.get('content-type'), /^text\/html/);
  const refusal = await replay.text();
  t.match(refusal, /not connected/);
  t.match(refusal, /invalid_state/);
  t.match(refusal, /start the authorization again/);

  const usedLink = await fetch(new URL(`${link.pathname}${link.search}`, svc.url), { redirect: 'manual' });
  t.equal(usedLink.status, 400, 'a used link: a page too');
  t.match(await usedLink.text(), /invalid_state|consent_link_used/);
});

t.test('#16.5: with CONSOLE_URL the browser is sent to the console page of the authorization with the outcome', async (t) => {
  const { svc, call } = await setUp(t, { CONSOLE_URL: 'https://console.example.test/oms/' });
  const started = await json(await call('POST', '/v1/authorizations/amazon', { name: 'Console', country: 'US' }));
  const { callback } = await browserConsent(svc, started.consentUrl);
  const ok = await callback();
  t.equal(ok.status, 303);
  t.equal(ok.headers.get('location'), `https://console.example.test/oms/#/authorizations/${started.authorizationId}?outcome=connected`);
  const replay = await callback();
  t.equal(replay.status, 303);
  t.equal(replay.headers.get('location'), `https://console.example.test/oms/#/authorizations/${started.authorizationId}?outcome=failed&code=invalid_state`);
  // Scripts keep the JSON answer with Accept: application/json.
  const asScript = await svc.call('GET', `/v1/authorizations/amazon/callback?state=${started.authorizationId}.forged&spapi_oauth_code=x&selling_partner_id=y`, { headers: { accept: 'application/json' } });
  t.equal(asScript.status, 400);
  t.equal((await json(asScript)).code, 'invalid_state');
});
