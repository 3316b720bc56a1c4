import { validateSkuCode } from '../domain/catalog/skuCode.js';
import { planMappingCopy } from '../domain/mapping/copy.js';
import { exportMappingsCsv } from '../domain/mapping/csvExport.js';
import { parseMappingCsvSteps, planMappingImport, type ImportLimits } from '../domain/mapping/csvImport.js';
import { yieldToEventLoop } from '../shared/yieldToEventLoop.js';
import { mappingDecider, type Mapping } from '../domain/mapping/decider.js';
import { MappingEvent } from '../domain/mapping/events.js';
import type { MappingEntry } from '../domain/mapping/lookups.js';
import { mappingStreamId } from '../domain/mapping/streams.js';
import type { AppendRequest } from '../domain/ports/eventStore.js';
import { commandHandler, decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import type { SetMapping } from '../domain/mapping/commands.js';
import type { CatalogService } from './catalog.js';
import { requireStore, type AppDeps, type Caller } from './context.js';

const decode = decodeWith(MappingEvent);

/** Planned mappings decided (and turned into events) per step of an import, with a yield between steps. */
const IMPORT_DECIDE_CHUNK = 1_000;

/** A component SKU as the decider will see it (NFKC, trimmed); an invalid one as given, to be refused there. */
const skuCodeOf = (raw: string): string => {
  const code = validateSkuCode(raw);
  return code.ok ? code.value : raw.trim();
};

/** A store's product mappings: single changes, bulk CSV import/export, copy, and history. */
export const mappingService = (deps: AppDeps, catalog: CatalogService) => {
  const handle = commandHandler(mappingDecider, decode, deps.store, deps.ids);
  const now = () => deps.clock.now().toISOString();
  const bulkAppend = deps.bulkAppend ?? (async (requests: readonly AppendRequest[]) => void (await deps.store.appendMany(requests)));

  /** Decide each planned SetMapping against the read model's state; one append request per stream. */
  const toRequests = (
    commands: readonly SetMapping[],
    current: ReadonlyMap<string, MappingEntry>,
    streams: ReadonlyMap<string, { revision: number; version: number }>,
    caller: Caller,
  ) =>
    commands.flatMap((command): AppendRequest[] => {
      const entry = current.get(command.data.platformSku);
      const stream = streams.get(command.data.platformSku);
      const revision = stream?.revision;
      // A removed mapping (tombstone) keeps counting versions from where it stopped.
      const state: Mapping = entry
        ? { status: 'mapped', version: entry.version, components: entry.components }
        : { status: 'unmapped', version: stream?.version ?? 0 };
      const events = mappingDecider.decide(command, state);
      if (!events.length) return [];
      return [
        {
          streamId: mappingStreamId(command.data.storeId, command.data.platformSku),
          events: toNewEvents(events, caller.metadata, deps.ids),
          expected: revision === undefined ? 'no_stream' : revision,
        },
      ];
    });

  /** The store's mappings as the read model has them once it caught up with every write so far. */
  const currentOf = async (tenantId: string, storeId: string) => {
    await deps.caughtUp(['mappings', 'products']);
    return deps.queries(tenantId).mappings.current(storeId);
  };

  return {
    set: async (caller: Caller, storeId: string, platformSku: string, components: readonly { sku: string; quantity: number }[]) => {
      await requireStore(deps, caller.tenantId, storeId);
      const skus = await catalog.lookupFacts(caller.tenantId, components.map((c) => skuCodeOf(c.sku)));
      const { state, events } = await handle(
        mappingStreamId(storeId, platformSku),
        { type: 'SetMapping', data: { tenantId: caller.tenantId, storeId, platformSku, components, source: 'api', now: now(), skus } },
        { metadata: caller.metadata },
      );
      if (state.status !== 'mapped') throw new Error('unreachable: a set mapping is mapped');
      return { platformSku, components: [...state.components], version: state.version, changed: events.length > 0 };
    },

    /** Read from the mapping's stream (consistent right after a write). */
    get: async (tenantId: string, storeId: string, platformSku: string) => {
      await requireStore(deps, tenantId, storeId);
      const { state } = await loadState(mappingDecider, decode, deps.store, mappingStreamId(storeId, platformSku));
      if (state.status !== 'mapped') throw new DomainError('mapping_not_found', `No mapping for ${platformSku}`);
      return { platformSku, components: [...state.components], version: state.version };
    },

    remove: async (caller: Caller, storeId: string, platformSku: string) => {
      await requireStore(deps, caller.tenantId, storeId);
      await handle(
        mappingStreamId(storeId, platformSku),
        { type: 'RemoveMapping', data: { tenantId: caller.tenantId, storeId, platformSku, now: now() } },
        { metadata: caller.metadata },
      );
    },

    /** Every change of one mapping, oldest first, with who made it: any past expansion can be explained. */
    history: async (tenantId: string, storeId: string, platformSku: string) => {
      await requireStore(deps, tenantId, storeId);
      const recorded = await deps.store.readStream(mappingStreamId(storeId, platformSku));
      if (!recorded.length) throw new DomainError('mapping_not_found', `No mapping for ${platformSku}`);
      return recorded.map((r) => {
        const e = decode(r);
        return {
          version: e.data.version,
          type: e.type,
          components: e.type === 'MappingSet' ? e.data.components : [],
          source: e.type === 'MappingSet' ? e.data.source : null,
          at: e.type === 'MappingSet' ? e.data.setAt : e.data.removedAt,
          actor: typeof r.metadata.actor === 'string' ? r.metadata.actor : null,
        };
      });
    },

    list: async (tenantId: string, storeId: string, opts: { q?: string; sku?: string; after?: string | null; limit: number }) => {
      await requireStore(deps, tenantId, storeId);
      return deps.queries(tenantId).mappings.list(storeId, opts.sku === undefined ? opts : { ...opts, sku: skuCodeOf(opts.sku) });
    },

    /**
     * Validate the whole file, then apply it in one append (all or nothing on PostgreSQL).
     * Re-importing the same file changes nothing and says so.
     */
    importCsv: async (caller: Caller, storeId: string, bytes: Uint8Array, limits: Partial<ImportLimits> = {}) => {
      await requireStore(deps, caller.tenantId, storeId);
      // Read in steps with a yield between them: a 50,000-row file must not hold the event loop.
      const steps = parseMappingCsvSteps(bytes, limits);
      let step = steps.next();
      while (step.done !== true) {
        await yieldToEventLoop();
        step = steps.next();
      }
      const parsed = step.value;
      const { lookup, streams } = await currentOf(caller.tenantId, storeId);
      const skus = await deps.queries(caller.tenantId).products.facts(parsed.referencedSkus);
      const plan = planMappingImport(parsed, { tenantId: caller.tenantId, storeId, now: now(), current: lookup, skus });
      if (!plan.ok) throw new DomainError('import_invalid', `The file has ${plan.error.length} problem(s); nothing was imported`, { issues: plan.error });
      const requests: AppendRequest[] = [];
      for (let i = 0; i < plan.value.commands.length; i += IMPORT_DECIDE_CHUNK) {
        await yieldToEventLoop();
        requests.push(...toRequests(plan.value.commands.slice(i, i + IMPORT_DECIDE_CHUNK), lookup, streams, caller));
      }
      await bulkAppend(requests);
      return plan.value.counts;
    },

    exportCsv: async (tenantId: string, storeId: string) => {
      await requireStore(deps, tenantId, storeId);
      const { lookup } = await currentOf(tenantId, storeId);
      return exportMappingsCsv(lookup);
    },

    /** Copy every mapping of another store of the same tenant (independent copies, not shared). */
    copyFrom: async (caller: Caller, targetStoreId: string, sourceStoreId: string, overwrite: boolean) => {
      const [source, target] = await Promise.all([
        requireStore(deps, caller.tenantId, sourceStoreId),
        requireStore(deps, caller.tenantId, targetStoreId),
      ]);
      const [src, tgt] = await Promise.all([currentOf(caller.tenantId, source.storeId), currentOf(caller.tenantId, target.storeId)]);
      const used = [...src.lookup.values()].flatMap((m) => m.components.map((c) => c.sku));
      const skus = await deps.queries(caller.tenantId).products.facts(used);
      const plan = planMappingCopy({
        tenantId: caller.tenantId,
        source: { storeId: source.storeId, tenantId: source.tenantId, mappings: src.lookup },
        target: { storeId: target.storeId, tenantId: target.tenantId, mappings: tgt.lookup },
        skus,
        overwrite,
        now: now(),
      });
      if (!plan.ok) throw plan.error.code === 'store_not_found' ? new NotFoundError('Store') : new DomainError(plan.error.code, plan.error.reason);
      await deps.store.appendMany(toRequests(plan.value.commands, tgt.lookup, tgt.streams, caller));
      return {
        counts: plan.value.counts,
        skipped: plan.value.entries
          .filter((e) => e.outcome === 'skipped')
          .map((e) => ({ platformSku: e.platformSku, problems: (e.problems ?? []).map(({ code, reason }) => ({ code, reason })) })),
      };
    },
  };
};

export type MappingService = ReturnType<typeof mappingService>;
