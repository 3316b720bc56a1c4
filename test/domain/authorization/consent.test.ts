import t from 'tap';
import { authorizationDecider, checkConsentBinding, type Authorization } from '../../../src/domain/authorization/decider.js';
import { authorizationEvent as ev } from '../../../src/domain/authorization/events.js';
import { deciderSpec } from '../../support/deciderSpec.js';

/** The consent state's life: requested → link followed (bound) → redeemed → completed; and reinstatement. */
const spec = deciderSpec(authorizationDecider)(t);
const ids = { authorizationId: 'a-1', tenantId: 't-1' };
const NOW = '2026-12-03T12:00:00.000Z';
const LATER = '2026-12-03T12:05:00.000Z';
const requested = ev('AmazonConsentRequested', {
  ...ids, name: 'NA', note: null, region: 'NA', initialLookbackDays: 3, stateHash: 'h1', stateExpiresAt: '2026-12-03T12:10:00.000Z', requestedAt: NOW,
});
const followed = ev('ConsentLinkFollowed', { ...ids, stateHash: 'h1', bindingHash: 'b1', followedAt: NOW });
const redeemed = ev('ConsentStateRedeemed', { ...ids, stateHash: 'h1', redeemedAt: NOW });
const granted = ev('AuthorizationGranted', {
  ...ids, platform: 'amazon', name: 'NA', note: null, region: 'NA', accountId: 'S1', clientIdHint: null, initialLookbackDays: 3, secretRef: 'r1', scopes: null,
  grantedAt: NOW, renewBy: '2027-12-03T12:00:00.000Z',
});
const revoked = ev('AuthorizationRevoked', { ...ids, revokedAt: NOW });
const fold = (...events: Parameters<typeof authorizationDecider.evolve>[1][]) => events.reduce(authorizationDecider.evolve, authorizationDecider.initialState());

t.test('the consent link binds once; a second browser is refused', async () => {
  spec.given(requested).when({ type: 'FollowConsentLink', data: { stateHash: 'h1', bindingHash: 'b1', now: LATER } }).then(ev('ConsentLinkFollowed', { ...ids, stateHash: 'h1', bindingHash: 'b1', followedAt: LATER }));
  spec.given(requested, followed).when({ type: 'FollowConsentLink', data: { stateHash: 'h1', bindingHash: 'b2', now: LATER } }).thenThrows('consent_link_used');
  spec.given(requested).when({ type: 'FollowConsentLink', data: { stateHash: 'other', bindingHash: 'b1', now: LATER } }).thenThrows('invalid_state');
});

t.test('redeeming needs the bound browser; completing needs the redeemed state', async () => {
  spec.given(requested).when({ type: 'RedeemConsentState', data: { stateHash: 'h1', bindingHash: 'b1', now: LATER } }).thenThrows('state_not_bound');
  spec.given(requested, followed).when({ type: 'RedeemConsentState', data: { stateHash: 'h1', bindingHash: null, now: LATER } }).thenThrows('state_not_bound');
  spec.given(requested, followed).when({ type: 'RedeemConsentState', data: { stateHash: 'h1', bindingHash: 'b2', now: LATER } }).thenThrows('state_not_bound');
  spec.given(requested, followed, redeemed).when({ type: 'RedeemConsentState', data: { stateHash: 'h1', bindingHash: 'b1', now: LATER } }).thenThrows('invalid_state');
  const outcome = { ok: true as const, accountId: 'S1', secretRef: 'r1', renewBy: '2027-12-03T12:00:00.000Z' };
  spec.given(requested, followed).when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h1', outcome, now: LATER } }).thenThrows('invalid_state');
  spec.given(requested, followed, redeemed).when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h2', outcome, now: LATER } }).thenThrows('invalid_state');
  t.throws(() => checkConsentBinding(fold(requested) as Exclude<Authorization, { status: 'absent' }>, 'b1'), { code: 'state_not_bound' });
  t.same(authorizationDecider.evolve(fold(granted), followed), fold(granted), 'a link followed with nothing pending changes nothing');
});

t.test('a renewal by another account fails in the decider too (the application checks it first)', async () => {
  spec
    .given(granted, requested, followed, redeemed)
    .when({ type: 'CompleteAmazonConsent', data: { stateHash: 'h1', outcome: { ok: true, accountId: 'S2', secretRef: 'r2', renewBy: null }, now: LATER } })
    .then(ev('AuthorizationFailed', { ...ids, reason: 'account_mismatch', detail: 'A different Amazon account consented than the one this authorization belongs to; log in to the right account and try again', failedAt: LATER }));
});

t.test('only a revoked authorization is reinstated; it comes back active with the new secret', async () => {
  const data = { secretRef: 'r2', scopes: null, renewBy: null, clientIdHint: '…abcd', via: 'a-2', now: LATER };
  spec.given(granted).when({ type: 'Reinstate', data }).thenThrows('authorization_not_active');
  const [event] = spec.given(granted, revoked).when({ type: 'Reinstate', data }).then(ev('AuthorizationReinstated', { ...ids, secretRef: 'r2', scopes: null, renewBy: null, clientIdHint: '…abcd', via: 'a-2', reinstatedAt: LATER }));
  t.match(fold(granted, revoked, event!), { status: 'active', secretRef: 'r2', clientIdHint: '…abcd', accountId: 'S1', grantedAt: LATER });
  spec.given(granted, revoked).when({ type: 'RequestAmazonConsent', data: { ...ids, name: 'NA', note: null, region: 'NA', initialLookbackDays: 3, stateHash: 'h9', stateExpiresAt: LATER, now: NOW } }).thenThrows('authorization_revoked');
});

t.test('new keys carry their account and hint; older renewals keep them', async () => {
  const [withAccount] = spec
    .given(granted)
    .when({ type: 'RenewSecrets', data: { secretRef: 'r2', scopes: { orders: 'full_access' }, renewBy: null, account: { accountId: 'K2', clientIdHint: '…wxyz' }, now: LATER } })
    .then(ev('AuthorizationRenewed', { ...ids, secretRef: 'r2', previousSecretRef: 'r1', scopes: { orders: 'full_access' }, renewedAt: LATER, renewBy: null, accountId: 'K2', clientIdHint: '…wxyz' }));
  t.match(fold(granted, withAccount!), { accountId: 'K2', clientIdHint: '…wxyz', secretRef: 'r2' });
  const old = ev('AuthorizationRenewed', { ...ids, secretRef: 'r3', previousSecretRef: 'r1', scopes: null, renewedAt: LATER, renewBy: null });
  t.match(fold(granted, old), { accountId: 'S1', clientIdHint: null, secretRef: 'r3' });
});
