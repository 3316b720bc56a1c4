import t from 'tap';
import { walmartAuthApi, walmartConnectApi } from '../../src/adapters/marketplaces/walmartAuth.js';
import { MarketplaceError } from '../../src/domain/ports/marketplaces.js';
import { startWalmartSandbox } from '../../src/sandbox/index.js';

/**
 * The sandbox's Walmart Connect (OAuth 2.0 for solution providers): the authorize page's checks and
 * answers, and the Token API's authorization_code and refresh_token grants with their errors —
 * driven through OMS's own adapter where it can be.
 */
let now = Date.parse('2026-11-02T10:00:00Z');
const sandbox = await startWalmartSandbox({ now: () => now, orders: false });
t.teardown(() => sandbox.close());
const app = sandbox.app;
const redirectUri = app.redirectUris[0]!;
const seller = sandbox.mainClient.partnerId;
const api = walmartConnectApi({ apiUrl: sandbox.url, loginUrl: sandbox.url, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri });
let nonces = 0;

/** The seller's browser at the authorize page: where Walmart sends it (302 Location), or the page. */
const authorize = async (url: string) => {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
};
const approve = async (market: 'us' | 'ca' | 'mx' = 'us') => {
  const r = await authorize(api.consentUrl(market, 'state-1', `nonce-${++nonces}`));
  return new URL(r.location!).searchParams;
};
const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error instanceof MarketplaceError ? error.code : String(error);
  }
  return 'resolved';
};

t.test('the authorize page sends the seller back with code, type=auth, clientId, sellerId and state', async (t) => {
  const r = await authorize(api.consentUrl('us', 'opaque-state', 'n-first'));
  t.equal(r.status, 302);
  const back = new URL(r.location!);
  t.equal(`${back.origin}${back.pathname}`, redirectUri);
  t.match(Object.fromEntries(back.searchParams), { code: /^[0-9A-F]{32}$/, type: 'auth', clientId: app.clientId, sellerId: seller, state: 'opaque-state' });
  const replayed = await authorize(api.consentUrl('us', 'opaque-state', 'n-first'));
  t.equal(replayed.status, 400, 'a nonce works once');
});

t.test('the authorize page refuses bad parameters with a page, never a redirect', async (t) => {
  const good = new URL(api.consentUrl('us', 's', 'n-bad-base'));
  const cases: [string, (u: URL) => void][] = [
    ['unknown clientId', (u) => u.searchParams.set('clientId', 'nobody')],
    ['unregistered redirectUri', (u) => u.searchParams.set('redirectUri', 'https://evil.example/cb')],
    ['responseType other than code', (u) => u.searchParams.set('responseType', 'token')],
    ['unknown clientType', (u) => u.searchParams.set('clientType', 'seller-uk')],
    ['no nonce', (u) => u.searchParams.delete('nonce')],
    ['no state', (u) => u.searchParams.delete('state')],
  ];
  for (const [name, edit] of cases) {
    const u = new URL(good);
    u.searchParams.set('nonce', `n-${name}`);
    edit(u);
    const r = await authorize(u.toString());
    t.equal(r.status, 400, name);
    t.equal(r.location, null, `${name}: no redirect`);
    t.match(r.text, /could not be authorized/);
  }
});

t.test('authorization_code: single use, short-lived, bound to the seller, the market and the redirect URI', async (t) => {
  const q = await approve();
  const tokens = await api.exchangeCode(q.get('code')!, { sellerId: seller, market: 'us' });
  t.match(tokens, { accessToken: /^eyJ/, refreshToken: String, expiresInSeconds: 900 });
  t.equal(await rejection(api.exchangeCode(q.get('code')!, { sellerId: seller, market: 'us' })), 'invalid_grant', 'a code works once');

  const other = await approve();
  t.equal(await rejection(api.exchangeCode(other.get('code')!, { sellerId: '999', market: 'us' })), 'invalid_grant', 'another seller id');
  t.equal(await rejection(api.exchangeCode(other.get('code')!, { sellerId: seller, market: 'ca' })), 'invalid_grant', 'another market');
  const wrongUri = walmartConnectApi({ apiUrl: sandbox.url, loginUrl: sandbox.url, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: 'https://other.example/cb' });
  t.equal(await rejection(wrongUri.exchangeCode(other.get('code')!, { sellerId: seller, market: 'us' })), 'invalid_grant', 'another redirect_uri');
  const wrongSecret = walmartConnectApi({ apiUrl: sandbox.url, loginUrl: sandbox.url, clientId: app.clientId, clientSecret: 'nope', redirectUri });
  t.equal(await rejection(wrongSecret.exchangeCode(other.get('code')!, { sellerId: seller, market: 'us' })), 'invalid_client', 'the app’s credentials');

  const late = await approve();
  now += 11 * 60_000;
  t.equal(await rejection(api.exchangeCode(late.get('code')!, { sellerId: seller, market: 'us' })), 'invalid_grant', 'an expired code');

  const ca = await approve('ca');
  t.ok((await api.exchangeCode(ca.get('code')!, { sellerId: seller, market: 'ca' })).refreshToken, 'clientType seller-ca codes exchange with WM_MARKET ca');
});

