import t from 'tap';
import { authorizationDecider, authorizationErrorCodes, renewalDueOf, renewalOf } from '../../../src/domain/authorization/decider.js';
import { authorizationEvent as ev } from '../../../src/domain/authorization/events.js';
import { deciderSpec } from '../../support/deciderSpec.js';

/** Each command's success and refusal paths (the consent's own steps: consent.test.ts). */
const spec = deciderSpec(authorizationDecider)(t);
const ids = { authorizationId: 'a-1', tenantId: 't-1' };
const NOW = '2026-12-03T12:00:00.000Z';
const LATER = '2026-12-03T12:05:00.000Z';
const EXPIRES = '2026-12-03T12:15:00.000Z';
const RENEW_BY = '2027-12-03T12:00:00.000Z';
const amazonInfo = { name: 'NA', note: null, region: 'NA' as const, initialLookbackDays: 3 };
const granted = ev('AuthorizationGranted', {
  ...ids, platform: 'amazon', ...amazonInfo, accountId: 'S1', clientIdHint: null, secretRef: 'r1', scopes: null, grantedAt: NOW, renewBy: RENEW_BY,
});
const walmartKeys = ev('AuthorizationGranted', {
  ...ids, platform: 'walmart', name: 'WM', note: null, region: null, accountId: 'K1', clientIdHint: '…abcd', initialLookbackDays: 3, secretRef: 'w1',
  scopes: { orders: 'full_access' }, grantedAt: NOW, renewBy: null,
});
const revoked = ev('AuthorizationRevoked', { ...ids, revokedAt: NOW });
const paused = ev('AuthorizationPaused', { ...ids, pausedAt: NOW });
const merged = ev('AuthorizationMerged', { ...ids, into: 'a-2', mergedAt: NOW });
const us = { marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US', name: 'Amazon.com', isParticipating: true, hasSuspendedListings: false, storeId: 's-us' };
const synced = ev('MarketplacesSynced', { ...ids, marketplaces: [us], syncedAt: NOW });
const consent = { stateHash: 'h1', stateExpiresAt: EXPIRES };

t.test('RequestAmazonConsent: a new authorization, or a renewal that keeps name, region and look-back', async () => {
  const data = { ...ids, ...amazonInfo, countryCode: 'US', excludedMarketplaceIds: ['A2EUQ1WTGCTBG2'], ...consent, now: NOW };
  spec.given().when({ type: 'RequestAmazonConsent', data }).then(ev('AmazonConsentRequested', { ...ids, ...amazonInfo, ...consent, requestedAt: NOW, countryCode: 'US', excludedMarketplaceIds: ['A2EUQ1WTGCTBG2'] }));
  spec
    .given(granted)
    .when({ type: 'RequestAmazonConsent', data: { ...data, name: 'other', region: 'EU', now: LATER } })
    .then(ev('AmazonConsentRequested', { ...ids, ...amazonInfo, ...consent, requestedAt: LATER }));
  spec.given(granted, revoked).when({ type: 'RequestAmazonConsent', data }).thenThrows('authorization_revoked');
  spec.given(granted, merged).when({ type: 'RequestAmazonConsent', data }).thenThrows('authorization_not_active');
  spec.given(walmartKeys).when({ type: 'RequestAmazonConsent', data }).thenThrows('authorization_not_active');
});

t.test('RequestWalmartConsent: a new Connect authorization, or a key-based one moving to Connect (market us)', async () => {
  const data = { ...ids, name: 'WM', note: null, market: 'ca' as const, initialLookbackDays: 4, ...consent, now: NOW };
  spec.given().when({ type: 'RequestWalmartConsent', data }).then(ev('WalmartConsentRequested', { ...ids, name: 'WM', note: null, market: 'ca', initialLookbackDays: 4, ...consent, requestedAt: NOW }));
  spec.given(walmartKeys).when({ type: 'RequestWalmartConsent', data }).then(ev('WalmartConsentRequested', { ...ids, name: 'WM', note: null, market: 'us', initialLookbackDays: 3, ...consent, requestedAt: NOW }));
  spec.given(granted).when({ type: 'RequestWalmartConsent', data }).thenThrows('authorization_not_active');
  spec.given(walmartKeys, revoked).when({ type: 'RequestWalmartConsent', data }).thenThrows('authorization_revoked');
});

t.test('CompleteWalmartConsent: grants the redeemed state; a refusal or another seller fails it; any other state is invalid', async () => {
  const requested = ev('WalmartConsentRequested', { ...ids, name: 'WM', note: null, market: 'us', initialLookbackDays: 3, ...consent, requestedAt: NOW });
  const redeemed = ev('ConsentStateRedeemed', { ...ids, stateHash: 'h1', redeemedAt: NOW });
  const outcome = { ok: true as const, sellerId: 'SELLER', secretRef: 'c1', scopes: { orders: 'full_access' }, renewBy: RENEW_BY };
  const grant = ev('WalmartConnectGranted', { ...ids, sellerId: 'SELLER', market: 'us', secretRef: 'c1', previousSecretRef: null, scopes: { orders: 'full_access' }, grantedAt: LATER, renewBy: RENEW_BY });
  spec.given(requested, redeemed).when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h1', outcome, now: LATER } }).then(grant);
  spec
    .given(requested, redeemed)
    .when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h1', outcome: { ok: false, reason: 'consent_denied', detail: 'declined' }, now: LATER } })
    .then(ev('AuthorizationFailed', { ...ids, reason: 'consent_denied', detail: 'declined', failedAt: LATER }));
  spec.given(requested).when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h1', outcome, now: LATER } }).thenThrows('invalid_state');
  spec.given(requested, redeemed).when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h2', outcome, now: LATER } }).thenThrows('invalid_state');
  spec.given().when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h1', outcome, now: LATER } }).thenThrows('not_found');
  const again = ev('WalmartConsentRequested', { ...requested.data, stateHash: 'h3' });
  const redeemedAgain = ev('ConsentStateRedeemed', { ...ids, stateHash: 'h3', redeemedAt: LATER });
  spec
    .given(requested, redeemed, grant, again, redeemedAgain)
    .when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h3', outcome: { ...outcome, sellerId: 'OTHER' }, now: LATER } })
    .then(ev('AuthorizationFailed', { ...ids, reason: 'account_mismatch', detail: 'A different Walmart seller authorized than the one this authorization belongs to; log in as that seller and try again', failedAt: LATER }));
  spec
    .given(requested, redeemed, grant, again, redeemedAgain)
    .when({ type: 'CompleteWalmartConsent', data: { stateHash: 'h3', outcome: { ...outcome, secretRef: 'c2' }, now: LATER } })
    .then(ev('WalmartConnectGranted', { ...grant.data, secretRef: 'c2', previousSecretRef: 'c1', grantedAt: LATER }));
});

t.test('CompleteAmazonConsent: a first consent is granted; a renewal by the same account renews the secret', async () => {
  const requested = ev('AmazonConsentRequested', { ...ids, ...amazonInfo, ...consent, requestedAt: NOW });
  const redeemed = ev('ConsentStateRedeemed', { ...ids, stateHash: 'h1', redeemedAt: NOW });
  const outcome = { ok: true as const, accountId: 'S1', secretRef: 'r1', renewBy: RENEW_BY };
  spec
    .given(requested, redeemed)
    .when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h1', outcome, now: NOW } })
    .then(ev('AuthorizationGranted', { ...granted.data }));
  spec
    .given(granted, requested, redeemed)
    .when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h1', outcome: { ...outcome, secretRef: 'r2' }, now: LATER } })
    .then(ev('AuthorizationRenewed', { ...ids, secretRef: 'r2', previousSecretRef: 'r1', scopes: null, renewedAt: LATER, renewBy: RENEW_BY }));
  spec
    .given(requested, redeemed)
    .when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h1', outcome: { ok: false, reason: 'lwa_invalid_grant', detail: 'refused' }, now: LATER } })
    .then(ev('AuthorizationFailed', { ...ids, reason: 'lwa_invalid_grant', detail: 'refused', failedAt: LATER }));
  spec.given().when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h1', outcome, now: NOW } }).thenThrows('not_found');
});

t.test('MergeInto: a consent that found its account revoked elsewhere merges into that authorization', async () => {
  spec.given(granted).when({ type: 'MergeInto', data: { into: 'a-2', now: NOW } }).then(merged);
  spec.given().when({ type: 'MergeInto', data: { into: 'a-2', now: NOW } }).thenThrows('not_found');
});

t.test('GrantWalmart: keys grant a new authorization, once', async () => {
  const data = { ...ids, name: 'WM', note: null, accountId: 'K1', clientIdHint: '…abcd', secretRef: 'w1', scopes: { orders: 'full_access' }, initialLookbackDays: 3, now: NOW };
  spec.given().when({ type: 'GrantWalmart', data }).then(walmartKeys);
  spec.given(walmartKeys).when({ type: 'GrantWalmart', data }).thenThrows('authorization_exists');
});

t.test('RenewSecrets: a usable authorization takes a new secret; a revoked or unknown one is refused', async () => {
  const data = { secretRef: 'w2', scopes: null, renewBy: null, now: LATER };
  spec.given(walmartKeys).when({ type: 'RenewSecrets', data }).then(ev('AuthorizationRenewed', { ...ids, secretRef: 'w2', previousSecretRef: 'w1', scopes: null, renewedAt: LATER, renewBy: null }));
  spec.given(walmartKeys, revoked).when({ type: 'RenewSecrets', data }).thenThrows('authorization_revoked');
  spec.given(walmartKeys, merged).when({ type: 'RenewSecrets', data }).thenThrows('authorization_not_active');
  spec.given().when({ type: 'RenewSecrets', data }).thenThrows('not_found');
});

t.test('ChangeInfo: renames or re-notes; the same values change nothing; a revoked authorization is refused', async () => {
  spec.given(granted).when({ type: 'ChangeInfo', data: { note: 'main account', now: LATER } }).then(ev('AuthorizationInfoChanged', { ...ids, name: 'NA', note: 'main account', changedAt: LATER }));
  spec.given(granted).when({ type: 'ChangeInfo', data: { name: 'NA', now: LATER } }).thenNothingHappened();
  spec.given(granted, revoked).when({ type: 'ChangeInfo', data: { name: 'other', now: LATER } }).thenThrows('authorization_revoked');
});

t.test('SyncMarketplaces: records changed participations only', async () => {
  spec.given(granted).when({ type: 'SyncMarketplaces', data: { marketplaces: [us], now: NOW } }).then(synced);
  spec.given(granted, synced).when({ type: 'SyncMarketplaces', data: { marketplaces: [us], now: LATER } }).thenNothingHappened();
  spec.given(granted, revoked).when({ type: 'SyncMarketplaces', data: { marketplaces: [us], now: LATER } }).thenThrows('authorization_revoked');
});

t.test('Pause and Resume: active ⇄ paused, idempotent; other states are refused', async () => {
  spec.given(granted).when({ type: 'Pause', data: { now: NOW } }).then(paused);
  spec.given(granted, paused).when({ type: 'Pause', data: { now: LATER } }).thenNothingHappened();
  spec.given(granted, paused).when({ type: 'Resume', data: { now: LATER } }).then(ev('AuthorizationResumed', { ...ids, resumedAt: LATER }));
  spec.given(granted).when({ type: 'Resume', data: { now: LATER } }).thenNothingHappened();
  const requested = ev('AmazonConsentRequested', { ...ids, ...amazonInfo, ...consent, requestedAt: NOW });
  spec.given(requested).when({ type: 'Pause', data: { now: LATER } }).thenThrows('authorization_not_active');
  spec.given(requested).when({ type: 'Resume', data: { now: LATER } }).thenThrows('authorization_not_active');
  spec.given(granted, revoked).when({ type: 'Pause', data: { now: LATER } }).thenThrows('authorization_revoked');
});

t.test('Revoke: once; revoking again changes nothing; an unknown authorization is not found', async () => {
  spec.given(granted, paused).when({ type: 'Revoke', data: { now: NOW } }).then(revoked);
  spec.given(granted, revoked).when({ type: 'Revoke', data: { now: LATER } }).thenNothingHappened();
  spec.given().when({ type: 'Revoke', data: { now: NOW } }).thenThrows('not_found');
});

t.test('SelectMarketplace: leaves out or adds back a participating marketplace; an unknown one is refused', async () => {
  const left = ev('MarketplaceSelectionChanged', { ...ids, marketplaceId: us.marketplaceId, enabled: false, changedAt: LATER });
  spec.given(granted, synced).when({ type: 'SelectMarketplace', data: { marketplaceId: us.marketplaceId, enabled: false, now: LATER } }).then(left);
  spec.given(granted, synced).when({ type: 'SelectMarketplace', data: { marketplaceId: us.marketplaceId, enabled: true, now: LATER } }).thenNothingHappened();
  spec
    .given(granted, synced, left)
    .when({ type: 'SelectMarketplace', data: { marketplaceId: us.marketplaceId, enabled: true, now: LATER } })
    .then(ev('MarketplaceSelectionChanged', { ...ids, marketplaceId: us.marketplaceId, enabled: true, changedAt: LATER }));
  spec.given(granted, synced).when({ type: 'SelectMarketplace', data: { marketplaceId: 'A1PA6795UKMFR9', enabled: true, now: LATER } }).thenThrows('marketplace_not_found');
});

t.test('RequireReauthorization: only a working authorization is marked; anything else has no pulls to stop', async () => {
  const data = { reason: 'invalid_grant', detail: 'consent revoked', now: LATER };
  const marked = ev('AuthorizationReauthorizationRequired', { ...ids, reason: 'invalid_grant', detail: 'consent revoked', requiredAt: LATER });
  spec.given(granted).when({ type: 'RequireReauthorization', data }).then(marked);
  spec.given(granted, paused).when({ type: 'RequireReauthorization', data }).then(marked);
  spec.given(granted, marked).when({ type: 'RequireReauthorization', data }).thenNothingHappened();
  spec.given(granted, revoked).when({ type: 'RequireReauthorization', data }).thenNothingHappened();
  spec.given().when({ type: 'RequireReauthorization', data }).thenThrows('not_found');
});

t.test('the refusal codes are listed, snake_case', async (t) => {
  t.ok(authorizationErrorCodes.includes('authorization_revoked'));
  t.ok(authorizationErrorCodes.every((code) => /^[a-z]+(_[a-z0-9]+)*$/.test(code)));
});

t.test('renewal: whole days left with a warning within 30; only working authorizations are due', async (t) => {
  t.same(renewalOf(RENEW_BY, NOW), { renewBy: RENEW_BY, daysLeft: 365, warning: false });
  t.same(renewalOf('2027-01-02T11:59:00.000Z', NOW), { renewBy: '2027-01-02T11:59:00.000Z', daysLeft: 29, warning: true });
  t.same(renewalOf('2027-01-03T12:00:00.000Z', NOW), { renewBy: '2027-01-03T12:00:00.000Z', daysLeft: 31, warning: false });
  t.equal(renewalOf(null, NOW), null);
  t.equal(renewalDueOf('active', '2027-01-02T12:00:00.000Z', NOW), true);
  t.equal(renewalDueOf('paused', '2027-01-02T12:00:00.000Z', NOW), true);
  t.equal(renewalDueOf('revoked', '2027-01-02T12:00:00.000Z', NOW), false);
  t.equal(renewalDueOf('active', RENEW_BY, NOW), false);
  t.equal(renewalDueOf('active', null, NOW), false);
});
