import t, { type Test } from 'tap';
import { consent, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/**
 * The consent flows under attack and misuse (issue #14 items 1, 2, 4, 5; #13 item 2): every test
 * goes over real HTTP through OMS and the Amazon/Walmart sandboxes.
 */
const US = 'ATVPDKIKX0DER';
const DAY = 86_400_000;
const MIN = 60_000;

const setUp = async (t: Test) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { seed: 'consent-security', amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  // Every pull a sweep of the window (PULL_SWEEP_HOURS=0): the reconnect test re-reads orders pulled before.
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), PULL_SWEEP_HOURS: '0' }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown, token = tenant.apiKey) => svc.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
  const [s1, s2] = sandboxes.amazon.sellers.map((s) => s.sellerId) as [string, string];
  return { clock, sandboxes, svc, tenant, call, s1, s2 };
};

const count = async (svc: TestService, sql: string) => (await svc.db.query<{ n: number }>(sql)).rows[0]!.n;
const eventCount = (svc: TestService) => count(svc, 'SELECT count(*)::int AS n FROM es_events');
const secretCount = (svc: TestService) => count(svc, 'SELECT count(*)::int AS n FROM vault_secrets');

/** Start an Amazon consent for the tenant and play the browser as far as the redirect back. */
const startConsent = async (svc: TestService, call: (m: string, p: string, b?: unknown) => Promise<Response>, path = '/v1/authorizations/amazon') => {
  const res = await call('POST', path, path.endsWith('/amazon') ? { name: 'Amazon NA', region: 'NA' } : undefined);
  const started = await json(res);
  return { started, ...(await consent(svc, started.consentUrl)) };
};

const storesOf = async (svc: TestService, call: (m: string, p: string) => Promise<Response>) => {
  await svc.projections.caughtUp(['stores']);
  return (await json(await call('GET', '/v1/stores'))).items.map((s: { storeId: string; status: string; authorizationId: string }) => ({
    storeId: s.storeId,
    status: s.status,
    authorizationId: s.authorizationId,
  }));
};

t.test('#14.1: re-authorizing X while another connected account consents is refused before any merge', async (t) => {
  const { sandboxes, svc, call, s1, s2 } = await setUp(t);
  sandboxes.amazon.consentAs(s1);
  const x = await json(await (await startConsent(svc, call)).callback());
  sandboxes.amazon.consentAs(s2);
  const y = await json(await (await startConsent(svc, call)).callback());
  t.same([x.accountId, y.accountId], [s1, s2], 'X is S1, Y is S2, in the same region');
  const storesBefore = await storesOf(svc, call);
  const secretsBefore = await secretCount(svc);

  // S2 is still signed in to Seller Central when X is renewed.
  const renewal = await startConsent(svc, call, `/v1/authorizations/${x.authorizationId}/reauthorize`);
  const refused = await renewal.callback();
  t.equal(refused.status, 422);
  t.match(await json(refused), { code: 'authorization_failed', reason: 'account_mismatch' });
  const xAfter = await json(await call('GET', `/v1/authorizations/${x.authorizationId}`));
  t.match(xAfter, { status: 'active', accountId: s1, mergedInto: null, lastFailure: { reason: 'account_mismatch' } }, 'X is not merged and keeps its account');
  t.match(await json(await call('GET', `/v1/authorizations/${y.authorizationId}`)), { status: 'active', accountId: s2 }, 'Y is untouched');
  t.same(await storesOf(svc, call), storesBefore, 'every store as before');
  t.equal(await secretCount(svc), secretsBefore, 'no secret stored for the refused consent');

  // X can be renewed later by the right account.
  sandboxes.amazon.consentAs(s1);
  const again = await (await startConsent(svc, call, `/v1/authorizations/${x.authorizationId}/reauthorize`)).callback();
  t.equal(again.status, 200);
  t.match(await json(again), { authorizationId: x.authorizationId, status: 'active', accountId: s1, lastFailure: null });
  t.equal(await secretCount(svc), secretsBefore, 'the renewed secret replaced the old one');
});