t.test('the Token API errors: OAuth bodies; WM_PARTNER.ID required', async (t) => {
  const q = await approve();
  const res = await fetch(new URL('/v3/token', sandbox.url), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      'wm_svc.name': 'Walmart Marketplace', 'wm_qos.correlation_id': 'c-1', 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code')!, redirect_uri: redirectUri }).toString(),
  });
  t.equal(res.status, 400);
  t.match(await res.json(), { error: 'invalid_request', error_description: /WM_PARTNER.ID/ });
  const unauth = await fetch(new URL('/v3/token', sandbox.url), {
    method: 'POST',
    headers: { authorization: 'Basic bm9ib2R5Om5vcGU=', 'wm_svc.name': 'x', 'wm_qos.correlation_id': 'c-2', 'wm_partner.id': seller, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=refresh_token&refresh_token=x',
  });
  t.equal(unauth.status, 401);
  t.match(await unauth.json(), { error: 'invalid_client' });
});

t.test('refresh_token grants access tokens that read the seller’s orders with the granted scopes; a revoked grant answers invalid_grant', async (t) => {
  sandbox.connect.consentAs({ scopes: { orders: 'view_only' } });
  const q = await approve();
  sandbox.connect.consentAs({});
  const { refreshToken, accessToken: first } = await api.exchangeCode(q.get('code')!, { sellerId: seller, market: 'us' });
  const refreshed = await api.refreshAccessToken(refreshToken, { sellerId: seller, market: 'us' });
  t.match(refreshed, { accessToken: /^eyJ/, expiresInSeconds: 900 });
  t.not(refreshed.accessToken, first);
  t.match(await walmartAuthApi({ apiUrl: sandbox.url }).scopes(refreshed.accessToken), { orders: 'view_only', item: 'full_access' }, 'token detail shows what the seller granted');
  t.equal(await rejection(api.refreshAccessToken(refreshToken, { sellerId: '999', market: 'us' })), 'invalid_grant', 'another seller id');

  t.equal(sandbox.connect.revoke({ sellerId: seller }) >= 1, true);
  t.equal(await rejection(api.refreshAccessToken(refreshToken, { sellerId: seller, market: 'us' })), 'invalid_grant', 'revoked');
  t.equal(await rejection(walmartAuthApi({ apiUrl: sandbox.url }).scopes(refreshed.accessToken)), 'unauthorized', 'its access tokens stop at once');

  const q2 = await approve();
  const second = await api.exchangeCode(q2.get('code')!, { sellerId: seller, market: 'us' });
  now += 366 * 86_400_000;
  t.equal(await rejection(api.refreshAccessToken(second.refreshToken, { sellerId: seller, market: 'us' })), 'invalid_grant', 'a refresh token lives one year');
});

t.test('a denying seller is sent back with error=access_denied and the state', async (t) => {
  sandbox.connect.consentAs({ outcome: 'deny' });
  t.teardown(() => sandbox.connect.consentAs({}));
  const r = await authorize(api.consentUrl('us', 'st', 'n-deny'));
  t.equal(r.status, 302);
  t.match(Object.fromEntries(new URL(r.location!).searchParams), { error: 'access_denied', state: 'st' });
  t.notOk(new URL(r.location!).searchParams.has('code'));
});
