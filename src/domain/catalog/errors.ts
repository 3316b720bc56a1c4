/**
 * Stable codes of catalog refusals (DomainError.code), with the kind of refusal the HTTP layer maps
 * to a status: `invalid` → 422, `conflict` → 409, `not_found` → 404.
 */
export const catalogErrorKinds = {
  sku_empty: 'invalid',
  sku_too_long: 'invalid',
  sku_invalid_character: 'invalid',
  invalid_name: 'invalid',
  invalid_barcode: 'invalid',
  sku_retired: 'conflict',
  sku_exists: 'conflict',
  /** Another SKU of the tenant looks the same (NFKC and Cyrillic/Greek look-alikes): `details.existing` names it. */
  sku_confusable: 'conflict',
  not_found: 'not_found',
} as const;

export type CatalogErrorCode = keyof typeof catalogErrorKinds;
export type ErrorKind = 'invalid' | 'conflict' | 'not_found';

export const catalogErrorCodes = Object.keys(catalogErrorKinds) as readonly CatalogErrorCode[];