t.test('#14.2: the account is what Amazon says is behind the token, not the editable selling_partner_id', async (t) => {
  const { sandboxes, svc, call, s1, s2 } = await setUp(t);
  sandboxes.amazon.consentAs(s1);
  const first = await json(await (await startConsent(svc, call)).callback());
  t.equal(first.accountId, s1);
  t.ok(sandboxes.amazon.counters.count('getMyFeesEstimateForASIN') >= 1, 'the Product Fees API was asked who the account is');

  // S1 consents again, and the browser edits the claim to S2 (an account not connected here).
  const tampered = await startConsent(svc, call);
  const before = { events: await eventCount(svc), secrets: await secretCount(svc) };
  const query = new URLSearchParams(tampered.query);
  query.set('selling_partner_id', s2);
  const refused = await tampered.callbackWith(`?${query}`);
  t.equal(refused.status, 422);
  t.match(await json(refused), { code: 'authorization_failed', reason: 'account_claim_mismatch' });
  t.equal(await secretCount(svc), before.secrets, 'no secret kept');
  const history = (await svc.store.readStream(`authorization-${tampered.started.authorizationId}`)).map((e) => e.type);
  t.same(history, ['AmazonConsentRequested', 'ConsentLinkFollowed', 'ConsentStateRedeemed', 'AuthorizationFailed'], 'the attempt failed, nothing granted');
  const stores = await storesOf(svc, call);
  t.equal(stores.length, first.marketplaces.filter((m: { storeId: string | null }) => m.storeId).length, 'no second set of stores');
});

t.test('#14.4: the consent is bound to the browser that followed the link, once', async (t) => {
  const { sandboxes, svc, call, s1 } = await setUp(t);
  sandboxes.amazon.consentAs(s1);
  const started = await json(await call('POST', '/v1/authorizations/amazon', { name: 'NA', region: 'NA' }));
  const link = new URL(started.consentUrl);
  t.equal(link.pathname, '/v1/authorizations/consent', "the link is OMS's own route");
  t.equal(link.searchParams.get('state'), started.state);

  const followed = await fetch(new URL(`${link.pathname}${link.search}`, svc.url), { redirect: 'manual' });
  t.equal(followed.status, 302);
  const sellerCentral = new URL(followed.headers.get('location')!);
  t.equal(sellerCentral.origin, new URL(sandboxes.amazon.urls.NA).origin, "then Seller Central of the authorization's region");
  t.equal(sellerCentral.searchParams.get('state'), started.state);
  t.equal(sellerCentral.searchParams.get('application_id'), sandboxes.amazon.app.applicationId);
  const setCookie = followed.headers.get('set-cookie')!;
  t.match(setCookie, /^oms_consent_[0-9a-f-]{36}=[A-Za-z0-9_-]{43}; /, 'a random cookie per authorization');
  // OMS's public origin (the redirect URI's) is https, so the cookie is Secure even though this request came over plain HTTP.
  for (const attribute of ['HttpOnly', 'SameSite=Lax', 'Path=/v1/authorizations', 'Max-Age=600', 'Secure']) t.ok(setCookie.includes(attribute), attribute);

  const second = await fetch(new URL(`${link.pathname}${link.search}`, svc.url), { redirect: 'manual', headers: { accept: 'application/json' } });
  t.equal(second.status, 409, 'the link works once: another browser cannot bind it');
  t.equal((await json(second)).code, 'consent_link_used');
  t.notOk(second.headers.get('set-cookie'), 'and gets no cookie');

  const page = await fetch(sellerCentral, { redirect: 'manual' });
  const back = new URL(page.headers.get('location')!).search;
  const cookie = setCookie.split(';')[0]!;
  const before = await eventCount(svc);
  for (const [what, withCookie] of [
    ['no cookie (the link sent to someone else, or a replay from a log)', null],
    ['a cookie of another consent', `${cookie.split('=')[0]}=${'A'.repeat(43)}`],
  ] as const) {
    const res = await svc.call('GET', `/v1/authorizations/amazon/callback${back}`, { headers: { accept: 'application/json', ...(withCookie ? { cookie: withCookie } : {}) } });
    t.equal(res.status, 400, what);
    t.equal((await json(res)).code, 'state_not_bound', what);
  }
  t.equal(await eventCount(svc), before, 'refused callbacks write nothing and do not spend the state');

  const done = await svc.call('GET', `/v1/authorizations/amazon/callback${back}`, { headers: { accept: 'application/json', cookie: `other=1; ${cookie}` } });
  t.equal(done.status, 200, 'the browser that followed the link completes the consent');
  t.match(done.headers.get('set-cookie'), /Max-Age=0/, 'and its cookie is spent');
  t.match(await json(done), { authorizationId: started.authorizationId, status: 'active', accountId: s1 });

  const unknown = await fetch(new URL(`/v1/authorizations/consent?state=${started.authorizationId}.forged`, svc.url), { redirect: 'manual', headers: { accept: 'application/json' } });
  t.equal(unknown.status, 400, 'a forged state is refused at the link too');
  t.equal((await json(unknown)).code, 'invalid_state');
});

