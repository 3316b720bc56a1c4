import t from 'tap';
import { startAmazonSandbox } from '../../src/sandbox/index.js';
import { amazonAccessToken, consent, exchangeCode, fixedNow, form, json, refresh, spApi } from './fixtures/helpers.js';

const sandbox = await startAmazonSandbox({ throttling: false, orders: false, now: fixedNow, accessTokenTtlSeconds: 60 });
t.teardown(() => sandbox.close());
const [main, other] = sandbox.sellers;
if (main === undefined || other === undefined) throw new Error('default sellers missing');

t.test('consent redirects back with state, selling_partner_id and a one-time code', async (t) => {
  const { response, location, code, sellingPartnerId, state } = await consent(sandbox, 'NA', 'abc123');
  t.equal(response.status, 302);
  t.equal(`${location.origin}${location.pathname}`, sandbox.app.redirectUris[0]);
  t.equal(state, 'abc123');
  t.equal(sellingPartnerId, main.sellerId);
  t.match(code, /^AN[A-Za-z0-9]{20}$/);
});

t.test('code → refresh token → access token → refresh again', async (t) => {
  const { code } = await consent(sandbox);
  const exchanged = await exchangeCode(sandbox, code);
  t.equal(exchanged.status, 200);
  t.match(exchanged.headers.get('content-type'), /application\/json/);
  const tokens = await json(exchanged);
  t.match(tokens, { access_token: /^Atza\|/, refresh_token: /^Atzr\|/, token_type: 'bearer', expires_in: 60 });
  const refreshed = await refresh(sandbox, tokens.refresh_token);
  t.equal(refreshed.status, 200);
  const again = await json(refreshed);
  t.equal(again.refresh_token, tokens.refresh_token, 'LWA echoes the refresh token');
  t.not(again.access_token, tokens.access_token, 'a fresh access token');
  const participations = await spApi(sandbox, '/sellers/v1/marketplaceParticipations', again.access_token);
  t.equal(participations.status, 200, 'the new access token works');
});

