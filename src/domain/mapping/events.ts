import { z } from 'zod';

/** Units of system SKU `sku` shipped per 1 unit of the platform SKU (the factor; not stock). */
export const MappingComponent = z.object({
  sku: z.string().min(1),
  quantity: z.number().int().min(1),
});
export type MappingComponent = z.infer<typeof MappingComponent>;

export const MappingSource = z.enum(['api', 'import', 'copy']);
export type MappingSource = z.infer<typeof MappingSource>;

/**
 * A store's platform SKU now expands to these components (in this order), replacing any previous
 * mapping. `version` is the 1-based count of mapping events in the stream, so (platformSku, version)
 * identifies exactly the expansion used by an order.
 */
export const MappingSet = z.object({
  type: z.literal('MappingSet'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string().min(1),
    storeId: z.string().min(1),
    platformSku: z.string().min(1),
    components: z.array(MappingComponent).min(1),
    source: MappingSource,
    /** Only for source 'copy': the store the mapping was copied from. */
    copiedFromStoreId: z.string().min(1).optional(),
    version: z.number().int().min(1),
    setAt: z.iso.datetime(),
  }),
});
export type MappingSet = z.infer<typeof MappingSet>;

/** The platform SKU no longer has a mapping in this store; its orders will be held until it has one. */
export const MappingRemoved = z.object({
  type: z.literal('MappingRemoved'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string().min(1),
    storeId: z.string().min(1),
    platformSku: z.string().min(1),
    version: z.number().int().min(1),
    removedAt: z.iso.datetime(),
  }),
});
export type MappingRemoved = z.infer<typeof MappingRemoved>;

export const MappingEvent = z.discriminatedUnion('type', [MappingSet, MappingRemoved]);
export type MappingEvent = z.infer<typeof MappingEvent>;

export const mappingSet = (data: MappingSet['data']): MappingSet => ({ type: 'MappingSet', schemaVersion: 1, data });
export const mappingRemoved = (data: MappingRemoved['data']): MappingRemoved => ({
  type: 'MappingRemoved',
  schemaVersion: 1,
  data,
});
