import { validatePlatformSku, validateSkuCode } from '../catalog/skuCode.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ComponentInput } from './commands.js';
import type { MappingErrorCode } from './errors.js';
import type { MappingComponent } from './events.js';
import type { SkuLookup } from './lookups.js';

export const MAX_COMPONENTS = 20;
export const MAX_QUANTITY = 10_000;

export type RuleIssue<Code extends MappingErrorCode = MappingErrorCode> = Readonly<{ code: Code; reason: string }>;

/** A problem with one part of a SetMapping: `index` is the component's position (null: whole mapping). */
export type MappingIssue = Readonly<{
  field: 'platformSku' | 'components' | 'sku' | 'quantity';
  index: number | null;
  code: MappingErrorCode;
  reason: string;
}>;

export { validatePlatformSku, validateSkuCode };

/** A factor is a whole number of units, 1..10,000. */
export const validateQuantity = (
  quantity: number,
): Result<number, RuleIssue<'invalid_quantity' | 'quantity_out_of_range'>> => {
  if (!Number.isInteger(quantity)) {
    return err({ code: 'invalid_quantity', reason: `Quantity must be a whole number, got ${quantity}` });
  }
  if (quantity < 1 || quantity > MAX_QUANTITY) {
    return err({ code: 'quantity_out_of_range', reason: `Quantity must be 1 to ${MAX_QUANTITY}, got ${quantity}` });
  }
  return ok(quantity);
};

/**
 * Can a new mapping of `tenantId`'s store point at `sku`? Another tenant's SKU gets exactly the answer
 * an unknown one gets, so a seller can never learn which codes other sellers use.
 */
export const checkSkuUsable = (
  sku: string,
  tenantId: string,
  skus: SkuLookup,
): RuleIssue<'unknown_sku' | 'sku_retired'> | null => {
  const facts = skus.get(sku);
  if (facts === undefined || facts.tenantId !== tenantId) {
    return { code: 'unknown_sku', reason: `System SKU ${sku} does not exist` };
  }
  if (facts.retired) return { code: 'sku_retired', reason: `System SKU ${sku} is retired` };
  return null;
};

/** Same SKUs with the same quantities, in any order. */
export const sameComponents = (a: readonly MappingComponent[], b: readonly MappingComponent[]): boolean => {
  if (a.length !== b.length) return false;
  const quantities = new Map(a.map((c) => [c.sku, c.quantity]));
  return quantities.size === a.length && b.every((c) => quantities.get(c.sku) === c.quantity);
};

/**
 * The lookup-free rules of a mapping: a valid platform SKU, 1..20 components, each a valid SKU code
 * with a quantity 1..10,000, no SKU twice (an error, not merged: a typo is likelier than intent).
 * Components keep the order given. Reports every problem, not just the first.
 */
export const validateMappingShape = (
  platformSku: string,
  components: readonly ComponentInput[],
): Result<{ platformSku: string; components: MappingComponent[] }, MappingIssue[]> => {
  const issues: MappingIssue[] = [];
  const platform = validatePlatformSku(platformSku);
  if (!platform.ok) issues.push({ field: 'platformSku', index: null, ...platform.error });
  if (components.length === 0) {
    issues.push({ field: 'components', index: null, code: 'no_components', reason: 'A mapping needs at least one component' });
  } else if (components.length > MAX_COMPONENTS) {
    issues.push({
      field: 'components',
      index: null,
      code: 'too_many_components',
      reason: `A mapping has at most ${MAX_COMPONENTS} components, got ${components.length}`,
    });
  }
  const valid: MappingComponent[] = [];
  const seen = new Set<string>();
  components.forEach((component, index) => {
    const sku = validateSkuCode(component.sku);
    const quantity = validateQuantity(component.quantity);
    if (!sku.ok) issues.push({ field: 'sku', index, ...sku.error });
    else if (seen.has(sku.value)) {
      issues.push({ field: 'sku', index, code: 'duplicate_component', reason: `System SKU ${sku.value} is listed twice` });
    } else seen.add(sku.value);
    if (!quantity.ok) issues.push({ field: 'quantity', index, ...quantity.error });
    if (sku.ok && quantity.ok) valid.push({ sku: sku.value, quantity: quantity.value });
  });
  if (issues.length > 0 || !platform.ok) return err(issues);
  return ok({ platformSku: platform.value, components: valid });
};

/** Every component must name an existing, non-retired SKU of the store's tenant. */
export const checkComponentsUsable = (
  components: readonly MappingComponent[],
  tenantId: string,
  skus: SkuLookup,
): MappingIssue[] =>
  components.flatMap((component, index) => {
    const issue = checkSkuUsable(component.sku, tenantId, skus);
    return issue ? [{ field: 'sku' as const, index, ...issue }] : [];
  });
