/** Stable codes of catalog refusals (DomainError.code); their HTTP statuses live in src/http/errorStatuses.ts. */
export const catalogErrorCodes = [
  'sku_empty',
  'sku_too_long',
  'sku_invalid_character',
  'invalid_name',
  'invalid_barcode',
  'sku_retired',
  'sku_exists',
  /** Another SKU of the tenant looks the same (NFKC and Cyrillic/Greek look-alikes): `details.existing` names it. */
  'sku_confusable',
  'not_found',
] as const;

export type CatalogErrorCode = (typeof catalogErrorCodes)[number];
