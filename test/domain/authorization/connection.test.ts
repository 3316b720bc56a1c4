import t from 'tap';
import {
  accountKeys,
  alreadyConnected,
  amazonConsentFailure,
  amazonSiteFor,
  authorizationIdOfState,
  checkSyncable,
  checkTakesKeys,
  checkWalmartKeys,
  checkWalmartKeyScopes,
  clientIdHintOf,
  holderOf,
  walmartConsentDenied,
  walmartConsentFailure,
} from '../../../src/domain/authorization/connection.js';
import { authorizationDecider, type Authorization } from '../../../src/domain/authorization/decider.js';
import { authorizationEvent as ev, type AuthorizationEvent } from '../../../src/domain/authorization/events.js';

type Known = Exclude<Authorization, { status: 'absent' }>;
const NOW = '2026-12-03T12:00:00.000Z';
const ids = { authorizationId: '0b6f3c9e-5d1a-4c62-9d7e-2f8a1b3c4d5e', tenantId: 't-1' };
const fold = (...events: AuthorizationEvent[]) => events.reduce(authorizationDecider.evolve, authorizationDecider.initialState()) as Known;
const amazon = ev('AuthorizationGranted', {
  ...ids, platform: 'amazon', name: 'NA', note: null, region: 'NA', accountId: 'S1', clientIdHint: null, initialLookbackDays: 3, secretRef: 'r1', scopes: null, grantedAt: NOW, renewBy: null,
});
const walmart = ev('AuthorizationGranted', { ...amazon.data, platform: 'walmart', region: null, accountId: 'K1', clientIdHint: '…abcd', scopes: { orders: 'full_access' } });
const requested = ev('AmazonConsentRequested', { ...ids, name: 'NA', note: null, region: 'NA', initialLookbackDays: 3, stateHash: 'h', stateExpiresAt: NOW, requestedAt: NOW });
const revoked = ev('AuthorizationRevoked', { ...ids, revokedAt: NOW });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return null;
};

t.test('a consent state names its authorization; anything else is an invalid state', async (t) => {
  t.equal(authorizationIdOfState(`${ids.authorizationId}.abc`), ids.authorizationId);
  t.equal(code(() => authorizationIdOfState('not-a-state')), 'invalid_state');
  t.equal(code(() => authorizationIdOfState('')), 'invalid_state');
});

t.test("the store's country decides the region; a region alone is accepted; both must agree", async (t) => {
  t.same(amazonSiteFor({ countryCode: 'CA' }), { region: 'NA', countryCode: 'CA' });
  t.same(amazonSiteFor({ region: 'EU' }), { region: 'EU', countryCode: null });
  t.same(amazonSiteFor({ region: 'NA', countryCode: 'MX' }), { region: 'NA', countryCode: 'MX' });
  t.equal(code(() => amazonSiteFor({})), 'country_region_mismatch');
  t.equal(code(() => amazonSiteFor({ countryCode: 'XX' })), 'country_region_mismatch');
  t.equal(code(() => amazonSiteFor({ region: 'EU', countryCode: 'CA' })), 'country_region_mismatch');
});

t.test('the account holder: a live one refuses, a revoked one of the same tenant comes back, the rest leave the account free', async (t) => {
  t.same(holderOf(null, 't-1'), { live: null, revoked: null }, 'unclaimed (or claimed by the asking authorization)');
  t.same(holderOf({ status: 'absent' }, 't-1'), { live: null, revoked: null });
  const active = fold(amazon);
  t.equal(holderOf(active, 't-2').live, active, 'active, in any tenant');
  t.equal(holderOf(fold(amazon, ev('AuthorizationPaused', { ...ids, pausedAt: NOW })), 't-1').live?.status, 'paused');
  t.equal(holderOf(fold(amazon, ev('AuthorizationReauthorizationRequired', { ...ids, reason: 'r', detail: 'd', requiredAt: NOW })), 't-1').live?.status, 'reauthorization_required');
  const gone = fold(amazon, revoked);
  t.same(holderOf(gone, 't-1'), { live: null, revoked: gone });
  t.same(holderOf(gone, 't-2'), { live: null, revoked: null }, "another tenant's revoked authorization is not reinstated for this one");
  t.same(holderOf(fold(requested), 't-1'), { live: null, revoked: null }, 'a pending consent holds nothing');
});

