import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import { DEFAULT_STORE_SETTINGS, storeConnected, storeStatusChanged, type StoreConnectedData, type StoreEvent, type StoreSettings, type StoreStatus } from './events.js';

export type Store =
  | Readonly<{ status: 'absent' }>
  | Readonly<Omit<StoreConnectedData, 'status' | 'connectedAt'> & { status: StoreStatus; connectedAt: string; settings?: StoreSettings }>;

export type StoreCommand =
  | Readonly<{ type: 'ConnectStore'; data: StoreConnectedData }>
  | Readonly<{ type: 'ChangeStoreStatus'; data: Readonly<{ status: StoreStatus; reason: string | null; now: string }> }>
  | Readonly<{ type: 'ChangeStoreSettings'; data: Readonly<{ settings: Partial<StoreSettings>; now: string }> }>;

/** The store's pull settings (defaults when never set). */
export const settingsOf = (store: Store): StoreSettings => (store.status === 'absent' ? DEFAULT_STORE_SETTINGS : { ...DEFAULT_STORE_SETTINGS, ...store.settings });

export const initialState = (): Store => ({ status: 'absent' });

export const evolve = (state: Store, event: StoreEvent): Store => {
  switch (event.type) {
    case 'StoreConnected':
      return { ...event.data };
    case 'StoreStatusChanged':
      return state.status === 'absent' ? state : { ...state, status: event.data.status };
    case 'StoreSettingsChanged':
      return state.status === 'absent' ? state : { ...state, settings: event.data.settings };
    default:
      return assertNever(event, 'StoreEvent');
  }
};

export const decide = (command: StoreCommand, state: Store): StoreEvent[] => {
  switch (command.type) {
    case 'ConnectStore':
      // Connecting an existing store again (a re-authorization) changes nothing here.
      return state.status === 'absent' ? [storeConnected(command.data)] : [];
    case 'ChangeStoreStatus': {
      if (state.status === 'absent') throw new DomainError('store_not_found', 'Store not found');
      if (state.status === command.data.status) return [];
      return [
        storeStatusChanged({
          storeId: state.storeId,
          tenantId: state.tenantId,
          status: command.data.status,
          reason: command.data.reason,
          changedAt: command.data.now,
        }),
      ];
    }
    case 'ChangeStoreSettings': {
      if (state.status === 'absent') throw new DomainError('store_not_found', 'Store not found');
      const before = settingsOf(state);
      const after = { ...before, ...command.data.settings };
      // Each setting applies to one platform; the route refuses the other (400) before it gets here.
      if (after.skipMarketplaceFulfilled === before.skipMarketplaceFulfilled && after.walmart3plNode === before.walmart3plNode) return [];
      return [{ type: 'StoreSettingsChanged', schemaVersion: 1, data: { storeId: state.storeId, tenantId: state.tenantId, settings: after, changedAt: command.data.now } }];
    }
    default:
      return assertNever(command, 'StoreCommand');
  }
};

export const storeDecider: Decider<StoreCommand, StoreEvent, Store> = { decide, evolve, initialState };
export const storeStreamId = (storeId: string) => `store-${storeId}`;
