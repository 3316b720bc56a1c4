import type { MappingComponent } from '../mapping/events.js';
import type { MappingLookup, SkuLookup } from '../mapping/lookups.js';
import type { SyncHealth } from '../pull/health.js';
import type { Page } from './cursors.js';

/**
 * The store, authorization, product and mapping read models as the application and HTTP see them.
 * Every query is bound to one tenant by construction (`forTenant`): there is no method that could
 * forget the tenant filter. Lists take back the opaque `nextCursor` they issued; anything else is
 * refused with the stable code `invalid_cursor`. The adapter is adapters/readModels/catalogQueries.ts.
 */
export type StoreRow = Readonly<{
  storeId: string;
  authorizationId: string;
  platform: string;
  marketplaceId: string;
  countryCode: string;
  marketplaceName: string;
  name: string;
  status: string;
  connectedAt: string;
  /** How the store is pulled (StoreSettingsChanged; see domain/store/events.ts). */
  settings: Readonly<{ skipMarketplaceFulfilled: boolean; walmart3plNode: boolean }>;
  /** The store's pulls: last success, watermark, next run, last error. */
  sync: Readonly<{
    lastSuccessAt: string | null;
    watermark: string | null;
    nextRunAt: string | null;
    running: boolean;
    lastError: string | null;
    lastErrorAt: string | null;
    failures: number;
  }> &
    SyncHealth;
}>;

export type AuthorizationRow = Readonly<{
  authorizationId: string;
  platform: string;
  name: string;
  region: string | null;
  status: string;
  accountId: string | null;
  clientIdHint: string | null;
  renewBy: string | null;
  lastFailure: string | null;
  countryCode: string | null;
}>;

export type ProductRow = Readonly<{ sku: string; name: string; barcode: string | null; status: string; createdAt: string; updatedAt: string }>;

export type MappingRow = Readonly<{ platformSku: string; components: MappingComponent[]; version: number; updatedAt: string }>;

export type MappingUse = Readonly<{ storeId: string; platformSku: string; version: number; components: MappingComponent[] }>;

export type ProductListFilter = Readonly<{ q?: string; status?: string; after?: string | null; limit: number }>;
export type MappingListFilter = Readonly<{ q?: string; sku?: string; after?: string | null; limit: number }>;

export interface CatalogQueries {
  forTenant(tenantId: string): TenantCatalogQueries;
}

export interface TenantCatalogQueries {
  stores: {
    list(opts: { platform?: string; status?: string }): Promise<StoreRow[]>;
    get(storeId: string): Promise<StoreRow | null>;
  };
  authorizations: {
    /** Latest first; merged ones left out. */
    list(): Promise<AuthorizationRow[]>;
  };
  products: {
    list(filter: ProductListFilter): Promise<Page<ProductRow>>;
    get(sku: string): Promise<ProductRow | null>;
    /** The tenant's SKUs that have each of these look-alike keys (code order); keys without one are absent. */
    lookalikes(keys: readonly string[]): Promise<Map<string, string[]>>;
    /** Facts of these SKUs for mapping decisions (missing = unknown to this tenant). */
    facts(skus: readonly string[]): Promise<SkuLookup>;
  };
  mappings: {
    list(storeId: string, filter: MappingListFilter): Promise<Page<MappingRow>>;
    /** Mappings in force for a store, plus each stream's revision (tombstones included). */
    current(storeId: string): Promise<{ lookup: MappingLookup; streams: Map<string, { revision: number; version: number }> }>;
    /** Every mapping of the tenant that uses this system SKU. */
    usingSku(sku: string): Promise<MappingUse[]>;
  };
}
