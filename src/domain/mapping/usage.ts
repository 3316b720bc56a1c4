import type { MappingComponent } from './events.js';
import { compareCodeUnits } from './order.js';

/** One current mapping of some store of the tenant. */
export type StoreMapping = Readonly<{
  storeId: string;
  platformSku: string;
  version: number;
  components: readonly MappingComponent[];
}>;

/** A mapping that uses the SKU, and how many units of it one platform unit ships. */
export type SkuUsage = Readonly<{ storeId: string; platformSku: string; version: number; quantity: number }>;

/**
 * Which current mappings point at `sku` (exact code) — e.g. to report them when the SKU is retired.
 * Sorted by store, then platform SKU.
 */
export const mappingsUsingSku = (mappings: Iterable<StoreMapping>, sku: string): SkuUsage[] => {
  const usages: SkuUsage[] = [];
  for (const { storeId, platformSku, version, components } of mappings) {
    const component = components.find((c) => c.sku === sku);
    if (component) usages.push({ storeId, platformSku, version, quantity: component.quantity });
  }
  return usages.sort((a, b) => compareCodeUnits(a.storeId, b.storeId) || compareCodeUnits(a.platformSku, b.platformSku));
};
