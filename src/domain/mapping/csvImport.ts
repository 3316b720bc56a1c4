import { err, ok, type Result } from '../shared/result.js';
import type { SetMapping } from './commands.js';
import { parseMappingCsv, type ImportIssue, type ImportLimits, type ParsedMappingCsv, type ParsedRow } from './csvRows.js';
import type { MappingComponent } from './events.js';
import type { MappingLookup, SkuLookup } from './lookups.js';
import { compareCodeUnits } from './order.js';
import { checkSkuUsable, MAX_COMPONENTS, sameComponents } from './rules.js';

export * from './csvRows.js';

export type ImportContext = Readonly<{
  tenantId: string;
  storeId: string;
  now: string;
  /** The store's mappings in force now. */
  current: MappingLookup;
  /** Facts of (at least) every SKU in `referencedSkus`. */
  skus: SkuLookup;
}>;

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

export type ImportPlanEntry = Readonly<{
  platformSku: string;
  outcome: ImportOutcome;
  components: readonly MappingComponent[];
  /** Version of the mapping in force when planned (null: none). */
  previousVersion: number | null;
}>;

export type ImportPlan = Readonly<{
  /** One per platform SKU in the file, sorted by platform SKU. */
  entries: readonly ImportPlanEntry[];
  /** What to apply, one per created or updated entry (same order); each is one mapping stream. */
  commands: readonly SetMapping[];
  counts: Readonly<{ rows: number; mappings: number } & Record<ImportOutcome, number>>;
}>;

/** The rows of one platform SKU: first row, SKU → row where listed, components so far, all rows fine? */
type Group = { firstRow: number; skus: Map<string, number>; components: MappingComponent[]; valid: boolean };

/**
 * Turn a checked file into a plan against the store's current mappings. Rows sharing a platform SKU
 * form one mapping, components in file order. Any issue (from reading or from here: duplicate
 * component, more than 20 components, unknown or retired SKU) refuses the whole file: nothing is
 * planned. Mappings absent from the file are left alone: an import adds and replaces, never removes.
 * An unchanged mapping is not re-checked against the lookup (it adds no new use of its SKUs).
 */
export const planMappingImport = (parsed: ParsedMappingCsv, context: ImportContext): Result<ImportPlan, ImportIssue[]> => {
  const issues: ImportIssue[] = [...parsed.issues];
  const groups = new Map<string, Group>();
  const groupOf = new Map<ParsedRow, Group>();
  for (const row of parsed.rows) {
    if (row.platformSku === null) continue;
    let group = groups.get(row.platformSku);
    if (group === undefined) {
      group = { firstRow: row.row, skus: new Map(), components: [], valid: true };
      groups.set(row.platformSku, group);
    }
    groupOf.set(row, group);
    if (row.systemSku === null || row.quantity === null) {
      group.valid = false;
      continue;
    }
    const earlier = group.skus.get(row.systemSku);
    if (earlier !== undefined) {
      group.valid = false;
      issues.push({
        row: row.row,
        column: 'system_sku',
        code: 'duplicate_component',
        reason: `System SKU ${row.systemSku} is already a component of ${row.platformSku} in row ${earlier}`,
      });
      continue;
    }
    group.skus.set(row.systemSku, row.row);
    if (group.skus.size > MAX_COMPONENTS) {
      group.valid = false;
      issues.push({
        row: row.row,
        column: 'platform_sku',
        code: 'too_many_components',
        reason: `${row.platformSku} would have more than ${MAX_COMPONENTS} components (rows from ${group.firstRow})`,
      });
    }
    group.components.push({ sku: row.systemSku, quantity: row.quantity });
  }
  const unchanged = (group: Group | undefined, platformSku: string | null): boolean => {
    if (group === undefined || platformSku === null || !group.valid) return false;
    const current = context.current.get(platformSku);
    return current !== undefined && sameComponents(current.components, group.components);
  };
  for (const row of parsed.rows) {
    if (row.systemSku === null || unchanged(groupOf.get(row), row.platformSku)) continue;
    const problem = checkSkuUsable(row.systemSku, context.tenantId, context.skus);
    if (problem) issues.push({ row: row.row, column: 'system_sku', code: problem.code, reason: problem.reason });
  }
  // Stable sort: within a row, reading issues come before planning ones. (Row-less issues never mix.)
  if (issues.length > 0) return err(issues.sort((a, b) => Number(a.row) - Number(b.row)));

  const entries: ImportPlanEntry[] = [];
  const commands: SetMapping[] = [];
  const counts = { rows: parsed.rows.length, mappings: groups.size, created: 0, updated: 0, unchanged: 0 };
  for (const [platformSku, group] of [...groups].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const current = context.current.get(platformSku);
    const outcome: ImportOutcome =
      current === undefined ? 'created' : unchanged(group, platformSku) ? 'unchanged' : 'updated';
    counts[outcome] += 1;
    entries.push({ platformSku, outcome, components: group.components, previousVersion: current?.version ?? null });
    if (outcome !== 'unchanged') {
      commands.push({
        type: 'SetMapping',
        data: {
          tenantId: context.tenantId,
          storeId: context.storeId,
          platformSku,
          components: group.components,
          source: 'import',
          now: context.now,
          skus: context.skus,
        },
      });
    }
  }
  return ok({ entries, commands, counts });
};

/** Read, check and plan in one go, when the shell can hand over the SKU lookup up front. */
export const importMappingsCsv = (
  bytes: Uint8Array,
  context: ImportContext,
  limits: Partial<ImportLimits> = {},
): Result<ImportPlan, ImportIssue[]> => planMappingImport(parseMappingCsv(bytes, limits), context);
