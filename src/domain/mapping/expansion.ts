import { DomainError } from '../shared/errors.js';
import type { MappingLookup } from './lookups.js';
import { compareCodeUnits } from './order.js';

/** An order line as the marketplace sold it. */
export type PlatformLine = Readonly<{ lineId: string; platformSku: string; quantity: number }>;

/** A line for the warehouse, with where it came from (kept in the order's events for audit). */
export type WarehouseLine = Readonly<{
  lineId: string;
  sku: string;
  quantity: number;
  source: Readonly<{
    platformSku: string;
    platformLineId: string;
    platformQuantity: number;
    factor: number;
    mappingVersion: number;
  }>;
}>;

export type Expansion = Readonly<{
  lines: WarehouseLine[];
  /** Platform SKUs without a mapping, distinct and sorted; the order must be held while non-empty. */
  unmapped: string[];
  /** The version of every mapping used, by platform SKU (keys sorted). */
  mappingVersions: Record<string, number>;
}>;

export const expansionErrorCodes = ['invalid_line_quantity', 'duplicate_line_id'] as const;
export type ExpansionErrorCode = (typeof expansionErrorCodes)[number];

/**
 * Expand platform lines into system-SKU lines with the mappings in force: each component of the
 * line's mapping becomes one warehouse line `<platformLineId>:<componentIndex>` with quantity =
 * ordered × factor, in line order then component order. There is no identity fallback: a platform
 * SKU equal to a system SKU is unmapped until mapped. A line with quantity 0 (fully cancelled) needs
 * nothing shipped: it yields no warehouse line and is never reported as unmapped. Platform SKUs are
 * matched after trimming, like mapping keys. Mapped lines are expanded even when others are unmapped;
 * the caller decides to hold the order.
 */
export const expandLines = (lines: readonly PlatformLine[], mappings: MappingLookup): Expansion => {
  const out: WarehouseLine[] = [];
  const unmapped = new Set<string>();
  const versions = new Map<string, number>();
  const lineIds = new Set<string>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 0) {
      throw new DomainError<ExpansionErrorCode>(
        'invalid_line_quantity',
        `Line ${line.lineId} has quantity ${line.quantity}; expected a whole number >= 0`,
      );
    }
    if (lineIds.has(line.lineId)) {
      throw new DomainError<ExpansionErrorCode>('duplicate_line_id', `Line id ${line.lineId} appears twice`);
    }
    lineIds.add(line.lineId);
    if (line.quantity === 0) continue;
    const platformSku = line.platformSku.trim();
    const mapping = mappings.get(platformSku);
    if (mapping === undefined) {
      unmapped.add(platformSku);
      continue;
    }
    versions.set(platformSku, mapping.version);
    mapping.components.forEach((component, index) => {
      out.push({
        lineId: `${line.lineId}:${index}`,
        sku: component.sku,
        quantity: line.quantity * component.quantity,
        source: {
          platformSku,
          platformLineId: line.lineId,
          platformQuantity: line.quantity,
          factor: component.quantity,
          mappingVersion: mapping.version,
        },
      });
    });
  }
  return {
    lines: out,
    unmapped: [...unmapped].sort(compareCodeUnits),
    // Object.fromEntries defines own properties, so a platform SKU such as "__proto__" is safe.
    mappingVersions: Object.fromEntries([...versions].sort(([a], [b]) => compareCodeUnits(a, b))),
  };
};