t.test('an account connected elsewhere: named within the tenant, anonymous across tenants', async (t) => {
  const own = alreadyConnected(fold(amazon), 't-1');
  t.equal(own.code, 'account_already_connected');
  t.match(own.details, { authorizationId: ids.authorizationId, hint: /reauthorize/ });
  const other = alreadyConnected(fold(amazon), 't-2');
  t.equal(other.code, 'account_already_connected');
  t.notOk(JSON.stringify({ message: other.message, details: other.details }).includes(ids.authorizationId), 'nothing about the other tenant');
});

t.test("Amazon's callback: the claimed account must be the verified one, and a renewal the same account", async (t) => {
  t.equal(amazonConsentFailure(fold(requested), 'S1', 'S1'), null, 'a first consent');
  t.equal(amazonConsentFailure(fold(requested), 'S2', 'S1')?.reason, 'account_claim_mismatch');
  t.equal(amazonConsentFailure(fold(amazon, requested), 'S1', 'S1'), null, 'a renewal by the same account');
  t.equal(amazonConsentFailure(fold(amazon, requested), 'S2', 'S2')?.reason, 'account_mismatch');
});

t.test("Walmart Connect's callback: Orders at full access, and a renewal by the same seller", async (t) => {
  const connect = ev('WalmartConnectGranted', { ...ids, sellerId: 'SELLER', market: 'us', secretRef: 'c1', previousSecretRef: null, scopes: { orders: 'full_access' }, grantedAt: NOW, renewBy: NOW });
  const connected = fold(walmart, connect);
  t.equal(walmartConsentFailure(connected, 'SELLER', { orders: 'full_access' }), null);
  const viewOnly = walmartConsentFailure(connected, 'SELLER', { orders: 'view_only' });
  t.equal(viewOnly?.reason, 'missing_permission');
  t.match(viewOnly?.refusal, { code: 'missing_permission', details: { permission: 'orders', granted: 'view_only' } });
  t.match(walmartConsentFailure(connected, 'SELLER', {})?.refusal?.details, { granted: 'no_access' });
  t.equal(walmartConsentFailure(connected, 'OTHER', { orders: 'full_access' })?.reason, 'account_mismatch');
  t.equal(walmartConsentFailure(fold(walmart), 'OTHER', { orders: 'full_access' }), null, 'keys moving to Connect name no seller yet');
  t.same([walmartConsentDenied().reason, walmartConsentDenied().refusal?.code], ['consent_denied', 'consent_denied']);
});

t.test('pasted Walmart keys: both present, not identical, with access to Orders', async (t) => {
  t.equal(code(() => checkWalmartKeys('id', 'secret')), null);
  t.equal(code(() => checkWalmartKeys('', 'secret')), 'credentials_rejected');
  t.equal(code(() => checkWalmartKeys('same', 'same')), 'credentials_identical');
  t.equal(code(() => checkWalmartKeyScopes({ orders: 'full_access' })), null);
  t.equal(code(() => checkWalmartKeyScopes({ orders: 'view_only' })), null, 'view-only pulls (with a warning)');
  t.equal(code(() => checkWalmartKeyScopes({ orders: 'no_access' })), 'missing_permission');
  t.equal(code(() => checkWalmartKeyScopes({})), 'missing_permission');
});

t.test('which authorization takes keys, which has marketplaces to sync', async (t) => {
  t.equal(code(() => checkTakesKeys(fold(walmart))), null);
  t.equal(code(() => checkTakesKeys(fold(amazon))), 'authorization_not_active');
  t.equal(code(() => checkTakesKeys(fold(walmart, revoked))), 'authorization_revoked');
  t.equal(code(() => checkSyncable(fold(amazon))), null);
  t.equal(code(() => checkSyncable(fold(walmart))), 'authorization_not_active');
  t.equal(code(() => checkSyncable(fold(amazon, revoked))), 'authorization_not_active', 'revoking destroys the secret');
});

t.test('account keys and key hints', async (t) => {
  t.equal(accountKeys.amazon('EU', 'S1'), 'amazon/EU/S1');
  t.equal(accountKeys.walmartKey('cid'), 'walmart/cid');
  t.equal(accountKeys.walmartSeller('SELLER'), 'walmart-seller/SELLER');
  t.equal(clientIdHintOf('abcdef123'), '…f123');
});
