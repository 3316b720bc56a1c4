import { err, ok, type Result } from '../shared/result.js';
import type { SetMapping } from './commands.js';
import type { MappingComponent } from './events.js';
import type { MappingLookup, SkuLookup } from './lookups.js';
import { compareCodeUnits } from './order.js';
import { checkComponentsUsable, sameComponents, type RuleIssue } from './rules.js';

/** A store as the copy needs it: its owner (looked up by the shell) and its mappings in force. */
export type StoreMappings = Readonly<{ storeId: string; tenantId: string; mappings: MappingLookup }>;

export type CopyInput = Readonly<{
  /** The tenant asking; both stores must be its own. */
  tenantId: string;
  source: StoreMappings;
  target: StoreMappings;
  /** Facts of the SKUs the source mappings use. */
  skus: SkuLookup;
  /** Replace target mappings that differ from the source (false: keep the target's own). */
  overwrite: boolean;
  now: string;
}>;

/**
 * created/updated/unchanged as for an import; `kept`: the target maps it differently and overwrite
 * is off; `skipped`: a component can no longer be used (retired), so that mapping is not copied.
 */
export type CopyOutcome = 'created' | 'updated' | 'unchanged' | 'kept' | 'skipped';

export type CopyEntry = Readonly<{
  platformSku: string;
  outcome: CopyOutcome;
  components: readonly MappingComponent[];
  /** Why it was skipped. */
  problems?: readonly RuleIssue[];
}>;

export type CopyPlan = Readonly<{
  entries: readonly CopyEntry[];
  commands: readonly SetMapping[];
  counts: Readonly<Record<CopyOutcome, number>>;
}>;

export type CopyError = RuleIssue<'store_not_found' | 'same_store'>;

/**
 * Plan copying every mapping of one store to another store of the same tenant. The copies are
 * independent mappings of the target (source 'copy', recording the source store); nothing stays
 * shared. Target mappings the source lacks are never removed. A store of another tenant is reported
 * exactly like a missing one.
 */
export const planMappingCopy = (input: CopyInput): Result<CopyPlan, CopyError> => {
  const { tenantId, source, target } = input;
  for (const store of [source, target]) {
    if (store.tenantId !== tenantId) return err({ code: 'store_not_found', reason: `Store ${store.storeId} not found` });
  }
  if (source.storeId === target.storeId) {
    return err({ code: 'same_store', reason: 'Source and target are the same store' });
  }
  const entries: CopyEntry[] = [];
  const commands: SetMapping[] = [];
  const counts: Record<CopyOutcome, number> = { created: 0, updated: 0, unchanged: 0, kept: 0, skipped: 0 };
  for (const [platformSku, { components }] of [...source.mappings].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const current = target.mappings.get(platformSku);
    let outcome: CopyOutcome = current === undefined ? 'created' : 'updated';
    let problems: RuleIssue[] = [];
    if (current !== undefined && sameComponents(current.components, components)) outcome = 'unchanged';
    else if (current !== undefined && !input.overwrite) outcome = 'kept';
    else {
      problems = checkComponentsUsable(components, tenantId, input.skus).map(({ code, reason }) => ({ code, reason }));
      if (problems.length > 0) outcome = 'skipped';
    }
    counts[outcome] += 1;
    entries.push({ platformSku, outcome, components, ...(problems.length > 0 ? { problems } : {}) });
    if (outcome === 'created' || outcome === 'updated') {
      commands.push({
        type: 'SetMapping',
        data: {
          tenantId,
          storeId: target.storeId,
          platformSku,
          components,
          source: 'copy',
          copiedFromStoreId: source.storeId,
          now: input.now,
          skus: input.skus,
        },
      });
    }
  }
  return ok({ entries, commands, counts });
};
