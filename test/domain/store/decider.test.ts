import t from 'tap';
import { settingsOf, storeDecider } from '../../../src/domain/store/decider.js';
import { storeConnected, storeStatusChanged, type StoreConnectedData } from '../../../src/domain/store/events.js';
import { deciderSpec } from '../../support/deciderSpec.js';

const spec = deciderSpec(storeDecider)(t);
const NOW = '2026-12-03T12:00:00.000Z';
const LATER = '2026-12-03T13:00:00.000Z';
const data: StoreConnectedData = {
  storeId: 's-1', tenantId: 't-1', authorizationId: 'a-1', platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US',
  marketplaceName: 'Amazon.com', name: 'NA · US', status: 'active', connectedAt: NOW,
};
const connected = storeConnected(data);
const paused = storeStatusChanged({ storeId: 's-1', tenantId: 't-1', status: 'paused', reason: 'authorization paused', changedAt: LATER });

t.test('ConnectStore: connects once; connecting again (a re-authorization) changes nothing', async () => {
  spec.given().when({ type: 'ConnectStore', data }).then(connected);
  spec.given(connected).when({ type: 'ConnectStore', data: { ...data, name: 'renamed', connectedAt: LATER } }).thenNothingHappened();
});

t.test('ChangeStoreStatus: records a change with its reason; the same status is no change; an unknown store is refused', async () => {
  spec.given(connected).when({ type: 'ChangeStoreStatus', data: { status: 'paused', reason: 'authorization paused', now: LATER } }).then(paused);
  spec.given(connected, paused).when({ type: 'ChangeStoreStatus', data: { status: 'paused', reason: 'again', now: LATER } }).thenNothingHappened();
  spec
    .given(connected, paused)
    .when({ type: 'ChangeStoreStatus', data: { status: 'active', reason: null, now: LATER } })
    .then(storeStatusChanged({ storeId: 's-1', tenantId: 't-1', status: 'active', reason: null, changedAt: LATER }));
  spec.given().when({ type: 'ChangeStoreStatus', data: { status: 'paused', reason: null, now: NOW } }).thenThrows('store_not_found');
});

t.test('ChangeStoreSettings: records the whole set after the change; no change is no event; an unknown store is refused', async (t) => {
  const changed = spec
    .given(connected)
    .when({ type: 'ChangeStoreSettings', data: { settings: { skipMarketplaceFulfilled: true }, now: LATER } })
    .then({ type: 'StoreSettingsChanged', schemaVersion: 1, data: { storeId: 's-1', tenantId: 't-1', settings: { skipMarketplaceFulfilled: true, walmart3plNode: false }, changedAt: LATER } });
  spec.given(connected, ...changed).when({ type: 'ChangeStoreSettings', data: { settings: { skipMarketplaceFulfilled: true }, now: LATER } }).thenNothingHappened();
  spec.given(connected).when({ type: 'ChangeStoreSettings', data: { settings: { walmart3plNode: false }, now: LATER } }).thenNothingHappened();
  spec.given().when({ type: 'ChangeStoreSettings', data: { settings: { walmart3plNode: true }, now: NOW } }).thenThrows('store_not_found');
  t.same(settingsOf([connected, ...changed].reduce(storeDecider.evolve, storeDecider.initialState())), { skipMarketplaceFulfilled: true, walmart3plNode: false });
  t.same(settingsOf(storeDecider.initialState()), { skipMarketplaceFulfilled: false, walmart3plNode: false }, 'defaults when never set');
});
