import type { MappingComponent } from './events.js';

/** What a mapping decision must know about a system SKU. Absent from the lookup = does not exist. */
export type SkuFacts = Readonly<{ tenantId: string; retired: boolean }>;

/** System SKU (exact code) → current facts, looked up by the shell for the SKUs a command names. */
export type SkuLookup = ReadonlyMap<string, SkuFacts>;

/** The mapping in force for one platform SKU. */
export type MappingEntry = Readonly<{ version: number; components: readonly MappingComponent[] }>;

/** The current mappings of ONE store: platform SKU (exact, trimmed) → mapping in force. */
export type MappingLookup = ReadonlyMap<string, MappingEntry>;
