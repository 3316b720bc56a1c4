import type { ErrorKind } from '../catalog/errors.js';

/**
 * Stable codes of mapping refusals (DomainError.code, import issue codes), with the kind of refusal
 * the HTTP layer maps to a status: `invalid` → 422, `conflict` → 409, `not_found` → 404.
 */
export const mappingErrorKinds = {
  platform_sku_empty: 'invalid',
  platform_sku_too_long: 'invalid',
  platform_sku_invalid_character: 'invalid',
  sku_empty: 'invalid',
  sku_too_long: 'invalid',
  sku_invalid_character: 'invalid',
  no_components: 'invalid',
  too_many_components: 'invalid',
  invalid_quantity: 'invalid',
  quantity_out_of_range: 'invalid',
  duplicate_component: 'invalid',
  unknown_sku: 'invalid',
  sku_retired: 'conflict',
  mapping_not_found: 'not_found',
  store_not_found: 'not_found',
  same_store: 'invalid',
  /** A CSV import was refused; the issues list every bad row. */
  import_invalid: 'invalid',
} as const satisfies Record<string, ErrorKind>;

export type MappingErrorCode = keyof typeof mappingErrorKinds;
export const mappingErrorCodes = Object.keys(mappingErrorKinds) as readonly MappingErrorCode[];
