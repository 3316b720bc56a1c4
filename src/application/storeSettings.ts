import { commandHandler } from '../domain/shared/commandHandler.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import { settingsOf, storeDecider, storeStreamId, type Store } from '../domain/store/decider.js';
import type { StoreSettings } from '../domain/store/events.js';
import { decodeStore, type AppDeps, type Caller } from './context.js';

/**
 * A store's pull settings. Each applies to one platform: `skipMarketplaceFulfilled` to Amazon
 * (FBA orders left out of the search), `walmart3plNode` to Walmart (3PLFulfilled orders pulled and
 * released); setting one on the other platform's store is refused (422 `setting_not_applicable`). The next pull applies them.
 */
export const storeSettingsService = (deps: AppDeps) => {
  const handle = commandHandler(storeDecider, decodeStore, deps.store, deps.ids);
  return {
    change: async (caller: Caller, storeId: string, settings: Partial<StoreSettings>): Promise<StoreSettings> => {
      const result = await handle(
        storeStreamId(storeId),
        { type: 'ChangeStoreSettings', data: { settings, now: deps.clock.now().toISOString() } },
        {
          metadata: caller.metadata,
          authorize: (state: Store) => {
            if (state.status === 'absent' || state.tenantId !== caller.tenantId) throw new NotFoundError('Store');
            if (settings.walmart3plNode !== undefined && state.platform !== 'walmart') throw new DomainError('setting_not_applicable', 'walmart3plNode applies to Walmart stores only', { setting: 'walmart3plNode' });
            if (settings.skipMarketplaceFulfilled !== undefined && state.platform !== 'amazon') {
              throw new DomainError('setting_not_applicable', 'skipMarketplaceFulfilled applies to Amazon stores only (Walmart WFS orders are always recorded)', {
                setting: 'skipMarketplaceFulfilled',
              });
            }
          },
        },
      );
      return settingsOf(result.state);
    },
  };
};

export type StoreSettingsService = ReturnType<typeof storeSettingsService>;
