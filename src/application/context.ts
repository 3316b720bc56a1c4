import type { TenantCatalogQueries } from '../domain/ports/catalogQueries.js';
import type { AppendRequest, EventMetadata, EventStore } from '../domain/ports/eventStore.js';
import type { Clock, IdGenerator } from '../domain/ports/ids.js';
import { decodeWith, loadState } from '../domain/shared/commandHandler.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { storeDecider, storeStreamId, type Store } from '../domain/store/decider.js';
import { StoreEvent } from '../domain/store/events.js';

/** What application services share: the event store, ids, the clock, and tenant-bound queries. */
export type AppDeps = Readonly<{
  store: EventStore;
  ids: IdGenerator;
  clock: Clock;
  queries: (tenantId: string) => TenantCatalogQueries;
  /** Resolves once the named projections have applied everything committed so far. */
  caughtUp: (projections: readonly string[]) => Promise<void>;
  /**
   * Append the streams of a bulk import all or nothing without holding the process (chunked on
   * embedded PGlite: adapters/eventStore/chunkedAppend.ts). Default: one store.appendMany.
   */
  bulkAppend?: (requests: readonly AppendRequest[]) => Promise<void>;
}>;

/** A command's caller: the tenant it acts for and the event metadata to record. */
export type Caller = Readonly<{ tenantId: string; metadata: EventMetadata }>;

export const decodeStore = decodeWith(StoreEvent);

/**
 * The store, if it exists and belongs to the tenant; otherwise 404 — the same answer for another
 * tenant's store as for none, so ids of other tenants cannot be probed. Read from the store's own
 * stream, so a store connected a moment ago is found.
 */
export const requireStore = async (deps: AppDeps, tenantId: string, storeId: string): Promise<Extract<Store, { tenantId: string }>> => {
  const { state } = await loadState(storeDecider, decodeStore, deps.store, storeStreamId(storeId));
  if (state.status === 'absent' || state.tenantId !== tenantId) throw new NotFoundError('Store');
  return state;
};