t.test('#13.2: an account connected already is refused — naming the holder within the tenant, nothing across tenants', async (t) => {
  const { sandboxes, svc, call, tenant, s1 } = await setUp(t);
  sandboxes.amazon.consentAs(s1);
  const held = await json(await (await startConsent(svc, call)).callback());
  const storesBefore = await storesOf(svc, call);

  const same = await (await startConsent(svc, call)).callback();
  t.equal(same.status, 409);
  const sameBody = await json(same);
  t.match(sameBody, { code: 'account_already_connected', authorizationId: held.authorizationId, hint: new RegExp(`${held.authorizationId}/reauthorize`) });
  t.same(await storesOf(svc, call), storesBefore, 'no second set of stores');

  const other = await createTenant(svc, 'Other');
  const asOther = (m: string, p: string, b?: unknown) => call(m, p, b, other.apiKey);
  const secrets = await secretCount(svc);
  const elsewhere = await (await startConsent(svc, asOther)).callback();
  t.equal(elsewhere.status, 409);
  const body = await elsewhere.text();
  t.match(JSON.parse(body), { code: 'account_already_connected', detail: /elsewhere/ });
  for (const leak of [held.authorizationId, held.name, tenant.tenantId]) t.notOk(body.includes(leak), 'nothing about the holder leaks');
  t.equal(await secretCount(svc), secrets, 'no secret kept');
  t.same((await json(await asOther('GET', '/v1/stores'))).items, [], 'the other tenant has no store');

  const key = sandboxes.walmart.client('main');
  const walmart = { name: 'W', clientId: key.clientId, clientSecret: key.clientSecret };
  const mine = await json(await call('POST', '/v1/authorizations/walmart', walmart));
  const theirs = await asOther('POST', '/v1/authorizations/walmart', walmart);
  t.equal(theirs.status, 409);
  const theirsBody = await json(theirs);
  t.match(theirsBody, { code: 'account_already_connected' });
  t.notOk(theirsBody.authorizationId, 'the Walmart holder is not named across tenants');
  const again = await call('POST', '/v1/authorizations/walmart', walmart);
  t.match({ status: again.status, body: await json(again) }, { status: 409, body: { code: 'account_already_connected', authorizationId: mine.authorizationId } });
});

