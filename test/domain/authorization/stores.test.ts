import t from 'tap';
import { authorizationDecider, type Authorization } from '../../../src/domain/authorization/decider.js';
import { authorizationEvent as ev, type AuthorizationEvent } from '../../../src/domain/authorization/events.js';
import { linkedMarketplaces, marketplacesFrom, storeCommandFor, storeStatusFor } from '../../../src/domain/authorization/stores.js';
import { storeDecider } from '../../../src/domain/store/decider.js';
import { storeConnected } from '../../../src/domain/store/events.js';

type Known = Exclude<Authorization, { status: 'absent' }>;
const NOW = '2026-12-03T12:00:00.000Z';
const ids = { authorizationId: 'a-1', tenantId: 't-1' };
const fold = (...events: AuthorizationEvent[]) => events.reduce(authorizationDecider.evolve, authorizationDecider.initialState()) as Known;
const granted = ev('AuthorizationGranted', {
  ...ids, platform: 'amazon', name: 'NA', note: null, region: 'NA', accountId: 'S1', clientIdHint: null, initialLookbackDays: 3, secretRef: 'r1', scopes: null, grantedAt: NOW, renewBy: null,
});
const us = { marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US', name: 'Amazon.com', isParticipating: true, hasSuspendedListings: false, storeId: 's-us' };
const ca = { marketplaceId: 'A2EUQ1WTGCTBG2', countryCode: 'CA', name: 'Amazon.ca', isParticipating: false, hasSuspendedListings: false, storeId: 's-ca' };
const synced = ev('MarketplacesSynced', { ...ids, marketplaces: [us, ca], syncedAt: NOW });
const at = (...events: AuthorizationEvent[]) => fold(granted, synced, ...events);

t.test("a store's status follows its authorization", async (t) => {
  t.same(storeStatusFor(at(), us), { status: 'active', reason: 'authorization active' });
  t.same(storeStatusFor(at(ev('AuthorizationPaused', { ...ids, pausedAt: NOW })), us), { status: 'paused', reason: 'authorization paused' });
  const marked = ev('AuthorizationReauthorizationRequired', { ...ids, reason: 'invalid_grant', detail: 'd', requiredAt: NOW });
  t.same(storeStatusFor(at(marked), us), { status: 'paused', reason: 'authorization reauthorization_required' }, 'a revoked consent stops pulls like a pause');
  t.same(storeStatusFor(at(ev('AuthorizationRevoked', { ...ids, revokedAt: NOW })), us), { status: 'revoked', reason: 'authorization revoked' });
  t.same(storeStatusFor(at(), ca), { status: 'not_participating', reason: 'authorization active' });
  t.same(storeStatusFor(at(ev('AuthorizationRevoked', { ...ids, revokedAt: NOW })), ca), { status: 'revoked', reason: 'authorization revoked' });
  const left = ev('MarketplaceSelectionChanged', { ...ids, marketplaceId: us.marketplaceId, enabled: false, changedAt: NOW });
  t.same(storeStatusFor(at(left), us), { status: 'paused', reason: 'marketplace left without a store by the operator' });
  t.same(storeStatusFor(at(left, ev('AuthorizationRevoked', { ...ids, revokedAt: NOW })), us), { status: 'revoked', reason: 'authorization revoked' });
});

t.test('a missing store is connected with that status; an existing one changes to it', async (t) => {
  const auth = at();
  const [linkedUs] = linkedMarketplaces(auth);
  t.same(storeCommandFor(auth, linkedUs!, { status: 'absent' }, NOW), {
    type: 'ConnectStore',
    data: {
      storeId: 's-us', tenantId: 't-1', authorizationId: 'a-1', platform: 'amazon', marketplaceId: us.marketplaceId, countryCode: 'US',
      marketplaceName: 'Amazon.com', name: 'NA · US', status: 'active', connectedAt: NOW,
    },
  });
  const store = storeDecider.evolve(storeDecider.initialState(), storeConnected({
    storeId: 's-us', tenantId: 't-1', authorizationId: 'a-1', platform: 'amazon', marketplaceId: us.marketplaceId, countryCode: 'US', marketplaceName: 'Amazon.com', name: 'NA · US', status: 'active', connectedAt: NOW,
  }));
  t.same(storeCommandFor(auth, linkedUs!, store, NOW), { type: 'ChangeStoreStatus', data: { status: 'active', reason: 'authorization active', now: NOW } });
  t.same(linkedMarketplaces(fold(granted)), [], 'no marketplaces, no stores');
});

t.test('participations become marketplaces: stores kept, new ones named, shadow marketplaces dropped, left-out ones without a store', async (t) => {
  const auth = at(ev('MarketplaceSelectionChanged', { ...ids, marketplaceId: 'A1AM78C64UM0Y8', enabled: false, changedAt: NOW }));
  const p = (marketplaceId: string, countryCode: string, isParticipating = true) => ({ marketplaceId, countryCode, name: countryCode, isParticipating, hasSuspendedListings: false });
  const { marketplaces, ignored } = marketplacesFrom(
    auth,
    [p(us.marketplaceId, 'US'), p(ca.marketplaceId, 'CA', false), p('A1AM78C64UM0Y8', 'MX'), p('A2Q3Y263D00KWC', 'BR'), p('A2ZV50J4W1RKNI', 'US'), p('A1VC38T7YXB528', 'JP', false)],
    (marketplaceId) => `new-${marketplaceId}`,
  );
  t.same(
    marketplaces.map((m) => [m.marketplaceId, m.storeId]),
    [
      [us.marketplaceId, 's-us'],
      [ca.marketplaceId, 's-ca'],
      ['A1AM78C64UM0Y8', null],
      ['A2Q3Y263D00KWC', 'new-A2Q3Y263D00KWC'],
      ['A1VC38T7YXB528', null],
    ],
  );
  t.same(ignored.map((m) => m.marketplaceId), ['A2ZV50J4W1RKNI'], 'a non-Amazon (shadow) marketplace');
  const walmart = fold(ev('AuthorizationGranted', { ...granted.data, platform: 'walmart', region: null }));
  t.same(marketplacesFrom(walmart, [p('WALMART_US', 'US')], () => 'w').ignored, [], 'Walmart marketplaces are not filtered');
});
