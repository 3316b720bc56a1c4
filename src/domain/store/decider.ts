import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import { storeConnected, storeStatusChanged, type StoreConnectedData, type StoreEvent, type StoreStatus } from './events.js';

export type Store =
  | Readonly<{ status: 'absent' }>
  | Readonly<Omit<StoreConnectedData, 'status' | 'connectedAt'> & { status: StoreStatus; connectedAt: string }>;

export type StoreCommand =
  | Readonly<{ type: 'ConnectStore'; data: StoreConnectedData }>
  | Readonly<{ type: 'ChangeStoreStatus'; data: Readonly<{ status: StoreStatus; reason: string | null; now: string }> }>;

export const initialState = (): Store => ({ status: 'absent' });

export const evolve = (state: Store, event: StoreEvent): Store => {
  switch (event.type) {
    case 'StoreConnected':
      return { ...event.data };
    case 'StoreStatusChanged':
      return state.status === 'absent' ? state : { ...state, status: event.data.status };
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
    default:
      return assertNever(command, 'StoreCommand');
  }
};

export const storeDecider: Decider<StoreCommand, StoreEvent, Store> = { decide, evolve, initialState };
export const storeStreamId = (storeId: string) => `store-${storeId}`;