t.test('#13.2: reconnecting after a revoke continues the same authorization, stores and orders', async (t) => {
  const { clock, sandboxes, svc, call, s1 } = await setUp(t);
  const { amazon } = sandboxes;
  for (const ago of [DAY, 1.5 * DAY]) amazon.orders.add({ sellerId: s1, marketplaceId: US, createdAt: clock.now().getTime() - ago, status: 'UNSHIPPED' });
  amazon.consentAs(s1);
  const first = await json(await (await startConsent(svc, call)).callback());
  const usStore = first.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === US).storeId as string;
  const pull = async () => {
    await svc.projections.caughtUp(['pull_schedule']);
    const outcome = await svc.pulls.pullStore(usStore, 'manual');
    await svc.projections.caughtUp(['orders', 'pull_schedule']);
    return outcome;
  };
  clock.advance(3 * MIN);
  t.match(await pull(), { ok: true, ordersNew: 2 });
  const orderIds = async () => (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE store_id = $1 ORDER BY 1', [usStore])).rows.map((r) => r.order_id);
  const ordersBefore = await orderIds();

  t.equal((await json(await call('DELETE', `/v1/authorizations/${first.authorizationId}`))).status, 'revoked');
  const renew = await call('POST', `/v1/authorizations/${first.authorizationId}/reauthorize`);
  t.equal(renew.status, 409, 'a revoked authorization is not renewed in place');
  t.equal((await json(renew)).code, 'authorization_revoked');

  const back = await (await startConsent(svc, call)).callback();
  t.equal(back.status, 200);
  const view = await json(back);
  t.match(view, { authorizationId: first.authorizationId, status: 'active', accountId: s1 }, 'the revoked authorization continues');
  t.same(view.marketplaces, first.marketplaces, 'with the same stores');
  const stores = await storesOf(svc, call);
  t.ok(stores.every((s: { status: string; authorizationId: string }) => s.status === 'active' && s.authorizationId === first.authorizationId), 'all active again, no new ones');
  await svc.projections.caughtUp(['authorizations']);
  const list = (await json(await call('GET', '/v1/authorizations'))).items;
  t.same(list.map((a: { authorizationId: string }) => a.authorizationId), [first.authorizationId], 'the consent that brought it back is merged into it');

  clock.advance(15 * MIN);
  const pulledEvents = () => count(svc, "SELECT count(*)::int AS n FROM es_events WHERE event_type = 'OrderPulled'");
  const eventsBefore = await pulledEvents();
  t.match(await pull(), { ok: true, ordersNew: 0, ordersUnchanged: 2 }, 'the same orders, recognised');
  t.equal(await pulledEvents(), eventsBefore, 'no order recorded again');
  t.same(await orderIds(), ordersBefore, 'the same order identities');

  // Walmart: the key of a revoked authorization brings that authorization back as well.
  const key = sandboxes.walmart.client('main');
  const walmart = { name: 'W', clientId: key.clientId, clientSecret: key.clientSecret };
  const w = await json(await call('POST', '/v1/authorizations/walmart', walmart));
  await call('DELETE', `/v1/authorizations/${w.authorizationId}`);
  const wBack = await json(await call('POST', '/v1/authorizations/walmart', walmart));
  t.match(wBack, { authorizationId: w.authorizationId, status: 'active', marketplaces: [{ storeId: w.marketplaces[0].storeId }] });
  const wStore = (await storesOf(svc, call)).find((s: { storeId: string }) => s.storeId === w.marketplaces[0].storeId);
  t.equal(wStore.status, 'active');
  // Revoking again destroys the reinstated secret too.
  await call('DELETE', `/v1/authorizations/${w.authorizationId}`);
  const secretRef = (await svc.store.readStream(`authorization-${w.authorizationId}`)).flatMap((e) => (e.type === 'AuthorizationReinstated' ? [(e.data as { secretRef: string }).secretRef] : []))[0]!;
  await t.rejects(svc.vault.readSecret(secretRef), 'the reinstated secret is gone after the second revoke');
});

t.test('#14.5: duplicate callbacks at once — the first wins, the duplicate gets invalid_state, no secret orphaned', async (t) => {
  const { sandboxes, svc, call, s1, s2 } = await setUp(t);
  const ids: string[] = [];
  // Two fresh grants, then a renewal of each: the duplicate must not undo either kind.
  for (let run = 0; run < 4; run++) {
    sandboxes.amazon.consentAs(run % 2 === 0 ? s1 : s2);
    const path = run < 2 ? '/v1/authorizations/amazon' : `/v1/authorizations/${ids[run % 2]}/reauthorize`;
    const { started, callback } = await startConsent(svc, call, path);
    if (run < 2) ids.push(started.authorizationId);
    const answers = await Promise.all([callback(), callback()]);
    const outcomes = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await json(r) })));
    t.equal(outcomes.filter((o) => o.status === 200).length, 1, `run ${run}: one callback wins`);
    t.same(outcomes.filter((o) => o.status !== 200).map((o) => [o.status, o.body.code]), [[400, 'invalid_state']], `run ${run}: the duplicate gets invalid_state`);
    const auth = await json(await call('GET', `/v1/authorizations/${started.authorizationId}`));
    t.match(auth, { status: 'active', lastFailure: null }, `run ${run}: the authorization stays granted`);
    const refs = (await svc.db.query<{ secret_ref: string }>('SELECT secret_ref::text AS secret_ref FROM vault_secrets')).rows.map((r) => r.secret_ref);
    const held = await Promise.all(
      ids.map(async (id) => (await svc.store.readStream(`authorization-${id}`)).flatMap((e) => ((e.data as { secretRef?: string }).secretRef ? [(e.data as { secretRef: string }).secretRef] : [])).at(-1)!),
    );
    t.same(refs.sort(), held.sort(), `run ${run}: the vault holds exactly the authorizations' current secrets`);
  }
});

