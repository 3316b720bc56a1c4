import type { MappingSource } from './events.js';
import type { SkuLookup } from './lookups.js';

/** A requested component, before validation (SKU untrimmed, quantity unchecked). */
export type ComponentInput = Readonly<{ sku: string; quantity: number }>;

/**
 * Bind a store's platform SKU to one or more system SKUs. `tenantId` is the store's tenant (looked up
 * by the shell); `skus` holds the current facts of (at least) every referenced system SKU.
 */
export type SetMapping = Readonly<{
  type: 'SetMapping';
  data: Readonly<{
    tenantId: string;
    storeId: string;
    platformSku: string;
    components: readonly ComponentInput[];
    source: MappingSource;
    copiedFromStoreId?: string;
    now: string;
    skus: SkuLookup;
  }>;
}>;

/** Delete a store's mapping for a platform SKU. */
export type RemoveMapping = Readonly<{
  type: 'RemoveMapping';
  data: Readonly<{ tenantId: string; storeId: string; platformSku: string; now: string }>;
}>;

export type MappingCommand = SetMapping | RemoveMapping;
