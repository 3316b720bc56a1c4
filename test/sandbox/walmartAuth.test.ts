import t from 'tap';
import { startWalmartSandbox } from '../../src/sandbox/index.js';
import { basic, fixedNow, json, keyPaths, readFixture, walmartGet, walmartHeaders, walmartToken, walmartTokenRequest } from './fixtures/helpers.js';

const sandbox = await startWalmartSandbox({ now: fixedNow, orders: { count: 20 } });
t.teardown(() => sandbox.close());

t.test('client_credentials with production keys gives a 15-minute token', async (t) => {
  const response = await walmartTokenRequest(sandbox, sandbox.mainClient);
  t.equal(response.status, 200);
  const body = await json(response);
  t.match(body, { access_token: /^eyJ/, token_type: 'Bearer', expires_in: 900 });
  const fixture = await readFixture('walmart/auth/tokenAPI.200.clientCredentialsRes.json');
  t.same(Object.keys(body).sort(), Object.keys(fixture.response as object).sort(), 'same fields as Walmart’s example');
  t.ok(response.headers.get('x-current-token-count'), 'throttling headers');
  t.ok(response.headers.get('x-next-replenishment-time'));
});

t.test('WM_SVC.NAME and WM_QOS.CORRELATION_ID are required, on the token call too', async (t) => {
  for (const missing of ['WM_SVC.NAME', 'WM_QOS.CORRELATION_ID']) {
    const headers = walmartHeaders();
    delete headers[missing];
    const response = await walmartTokenRequest(sandbox, sandbox.mainClient, headers);
    t.equal(response.status, 400, missing);
    t.match((await json(response)).errors.error[0], { code: 'MISSING_REQUEST_HEADER', field: missing });
    const token = await walmartToken(sandbox);
    t.equal((await walmartGet(sandbox, '/v3/orders', token, headers)).status, 400, `${missing} on GET /v3/orders`);
  }
});

t.test('rejected credentials answer 401 UNAUTHORIZED.GMP_GATEWAY_API', async (t) => {
  const main = sandbox.mainClient;
  const cases = [
    ['wrong secret', { clientId: main.clientId, clientSecret: `${main.clientSecret}x` }],
    ['unknown client', { clientId: '00000000-0000-4000-a000-000000000000', clientSecret: main.clientSecret }],
    ['sandbox key against production', sandbox.client('sandboxKey')],
  ] as const;
  for (const [name, client] of cases) {
    const response = await walmartTokenRequest(sandbox, client);
    t.equal(response.status, 401, name);
    t.match((await json(response)).errors.error[0], { code: 'UNAUTHORIZED.GMP_GATEWAY_API', field: 'UNAUTHORIZED', severity: 'ERROR' }, name);
  }
  const noAuth = await fetch(`${sandbox.url}/v3/token`, { method: 'POST', headers: walmartHeaders(), body: 'grant_type=client_credentials' });
  t.equal(noAuth.status, 401);
  const noGrant = await fetch(`${sandbox.url}/v3/token`, { method: 'POST', headers: { ...walmartHeaders(), Authorization: basic(main) }, body: '' });
  t.equal(noGrant.status, 400);
});

t.test('token detail reports scopes; a key without order access cannot read orders', async (t) => {
  const full = await json(await walmartGet(sandbox, '/v3/token/detail', await walmartToken(sandbox)));
  t.equal(full.scopes.orders, 'full_access');
  t.equal(full.is_valid, true);
  t.equal(Number(full.expire_at) - Number(full.issued_at), 900_000, 'epoch-ms strings');
  const fixture = await readFixture('walmart/auth/getTokenDetail.200.json');
  const extra = [...keyPaths(full)].filter((path) => !keyPaths(fixture.response).has(path));
  t.same(extra.sort(), ['is_channel_match', 'scopes.rules', 'scopes.shipping'], 'only fields the reference documents beyond the example');

  const limited = await walmartToken(sandbox, sandbox.client('noOrderAccess'));
  t.equal((await json(await walmartGet(sandbox, '/v3/token/detail', limited))).scopes.orders, 'no_access');
  const denied = await walmartGet(sandbox, '/v3/orders', limited);
  t.equal(denied.status, 403);
  t.equal((await json(denied)).errors.error[0].code, 'FORBIDDEN.GMP_GATEWAY_API');

  const viewOnly = await walmartToken(sandbox, sandbox.client('ordersViewOnly'));
  t.equal((await walmartGet(sandbox, '/v3/orders?createdStartDate=2026-01-01', viewOnly)).status, 200, 'view_only may read');
  const someOrder = sandbox.orders.list().find((o) => o.shipNode?.type === 'SellerFulfilled');
  const ack = await fetch(`${sandbox.url}/v3/orders/${someOrder?.purchaseOrderId ?? ''}/acknowledge`, {
    method: 'POST',
    headers: { ...walmartHeaders(), 'WM_SEC.ACCESS_TOKEN': viewOnly },
  });
  t.equal(ack.status, 403, 'but not acknowledge');
});

t.test('calls need a valid, unexpired WM_SEC.ACCESS_TOKEN', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  const token = await walmartToken(sandbox);
  const missing = await fetch(`${sandbox.url}/v3/orders`, { headers: walmartHeaders() });
  t.equal(missing.status, 401);
  const bearer = await fetch(`${sandbox.url}/v3/orders`, { headers: { ...walmartHeaders(), Authorization: `Bearer ${token}` } });
  t.equal(bearer.status, 401, 'Authorization: Bearer is not how Walmart takes the token');
  t.equal((await walmartGet(sandbox, '/v3/orders?createdStartDate=2026-01-01', token)).status, 200);
  sandbox.clock.advance(900_001);
  const expired = await walmartGet(sandbox, '/v3/orders', token);
  t.equal(expired.status, 401);
  t.equal((await json(expired)).errors.error[0].code, 'UNAUTHORIZED.GMP_GATEWAY_API');
});

t.test('an XML-only Accept header is refused rather than silently answered in JSON', async (t) => {
  const token = await walmartToken(sandbox);
  const response = await walmartGet(sandbox, '/v3/orders', token, walmartHeaders({ Accept: 'application/xml' }));
  t.equal(response.status, 406);
});