t.test('Amazon failing after the code exchange: refused with a reason, nothing granted, no secret kept', async (t) => {
  const { sandboxes, svc, call, s1 } = await setUp(t);
  const { amazon } = sandboxes;
  amazon.consentAs(s1);
  const secrets = await secretCount(svc);

  amazon.faults.next({ status: 503, route: 'getMyFeesEstimateForASIN', count: 10 });
  const unverified = await startConsent(svc, call);
  const refused = await unverified.callback();
  t.equal(refused.status, 422);
  t.match(await json(refused), { code: 'authorization_failed', reason: 'account_unverified' });
  t.match(await json(await call('GET', `/v1/authorizations/${unverified.started.authorizationId}`)), { status: 'failed', accountId: null });
  amazon.faults.clear();

  amazon.faults.next({ status: 503, route: 'lwaToken', count: 10 });
  const lwaDown = await (await startConsent(svc, call)).callback();
  t.match({ status: lwaDown.status, body: await json(lwaDown) }, { status: 422, body: { code: 'authorization_failed', reason: /^lwa_/ } });
  amazon.faults.clear();
  t.equal(await secretCount(svc), secrets, 'no secret kept by either');

  // Participations unreadable: the account is still checked (in the region's main marketplace) and granted, without stores yet.
  amazon.faults.next({ status: 503, route: 'getMarketplaceParticipations', count: 10 });
  const noStores = await (await startConsent(svc, call)).callback();
  amazon.faults.clear();
  t.equal(noStores.status, 200);
  const granted = await json(noStores);
  t.match(granted, { status: 'active', accountId: s1, marketplaces: [], warning: /sync marketplaces/ });
  const synced = await json(await call('POST', `/v1/authorizations/${granted.authorizationId}/sync-marketplaces`));
  t.ok(synced.marketplaces.some((m: { storeId: string | null }) => m.storeId), 'the stores come with a sync');
});

t.test('two tenants connecting one account at the same moment: one wins, the other gets account_already_connected', async (t) => {
  const { sandboxes, svc, call, s1 } = await setUp(t);
  const other = await createTenant(svc, 'Other');
  const asOther = (m: string, p: string, b?: unknown) => call(m, p, b, other.apiKey);
  sandboxes.amazon.consentAs(s1);
  // After each run the winner revokes: the next run races a reinstatement against a fresh connection.
  for (let run = 0; run < 3; run++) {
    const [mine, theirs] = [await startConsent(svc, call), await startConsent(svc, asOther)];
    const answers = await Promise.all([mine.callback(), theirs.callback()]);
    const outcomes = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await json(r) })));
    t.same(outcomes.map((o) => o.status).sort(), [200, 409], `run ${run}: one connection wins`);
    const winner = outcomes.find((o) => o.status === 200)!.body;
    t.match(outcomes.find((o) => o.status === 409)!.body, { code: 'account_already_connected' }, `run ${run}: the other is told the account is connected`);
    t.equal(await secretCount(svc), 1, `run ${run}: only the winner's secret is in the vault`);
    const winnerCall = outcomes[0]!.status === 200 ? call : asOther;
    t.equal((await json(await winnerCall('DELETE', `/v1/authorizations/${winner.authorizationId}`))).status, 'revoked');
  }
});