t.test('invalid_grant for unknown, used, expired or misdirected codes and revoked refresh tokens', async (t) => {
  const unknown = await exchangeCode(sandbox, 'ANnotAcodeWeIssued000');
  t.equal(unknown.status, 400);
  t.same(await json(unknown), { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : code' });

  const { code } = await consent(sandbox);
  t.equal((await exchangeCode(sandbox, code)).status, 200);
  const reused = await exchangeCode(sandbox, code);
  t.equal(reused.status, 400, 'a code works once');
  t.equal((await json(reused)).error, 'invalid_grant');

  const late = await consent(sandbox);
  sandbox.clock.advance(5 * 60_000 + 1);
  const expired = await exchangeCode(sandbox, late.code);
  t.equal(expired.status, 400, 'codes expire after 5 minutes');
  t.equal((await json(expired)).error, 'invalid_grant');
  sandbox.clock.setOffset(0);

  const misdirected = await consent(sandbox);
  const wrongRedirect = await exchangeCode(sandbox, misdirected.code, { redirect_uri: 'https://evil.example/cb' });
  t.equal(wrongRedirect.status, 400);
  t.match((await json(wrongRedirect)).error_description, /redirect_uri/);

  const refreshToken = sandbox.issueRefreshToken(main.sellerId);
  t.equal(sandbox.revoke({ refreshToken }), 1);
  const revoked = await refresh(sandbox, refreshToken);
  t.equal(revoked.status, 400);
  t.same(await json(revoked), { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
});

t.test('client authentication and malformed requests', async (t) => {
  const { code } = await consent(sandbox);
  const badSecret = await exchangeCode(sandbox, code, { client_secret: 'amzn1.oa2-cs.v1.wrong' });
  t.equal(badSecret.status, 401);
  t.equal((await json(badSecret)).error, 'invalid_client');
  const unknownClient = await exchangeCode(sandbox, code, { client_id: 'amzn1.application-oa2-client.unknown' });
  t.equal(unknownClient.status, 401);

  const noGrant = await fetch(`${sandbox.url}/auth/o2/token`, form({ client_id: sandbox.app.clientId, client_secret: sandbox.app.clientSecret }));
  t.equal(noGrant.status, 400);
  t.equal((await json(noGrant)).error, 'invalid_request');
  const weird = await fetch(
    `${sandbox.url}/auth/o2/token`,
    form({ grant_type: 'password', client_id: sandbox.app.clientId, client_secret: sandbox.app.clientSecret }),
  );
  t.equal((await json(weird)).error, 'unsupported_grant_type');
  t.equal((await exchangeCode(sandbox, code)).status, 200, 'failed attempts did not burn the code');
});

t.test('the consent page refuses unknown apps and draft apps without version=beta', async (t) => {
  const unknown = await fetch(`${sandbox.url}/apps/authorize/consent?application_id=amzn1.sellerapps.app.nope&state=s`, { redirect: 'manual' });
  t.equal(unknown.status, 400);
  t.match(unknown.headers.get('content-type'), /text\/html/);
  const noState = await fetch(`${sandbox.url}/apps/authorize/consent?application_id=${sandbox.app.applicationId}`, { redirect: 'manual' });
  t.equal(noState.status, 400);

  const draft = await startAmazonSandbox({ throttling: false, orders: false, apps: [{ ...sandbox.app, draft: true }] });
  t.teardown(() => draft.close());
  t.equal((await fetch(draft.consentUrl({ state: 's' }), { redirect: 'manual' })).status, 400);
  t.equal((await fetch(draft.consentUrl({ state: 's', version: 'beta' }), { redirect: 'manual' })).status, 302);
  const unregistered = await fetch(draft.consentUrl({ state: 's', version: 'beta', redirectUri: 'https://elsewhere.example/cb' }), { redirect: 'manual' });
  t.equal(unregistered.status, 400);
});

t.test('the account that consents is the one signed in to Seller Central', async (t) => {
  sandbox.consentAs(other.sellerId);
  t.teardown(() => sandbox.consentAs(main.sellerId));
  const { sellingPartnerId, code } = await consent(sandbox);
  t.equal(sellingPartnerId, other.sellerId);
  const token = (await json(await exchangeCode(sandbox, code))).access_token as string;
  const body = await json(await spApi(sandbox, '/sellers/v1/marketplaceParticipations', token));
  t.same(body.payload.map((p: { storeName: string }) => p.storeName), [other.storeName]);
});

t.test('issueAuthorizationCode gives a code the token endpoint accepts', async (t) => {
  const grant = sandbox.issueAuthorizationCode(main.sellerId, { region: 'EU' });
  t.equal(grant.sellingPartnerId, main.sellerId);
  t.equal(grant.region, 'EU');
  const token = (await json(await exchangeCode(sandbox, grant.code))).access_token as string;
  t.equal((await spApi(sandbox, '/sellers/v1/marketplaceParticipations', token, 'EU')).status, 200);
  t.equal((await spApi(sandbox, '/sellers/v1/marketplaceParticipations', token, 'NA')).status, 403, 'an EU authorization does not open NA');
});

t.test('every SP-API call needs a valid, unexpired x-amz-access-token', async (t) => {
  const path = '/orders/2026-01-01/orders?createdAfter=2026-06-01T00:00:00Z';
  const missing = await fetch(`${sandbox.url}${path}`);
  t.equal(missing.status, 403);
  t.same(await json(missing), {
    errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'Access token is missing in the request header.' }],
  });
  t.ok(missing.headers.get('x-amzn-requestid'));
  t.equal(missing.headers.get('x-amzn-ratelimit-limit'), null, 'no rate header on 403');

  const bogus = await spApi(sandbox, path, 'Atza|not-a-token');
  t.equal(bogus.status, 403);
  t.match((await json(bogus)).errors[0].details, /revoked, malformed or invalid/);

  const token = await amazonAccessToken(sandbox);
  t.equal((await spApi(sandbox, path, token)).status, 200);
  sandbox.clock.advance(61_000);
  t.teardown(() => sandbox.clock.setOffset(0));
  const expired = await spApi(sandbox, path, token);
  t.equal(expired.status, 403);
  t.match((await json(expired)).errors[0], { code: 'Unauthorized', details: /expired/ });
});

t.test('grantless tokens cannot read seller data; revoking a seller ends its access tokens', async (t) => {
  const grantless = await json(
    await fetch(`${sandbox.url}/auth/o2/token`, form({
      grant_type: 'client_credentials',
      scope: 'sellingpartnerapi::notifications',
      client_id: sandbox.app.clientId,
      client_secret: sandbox.app.clientSecret,
    })),
  );
  t.equal((await spApi(sandbox, '/sellers/v1/marketplaceParticipations', grantless.access_token)).status, 403);

  const token = await amazonAccessToken(sandbox, 'NA', other.sellerId);
  t.ok(sandbox.revoke({ sellerId: other.sellerId }) >= 1);
  t.equal((await spApi(sandbox, '/sellers/v1/marketplaceParticipations', token)).status, 403);
});

t.test('unknown SP-API resources answer like API Gateway', async (t) => {
  const response = await spApi(sandbox, '/orders/v0/nothing-here', 'x');
  t.equal(response.status, 403);
  t.equal((await json(response)).errors[0].code, 'MissingAuthenticationToken');
});
