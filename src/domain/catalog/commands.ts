/**
 * Create a product. `barcode` empty or blank means "no barcode". `now` is an ISO timestamp.
 * `lookalike`: an existing SKU of the tenant with the same lookalikeKey as `sku`, found by the shell
 * (null or omitted: none).
 */
export type CreateSystemSku = Readonly<{
  type: 'CreateSystemSku';
  data: Readonly<{ tenantId: string; sku: string; name: string; barcode?: string | null; now: string; lookalike?: string | null }>;
}>;

/**
 * Change a product's name and/or barcode. An omitted field is left as is; `barcode: null` (or blank)
 * removes the barcode. Values equal to the current ones are a no-op.
 */
export type UpdateSystemSku = Readonly<{
  type: 'UpdateSystemSku';
  data: Readonly<{ tenantId: string; sku: string; name?: string; barcode?: string | null; now: string }>;
}>;

/** Retire a product. Retiring a retired product is a no-op (safe to retry). */
export type RetireSystemSku = Readonly<{
  type: 'RetireSystemSku';
  data: Readonly<{ tenantId: string; sku: string; now: string }>;
}>;

export type CatalogCommand = CreateSystemSku | UpdateSystemSku | RetireSystemSku;
