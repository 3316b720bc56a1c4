/**
 * Stable codes of mapping refusals (DomainError.code, import issue codes); their HTTP statuses live
 * in src/http/errorStatuses.ts.
 */
export const mappingErrorCodes = [
  'platform_sku_empty',
  'platform_sku_too_long',
  'platform_sku_invalid_character',
  'sku_empty',
  'sku_too_long',
  'sku_invalid_character',
  'no_components',
  'too_many_components',
  'invalid_quantity',
  'quantity_out_of_range',
  'duplicate_component',
  'unknown_sku',
  'sku_retired',
  'mapping_not_found',
  'store_not_found',
  'same_store',
  /** A CSV import was refused; the issues list every bad row. */
  'import_invalid',
] as const;

export type MappingErrorCode = (typeof mappingErrorCodes)[number];
