import { CatalogEvent } from '../domain/catalog/events.js';
import { skuFactsOf, systemSkuDecider, type SystemSku } from '../domain/catalog/decider.js';
import { productStreamId } from '../domain/catalog/streams.js';
import { validateSkuCode } from '../domain/catalog/skuCode.js';
import { readCsvRecords } from '../domain/mapping/csv.js';
import type { SkuLookup } from '../domain/mapping/lookups.js';
import { commandHandler, decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import type { AppDeps, Caller } from './context.js';

const decode = decodeWith(CatalogEvent);

type Active = Extract<SystemSku, { tenantId: string }>;
const view = (s: Active) => ({ sku: s.sku, name: s.name, barcode: s.barcode, status: s.status });

/** System SKUs: the warehouse's products, per tenant. */
export const catalogService = (deps: AppDeps) => {
  const handle = commandHandler(systemSkuDecider, decode, deps.store, deps.ids);
  const now = () => deps.clock.now().toISOString();
  /** Another tenant's SKU reads exactly like a missing one. */
  const ownedBy = (tenantId: string) => (state: SystemSku) => {
    if (state.status !== 'absent' && state.tenantId !== tenantId) throw new NotFoundError('Product');
  };
  const normalised = (raw: string) => {
    const code = validateSkuCode(raw);
    if (!code.ok) throw new DomainError(code.error.code, code.error.reason);
    return code.value;
  };

  const lookupFacts = async (tenantId: string, skus: readonly string[]): Promise<SkuLookup> => {
    const entries = await Promise.all(
      [...new Set(skus)].map(async (sku) => {
        const { state } = await loadState(systemSkuDecider, decode, deps.store, productStreamId(tenantId, sku));
        const facts = state.status !== 'absent' && state.tenantId === tenantId ? skuFactsOf(state) : undefined;
        return facts ? ([sku, facts] as const) : null;
      }),
    );
    return new Map(entries.filter((e) => e !== null));
  };

  return {
    create: async (caller: Caller, input: { sku: string; name: string; barcode?: string | null }) => {
      const sku = normalised(input.sku);
      const { state } = await handle(
        productStreamId(caller.tenantId, sku),
        { type: 'CreateSystemSku', data: { tenantId: caller.tenantId, sku, name: input.name, barcode: input.barcode ?? null, now: now() } },
        { metadata: caller.metadata, authorize: ownedBy(caller.tenantId) },
      );
      return view(state as Active);
    },

    /** Read from the product's stream: a SKU created a moment ago is found. */
    get: async (tenantId: string, sku: string) => {
      const { state } = await loadState(systemSkuDecider, decode, deps.store, productStreamId(tenantId, sku));
      if (state.status === 'absent' || state.tenantId !== tenantId) throw new NotFoundError('Product');
      return view(state);
    },

    update: async (caller: Caller, sku: string, changes: { name?: string; barcode?: string | null }) => {
      const { state } = await handle(
        productStreamId(caller.tenantId, sku),
        { type: 'UpdateSystemSku', data: { tenantId: caller.tenantId, sku, ...changes, now: now() } },
        { metadata: caller.metadata, authorize: ownedBy(caller.tenantId) },
      );
      return view(state as Active);
    },

    /** Retire; answers with the mappings that still use the SKU (they keep working, new ones may not use it). */
    retire: async (caller: Caller, sku: string) => {
      const { state } = await handle(
        productStreamId(caller.tenantId, sku),
        { type: 'RetireSystemSku', data: { tenantId: caller.tenantId, sku, now: now() } },
        { metadata: caller.metadata, authorize: ownedBy(caller.tenantId) },
      );
      await deps.caughtUp(['mappings']);
      const usedBy = await deps.queries(caller.tenantId).mappings.usingSku(sku);
      return { product: view(state as Active), usedBy: usedBy.map(({ storeId, platformSku, version }) => ({ storeId, platformSku, version })) };
    },

    lookupFacts,

    /**
     * CSV `sku,name,barcode`: every row checked first, nothing written if any is bad; existing SKUs
     * with the same name and barcode are unchanged, others updated, new ones created — one transaction.
     */
    importCsv: async (caller: Caller, bytes: Uint8Array, limits: { maxRows: number }) => {
      const issues: { row: number; column: string | null; code: string; reason: string }[] = [];
      const rows: { row: number; sku: string; name: string; barcode: string | null }[] = [];
      let header: string[] | null = null;
      for (const record of readCsvRecords(bytes)) {
        if (record.problems.length) {
          for (const p of record.problems) issues.push({ row: record.row, column: null, code: p.code, reason: p.reason });
          continue;
        }
        if (record.fields.some((f) => f === null)) {
          issues.push({ row: record.row, column: null, code: 'bad_encoding', reason: 'The row is not valid UTF-8' });
          continue;
        }
        const fields = record.fields.map((f) => (f ?? '').trim());
        if (!header) {
          header = fields;
          const missing = ['sku', 'name'].filter((c) => !header!.includes(c));
          for (const c of missing) issues.push({ row: 1, column: c, code: 'missing_column', reason: `The header has no ${c} column` });
          const unknown = header.filter((c) => !['sku', 'name', 'barcode'].includes(c));
          for (const c of unknown) issues.push({ row: 1, column: c, code: 'unknown_column', reason: `Unknown column ${c}` });
          if (issues.length) break;
          continue;
        }
        if (fields.every((f) => f === '')) continue;
        const get = (c: string) => fields[header!.indexOf(c)] ?? '';
        const code = validateSkuCode(get('sku'));
        if (!code.ok) issues.push({ row: record.row, column: 'sku', code: code.error.code, reason: code.error.reason });
        if (!get('name')) issues.push({ row: record.row, column: 'name', code: 'missing_value', reason: 'name is empty' });
        if (code.ok && get('name')) rows.push({ row: record.row, sku: code.value, name: get('name'), barcode: get('barcode') || null });
      }
      if (!header) issues.push({ row: 1, column: null, code: 'empty_file', reason: 'The file is empty' });
      if (rows.length > limits.maxRows) issues.push({ row: 1, column: null, code: 'too_many_rows', reason: `At most ${limits.maxRows} rows` });
      const seen = new Map<string, number>();
      for (const r of rows) {
        const first = seen.get(r.sku);
        if (first !== undefined) issues.push({ row: r.row, column: 'sku', code: 'duplicate_sku', reason: `SKU already in row ${first}` });
        else seen.set(r.sku, r.row);
      }
      if (issues.length) throw new DomainError('import_invalid', 'The file has errors; nothing was imported', { issues });

      const states = await Promise.all(rows.map((r) => loadState(systemSkuDecider, decode, deps.store, productStreamId(caller.tenantId, r.sku))));
      const counts = { created: 0, updated: 0, unchanged: 0 };
      const requests = rows.flatMap((r, i) => {
        const { state, revision } = states[i]!;
        ownedBy(caller.tenantId)(state);
        const command =
          state.status === 'absent'
            ? ({ type: 'CreateSystemSku', data: { tenantId: caller.tenantId, sku: r.sku, name: r.name, barcode: r.barcode, now: now() } } as const)
            : ({ type: 'UpdateSystemSku', data: { tenantId: caller.tenantId, sku: r.sku, name: r.name, barcode: r.barcode, now: now() } } as const);
        const events = systemSkuDecider.decide(command, state);
        counts[state.status === 'absent' ? 'created' : events.length ? 'updated' : 'unchanged'] += 1;
        if (!events.length) return [];
        return [{ streamId: productStreamId(caller.tenantId, r.sku), events: toNewEvents(events, caller.metadata, deps.ids), expected: revision < 0 ? ('no_stream' as const) : revision }];
      });
      await deps.store.appendMany(requests);
      return { rows: rows.length, ...counts };
    },
  };
};

export type CatalogService = ReturnType<typeof catalogService>;
