import type { AuthorizationErrorCode } from '../domain/authorization/decider.js';
import type { CatalogErrorCode } from '../domain/catalog/errors.js';
import type { MappingErrorCode } from '../domain/mapping/errors.js';
import type { ExpansionErrorCode } from '../domain/mapping/expansion.js';
import type { OrderActionErrorCode } from '../domain/order/operatorActions.js';
import type { TenantErrorCode } from '../domain/tenant/decider.js';
import type { UserAdminErrorCode } from '../domain/user/administration.js';
import type { UserErrorCode } from '../domain/user/decider.js';

/**
 * The HTTP status of every domain refusal code, one table per capability. The domain names its codes
 * only; `satisfies Record<Code, number>` makes a new code without a status a type error here, and
 * test/http/errorStatuses.test.ts checks the codes the domain raises against the whole table.
 * Each entry stays on its own line: scripts/error-pages.ts reads these tables.
 */
export const tenantErrorStatuses = {
  tenant_exists: 409,
  invalid_name: 422,
} as const satisfies Record<TenantErrorCode, number>;

export const userErrorStatuses = {
  email_taken: 409,
  invalid_email: 422,
  role_tenant_mismatch: 422,
  user_exists: 409,
  user_disabled: 409,
} as const satisfies Record<UserErrorCode, number>;

export const userAdminErrorStatuses = {
  user_admin_required: 403,
  own_account: 409,
} as const satisfies Record<UserAdminErrorCode, number>;

export const orderActionErrorStatuses = {
  action_not_allowed: 409,
  release_not_allowed: 409,
  ship_to_incomplete: 422,
} as const satisfies Record<OrderActionErrorCode, number>;

/** Invalid input 422, a conflict with what exists 409, something missing 404. */
export const catalogErrorStatuses = {
  sku_empty: 422,
  sku_too_long: 422,
  sku_invalid_character: 422,
  invalid_name: 422,
  invalid_barcode: 422,
  sku_retired: 409,
  sku_exists: 409,
  sku_confusable: 409,
  not_found: 404,
} as const satisfies Record<CatalogErrorCode, number>;

export const mappingErrorStatuses = {
  platform_sku_empty: 422,
  platform_sku_too_long: 422,
  platform_sku_invalid_character: 422,
  sku_empty: 422,
  sku_too_long: 422,
  sku_invalid_character: 422,
  no_components: 422,
  too_many_components: 422,
  invalid_quantity: 422,
  quantity_out_of_range: 422,
  duplicate_component: 422,
  unknown_sku: 422,
  sku_retired: 409,
  mapping_not_found: 404,
  store_not_found: 404,
  same_store: 422,
  import_invalid: 422,
} as const satisfies Record<MappingErrorCode, number>;

/** Order lines a marketplace sent that cannot be expanded (the fallback status, made explicit). */
export const expansionErrorStatuses = {
  invalid_line_quantity: 422,
  duplicate_line_id: 422,
} as const satisfies Record<ExpansionErrorCode, number>;

export const authorizationErrorStatuses = {
  invalid_state: 400,
  state_expired: 400,
  authorization_exists: 422,
  authorization_revoked: 409,
  authorization_not_active: 409,
  authorization_failed: 422,
  state_not_bound: 400,
  consent_link_used: 409,
  account_already_connected: 409,
  credentials_identical: 422,
  credentials_rejected: 422,
  missing_permission: 422,
  store_pause_not_supported: 409,
  marketplace_unavailable: 502,
  marketplace_not_found: 404,
  country_region_mismatch: 400,
  consent_denied: 422,
  walmart_connect_not_configured: 422,
} as const satisfies Record<AuthorizationErrorCode, number>;

/** Every domain code's status; problem.ts answers with it (codes not listed answer 422). */
export const domainErrorStatuses: Readonly<Record<string, number>> = {
  ...tenantErrorStatuses,
  ...userErrorStatuses,
  ...userAdminErrorStatuses,
  ...orderActionErrorStatuses,
  ...catalogErrorStatuses,
  ...mappingErrorStatuses,
  ...expansionErrorStatuses,
  ...authorizationErrorStatuses,
};
