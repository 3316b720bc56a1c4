import { z } from 'zod';

const SkuCode = z.string().min(1);
const Barcode = z.string().min(1).nullable();

/** A seller created a product (system SKU) in the warehouse catalog; mappings may now point at it. */
export const SystemSkuCreated = z.object({
  type: z.literal('SystemSkuCreated'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string().min(1),
    sku: SkuCode,
    name: z.string().min(1),
    barcode: Barcode,
    createdAt: z.iso.datetime(),
  }),
});
export type SystemSkuCreated = z.infer<typeof SystemSkuCreated>;

/** The product's descriptive data changed; carries the complete new values (barcode null = none). */
export const SystemSkuUpdated = z.object({
  type: z.literal('SystemSkuUpdated'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string().min(1),
    sku: SkuCode,
    name: z.string().min(1),
    barcode: Barcode,
    updatedAt: z.iso.datetime(),
  }),
});
export type SystemSkuUpdated = z.infer<typeof SystemSkuUpdated>;

/** The product is retired: kept for history, but no new mapping may point at it. Final. */
export const SystemSkuRetired = z.object({
  type: z.literal('SystemSkuRetired'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string().min(1),
    sku: SkuCode,
    retiredAt: z.iso.datetime(),
  }),
});
export type SystemSkuRetired = z.infer<typeof SystemSkuRetired>;

export const CatalogEvent = z.discriminatedUnion('type', [SystemSkuCreated, SystemSkuUpdated, SystemSkuRetired]);
export type CatalogEvent = z.infer<typeof CatalogEvent>;

export const systemSkuCreated = (data: SystemSkuCreated['data']): SystemSkuCreated => ({
  type: 'SystemSkuCreated',
  schemaVersion: 1,
  data,
});
export const systemSkuUpdated = (data: SystemSkuUpdated['data']): SystemSkuUpdated => ({
  type: 'SystemSkuUpdated',
  schemaVersion: 1,
  data,
});
export const systemSkuRetired = (data: SystemSkuRetired['data']): SystemSkuRetired => ({
  type: 'SystemSkuRetired',
  schemaVersion: 1,
  data,
});
