import t, { type Test } from 'tap';
import type { Sandboxes } from '../../src/sandbox/index.js';
import { consent, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const setUp = async (t: Test) => {
  const sandboxes = await sandboxesFor(t, { seed: 'auth-tests', amazon: { orders: false }, walmart: { orders: false } });
  const clock = movableClock();
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  return { sandboxes, svc, tenant, call, clock };
};

/** Every committed event (a direct count: readAll may still hold back events behind an open transaction). */
const eventCount = async (svc: TestService) => (await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events')).rows[0]!.n;

t.test('Amazon: consent URL → callback → one store per participating marketplace of the region', async (t) => {
  const { sandboxes, svc, call } = await setUp(t);
  const started = await call('POST', '/v1/authorizations/amazon', { name: 'EU account', region: 'EU', initialLookbackDays: 5 });
  t.equal(started.status, 201);
  const { consentUrl, authorizationId } = await json(started);
  const link = new URL(consentUrl);
  t.equal(link.origin, new URL(sandboxes.amazon.app.redirectUris[0]!).origin, "OMS's public origin (the callback's host)");
  t.ok(link.searchParams.get('state'), 'carries a state');
  const { callback, callbackWith, query, sellerCentralUrl } = await consent(svc, consentUrl);
  const url = new URL(sellerCentralUrl);
  t.equal(url.origin, new URL(sandboxes.amazon.urls.EU).origin, "the link leads on to the region's Seller Central");
  t.equal(url.searchParams.get('application_id'), sandboxes.amazon.app.applicationId);
  t.equal(url.searchParams.get('state'), link.searchParams.get('state'));

  const done = await callback();
  t.equal(done.status, 200);
  const auth = await json(done);
  t.match(auth, { authorizationId, status: 'active', region: 'EU', initialLookbackDays: 5, accountId: sandboxes.amazon.sellers[0]!.sellerId });
  t.ok(auth.renewal.daysLeft >= 364 && auth.renewal.warning === false, 'renewal date one year ahead');
  const participating = auth.marketplaces.filter((m: { isParticipating: boolean }) => m.isParticipating);
  t.same(participating.map((m: { countryCode: string }) => m.countryCode).sort(), ['DE', 'FR', 'GB']);
  t.ok(participating.every((m: { storeId: string | null }) => m.storeId), 'each participating marketplace has a store');

  await svc.projections.caughtUp(['stores']);
  const stores = (await json(await call('GET', '/v1/stores'))).items;
  t.equal(stores.length, 3);
  t.ok(stores.every((s: { platform: string; status: string }) => s.platform === 'amazon' && s.status === 'active'));

  const before = await eventCount(svc);
  const replay = await callbackWith(query);
  t.equal(replay.status, 400, 'a replayed state is refused');
  t.equal((await json(replay)).code, 'invalid_state');
  const forged = await svc.call('GET', `/v1/authorizations/amazon/callback?state=${authorizationId}.forged&spapi_oauth_code=x&selling_partner_id=y`, { headers: { accept: 'application/json' } });
  t.equal(forged.status, 400, 'a forged state is refused');
  t.equal(await eventCount(svc), before, 'refused callbacks write nothing');

  // The same account and region again: refused, naming the authorization to renew instead; no stores duplicated.
  const again = await json(await call('POST', '/v1/authorizations/amazon', { name: 'EU again', region: 'EU' }));
  const second = await (await consent(svc, again.consentUrl)).callback();
  t.equal(second.status, 409);
  t.match(await json(second), { code: 'account_already_connected', authorizationId, hint: /reauthorize/ });
  await svc.projections.caughtUp(['stores', 'authorizations']);
  t.equal((await json(await call('GET', '/v1/stores'))).items.length, 3, 'no duplicate stores');
  const list = (await json(await call('GET', '/v1/authorizations'))).items;
  t.match(
    list.map((a: { authorizationId: string }) => a),
    [
      { authorizationId: again.authorizationId, status: 'failed', lastFailure: 'account_already_connected', accountId: null },
      { authorizationId, status: 'active', accountId: sandboxes.amazon.sellers[0]!.sellerId, clientIdHint: null },
    ],
    'the refused attempt is listed as failed; the list shows the account',
  );

  const paused = await json(await call('POST', `/v1/authorizations/${authorizationId}/pause`));
  t.equal(paused.status, 'paused');
  await svc.projections.caughtUp(['stores']);
  t.ok((await json(await call('GET', '/v1/stores'))).items.every((s: { status: string }) => s.status === 'paused'), 'all stores of the region pause');
  const single = await call('POST', `/v1/stores/${stores[0].storeId}/pause`);
  t.equal(single.status, 409, 'a single Amazon store cannot be paused');
  t.equal((await json(single)).code, 'store_pause_not_supported');
  t.equal((await json(await call('POST', `/v1/authorizations/${authorizationId}/resume`))).status, 'active');
});

t.test('Amazon: expired state, LWA invalid_grant, and a different account on renewal', async (t) => {
  const { sandboxes, svc, call, clock } = await setUp(t);
  const first = await json(await call('POST', '/v1/authorizations/amazon', { name: 'NA', region: 'NA' }));
  const { callback } = await consent(svc, first.consentUrl);
  clock.advance(11 * 60_000);
  const expired = await callback();
  t.equal(expired.status, 400);
  t.equal((await json(expired)).code, 'state_expired');
  t.same((await svc.store.readStream(`authorization-${first.authorizationId}`)).map((e) => e.type), ['AmazonConsentRequested', 'ConsentLinkFollowed'], 'nothing recorded but the link followed');

  const bad = await json(await call('POST', '/v1/authorizations/amazon', { name: 'NA', region: 'NA' }));
  const state = new URL(bad.consentUrl).searchParams.get('state')!;
  const { cookie } = await consent(svc, bad.consentUrl);
  const refused = await svc.call('GET', `/v1/authorizations/amazon/callback?state=${encodeURIComponent(state)}&spapi_oauth_code=not-a-code&selling_partner_id=A1`, { headers: { cookie, accept: 'application/json' } });
  t.equal(refused.status, 422);
  t.match(await json(refused), { code: 'authorization_failed', reason: 'lwa_invalid_grant' });
  const events = await svc.store.readStream(`authorization-${bad.authorizationId}`);
  t.match(events.at(-1), { type: 'AuthorizationFailed', data: { reason: 'lwa_invalid_grant' } }, 'a failure event with its reason');
  t.equal((await json(await call('GET', `/v1/authorizations/${bad.authorizationId}`))).status, 'failed');

  const good = await json(await call('POST', '/v1/authorizations/amazon', { name: 'NA', region: 'NA' }));
  await (await consent(svc, good.consentUrl)).callback();
  const renewalRes = await call('POST', `/v1/authorizations/${good.authorizationId}/reauthorize`);
  const renewal = await json(renewalRes);
  t.equal(renewalRes.status, 200, JSON.stringify(renewal));
  sandboxes.amazon.consentAs(sandboxes.amazon.sellers[1]!.sellerId);
  const mismatch = await (await consent(svc, renewal.consentUrl)).callback();
  t.equal(mismatch.status, 422);
  t.match(await json(mismatch), { code: 'authorization_failed', reason: 'account_mismatch' });
  t.equal((await json(await call('GET', `/v1/authorizations/${good.authorizationId}`))).status, 'active', 'the authorization keeps its account');
});

t.test('Walmart: each refusal with its code and hint, nothing stored; then one store', async (t) => {
  const { sandboxes, svc, call } = await setUp(t);
  const { walmart } = sandboxes as Sandboxes;
  const vaultRows = async () => (await svc.db.query('SELECT count(*)::int AS n FROM vault_secrets')).rows[0];
  const before = { events: await eventCount(svc), vault: await vaultRows() };
  const main = walmart.client('main');

  const identical = await call('POST', '/v1/authorizations/walmart', { name: 'W', clientId: ' same ', clientSecret: 'same' });
  t.equal(identical.status, 422);
  t.match(await json(identical), { code: 'credentials_identical', hint: /copy/ });
  const sandboxKey = walmart.client('sandboxKey');
  const rejected = await call('POST', '/v1/authorizations/walmart', { name: 'W', clientId: sandboxKey.clientId, clientSecret: sandboxKey.clientSecret });
  t.equal(rejected.status, 422);
  t.match(await json(rejected), { code: 'credentials_rejected', hint: /sandbox keys do not work/ });
  const noOrders = walmart.client('noOrderAccess');
  const missing = await call('POST', '/v1/authorizations/walmart', { name: 'W', clientId: noOrders.clientId, clientSecret: noOrders.clientSecret });
  t.equal(missing.status, 422);
  t.match(await json(missing), { code: 'missing_permission', permission: 'orders', hint: /Orders/ });
  t.same({ events: await eventCount(svc), vault: await vaultRows() }, before, 'nothing stored on failure');

  const created = await call('POST', '/v1/authorizations/walmart', { name: 'Walmart US', clientId: `  ${main.clientId}\n`, clientSecret: main.clientSecret });
  t.equal(created.status, 201);
  const auth = await json(created);
  t.match(auth, { platform: 'walmart', status: 'active', clientIdHint: `…${main.clientId.slice(-4)}`, scopes: { orders: 'full_access' } });
  t.equal(auth.marketplaces.length, 1, 'one store per Walmart authorization');
  const body = JSON.stringify(auth);
  t.notOk(body.includes(main.clientSecret), 'the secret is never answered');
  const again = await call('POST', '/v1/authorizations/walmart', { name: 'again', clientId: main.clientId, clientSecret: main.clientSecret });
  t.equal(again.status, 409, 'the same key again is refused');
  t.match(await json(again), { code: 'account_already_connected', authorizationId: auth.authorizationId });

  // New keys (#13.7): the authorization shows the new key's hint and account, in the detail and the list.
  const other = walmart.client('ordersViewOnly');
  const replaced = await call('POST', `/v1/authorizations/${auth.authorizationId}/reauthorize`, { clientId: other.clientId, clientSecret: other.clientSecret });
  t.equal(replaced.status, 200);
  const renewed = await json(replaced);
  t.match(renewed, { clientIdHint: `…${other.clientId.slice(-4)}`, scopes: { orders: 'view_only' } });
  t.not(renewed.accountId, auth.accountId, 'the account follows the key');
  await svc.projections.caughtUp(['authorizations']);
  t.match((await json(await call('GET', '/v1/authorizations'))).items, [{ authorizationId: auth.authorizationId, accountId: renewed.accountId, clientIdHint: renewed.clientIdHint }]);
  t.equal((await call('POST', '/v1/authorizations/walmart', { name: 'W', clientId: other.clientId, clientSecret: other.clientSecret })).status, 409, 'the new key is claimed');

  // Revocation destroys the secret (crypto-shredding) but the history still reads.
  const events = await svc.store.readStream(`authorization-${auth.authorizationId}`);
  const secretRef = (events.findLast((e) => e.type === 'AuthorizationRenewed')!.data as { secretRef: string }).secretRef;
  t.match(JSON.parse(await svc.vault.readSecret(secretRef)), { clientSecret: other.clientSecret });
  t.equal((await json(await call('DELETE', `/v1/authorizations/${auth.authorizationId}`))).status, 'revoked');
  await t.rejects(svc.vault.readSecret(secretRef), /destroyed|No such secret/);
  const history = await svc.store.readStream(`authorization-${auth.authorizationId}`);
  t.same(history.map((e) => e.type), ['AuthorizationGranted', 'MarketplacesSynced', 'AuthorizationRenewed', 'AuthorizationRevoked'], 'history intact');

  // Re-authorizing the revoked authorization with keys (#13.7): 409 with a code, nothing stored.
  const stored = { events: await eventCount(svc), vault: await vaultRows() };
  const revokedKeys = await call('POST', `/v1/authorizations/${auth.authorizationId}/reauthorize`, { clientId: main.clientId, clientSecret: main.clientSecret });
  t.equal(revokedKeys.status, 409);
  t.match(await json(revokedKeys), { code: 'authorization_revoked', detail: /connect the account again/ });
  t.same({ events: await eventCount(svc), vault: await vaultRows() }, stored, 'nothing stored');
  await svc.projections.caughtUp(['stores']);
  t.same((await json(await call('GET', '/v1/stores'))).items.map((s: { status: string }) => s.status), ['revoked'], 'pulls stop: the store is revoked');
});

t.test('secrets never appear in logs, events or responses', async (t) => {
  const { sandboxes, svc, call } = await setUp(t);
  const main = sandboxes.walmart.client('main');
  const responses: string[] = [];
  const record = async (res: Promise<Response>) => {
    const r = await res;
    responses.push(await r.clone().text());
    return r;
  };
  await record(call('POST', '/v1/authorizations/walmart', { name: 'W', clientId: main.clientId, clientSecret: main.clientSecret }));
  const started = await json(await record(call('POST', '/v1/authorizations/amazon', { name: 'A', region: 'NA' })));
  const { callback, query } = await consent(svc, started.consentUrl);
  await record(callback());
  const code = new URLSearchParams(query).get('spapi_oauth_code')!;
  const refreshTokens = (await svc.db.query<{ sealed: string }>('SELECT sealed FROM vault_secrets')).rows;
  t.ok(refreshTokens.length >= 2, 'secrets are in the vault');
  const refreshToken = await svc.vault.readSecret(
    (await svc.store.readStream(`authorization-${started.authorizationId}`)).flatMap((e) => ((e.data as { secretRef?: string }).secretRef ? [(e.data as { secretRef: string }).secretRef] : []))[0]!,
  );
  const everything = [svc.logs(), JSON.stringify((await svc.store.readAll(null, { maxCount: 10_000 })).events), ...responses].join('\n');
  for (const [what, secret] of [
    ['Walmart client secret', main.clientSecret],
    ['Amazon refresh token', refreshToken],
    ['LWA client secret', sandboxes.amazon.app.clientSecret],
    ['one-time code', code],
  ] as const) {
    t.notOk(everything.includes(secret), `${what} is nowhere in logs, events or responses`);
  }
});
