import { yieldToEventLoop } from '../shared/yieldToEventLoop.js';
import { CatalogEvent } from '../domain/catalog/events.js';
import { skuFactsOf, systemSkuDecider, type SystemSku } from '../domain/catalog/decider.js';
import { productStreamId } from '../domain/catalog/streams.js';
import { lookalikeKey, validateSkuCode } from '../domain/catalog/skuCode.js';
import { readCsvRecords } from '../domain/mapping/csv.js';
import type { SkuLookup } from '../domain/mapping/lookups.js';
import { restoreFormula } from '../domain/mapping/spreadsheetSafe.js';
import type { AppendRequest } from '../domain/ports/eventStore.js';
import { commandHandler, decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import type { AppDeps, Caller } from './context.js';

const decode = decodeWith(CatalogEvent);

type Active = Extract<SystemSku, { tenantId: string }>;
const view = (s: Active) => ({ sku: s.sku, name: s.name, barcode: s.barcode, status: s.status });

/** Streams read (and look-alike keys queried) per step of an import: bounded memory and statements. */
export const IMPORT_READ_CHUNK = 500;

/** System SKUs: the warehouse's products, per tenant. */
export const catalogService = (deps: AppDeps) => {
  const handle = commandHandler(systemSkuDecider, decode, deps.store, deps.ids);
  const bulkAppend = deps.bulkAppend ?? (async (requests: readonly AppendRequest[]) => void (await deps.store.appendMany(requests)));
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

  /**
   * The stream of the SKU a caller names: its NFKC form; a product stored before SKUs were
   * normalised is still found under its exact (trimmed) code when no normalised one exists.
   */
  const streamOf = async (tenantId: string, raw: string): Promise<string> => {
    const code = validateSkuCode(raw);
    const exact = raw.trim();
    if (!code.ok || code.value === exact) return productStreamId(tenantId, code.ok ? code.value : exact);
    const normalisedStream = productStreamId(tenantId, code.value);
    if ((await deps.store.readStream(normalisedStream, { maxCount: 1 })).length > 0) return normalisedStream;
    const legacy = productStreamId(tenantId, exact);
    return (await deps.store.readStream(legacy, { maxCount: 1 })).length > 0 ? legacy : normalisedStream;
  };

  /** The tenant's SKUs that look like each code (same lookalikeKey), read once the read model caught up. */
  const lookalikesOf = async (tenantId: string, codes: readonly string[]): Promise<Map<string, string[]>> => {
    await deps.caughtUp(['products']);
    const keys = [...new Set(codes.map(lookalikeKey))];
    const found = new Map<string, string[]>();
    for (let i = 0; i < keys.length; i += IMPORT_READ_CHUNK) {
      for (const [key, skus] of await deps.queries(tenantId).products.lookalikes(keys.slice(i, i + IMPORT_READ_CHUNK))) found.set(key, skus);
      if (i + IMPORT_READ_CHUNK < keys.length) await yieldToEventLoop();
    }
    return found;
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
      const lookalike = (await lookalikesOf(caller.tenantId, [sku])).get(lookalikeKey(sku))?.find((other) => other !== sku) ?? null;
      const { state } = await handle(
        productStreamId(caller.tenantId, sku),
        {
          type: 'CreateSystemSku',
          data: { tenantId: caller.tenantId, sku, name: input.name, barcode: input.barcode ?? null, now: now(), lookalike },
        },
        { metadata: caller.metadata, authorize: ownedBy(caller.tenantId) },
      );
      return view(state as Active);
    },

    /** Read from the product's stream: a SKU created a moment ago is found. */
    get: async (tenantId: string, sku: string) => {
      const { state } = await loadState(systemSkuDecider, decode, deps.store, await streamOf(tenantId, sku));
      if (state.status === 'absent' || state.tenantId !== tenantId) throw new NotFoundError('Product');
      return view(state);
    },

    update: async (caller: Caller, sku: string, changes: { name?: string; barcode?: string | null }) => {
      const { state } = await handle(
        await streamOf(caller.tenantId, sku),
        { type: 'UpdateSystemSku', data: { tenantId: caller.tenantId, sku, ...changes, now: now() } },
        { metadata: caller.metadata, authorize: ownedBy(caller.tenantId) },
      );
      return view(state as Active);
    },

    /** Retire; answers with the mappings that still use the SKU (they keep working, new ones may not use it). */
    retire: async (caller: Caller, sku: string) => {
      const { state } = await handle(
        await streamOf(caller.tenantId, sku),
        { type: 'RetireSystemSku', data: { tenantId: caller.tenantId, sku, now: now() } },
        { metadata: caller.metadata, authorize: ownedBy(caller.tenantId) },
      );
      await deps.caughtUp(['mappings']);
      const usedBy = await deps.queries(caller.tenantId).mappings.usingSku((state as Active).sku);
      return { product: view(state as Active), usedBy: usedBy.map(({ storeId, platformSku, version }) => ({ storeId, platformSku, version })) };
    },

    lookupFacts,

    /**
     * CSV `sku,name,barcode`: every row checked first, nothing written if any is bad; existing SKUs
     * with the same name and barcode are unchanged, others updated, new ones created — all or
     * nothing. SKU cells lose the quote a formula-safe export adds (spreadsheetSafe.ts) and are
     * NFKC-normalised; a new SKU that looks like another one (in the file or stored) is refused.
     * Streams are read and decided in chunks with yields in between, so a 50,000-row file neither
     * floods the connection pool nor holds the event loop.
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
        const code = validateSkuCode(restoreFormula(get('sku')));
        if (!code.ok) issues.push({ row: record.row, column: 'sku', code: code.error.code, reason: code.error.reason });
        if (!get('name')) issues.push({ row: record.row, column: 'name', code: 'missing_value', reason: 'name is empty' });
        if (code.ok && get('name')) rows.push({ row: record.row, sku: code.value, name: get('name'), barcode: get('barcode') || null });
      }
      if (!header) issues.push({ row: 1, column: null, code: 'empty_file', reason: 'The file is empty' });
      if (rows.length > limits.maxRows) issues.push({ row: 1, column: null, code: 'too_many_rows', reason: `At most ${limits.maxRows} rows` });
      const seen = new Map<string, number>();
      const looks = new Map<string, { sku: string; row: number }>();
      for (const r of rows) {
        const first = seen.get(r.sku);
        const key = lookalikeKey(r.sku);
        const twin = looks.get(key);
        if (first !== undefined) issues.push({ row: r.row, column: 'sku', code: 'duplicate_sku', reason: `SKU already in row ${first}` });
        else if (twin !== undefined) {
          issues.push({ row: r.row, column: 'sku', code: 'sku_confusable', reason: `SKU ${r.sku} looks like SKU ${twin.sku} of row ${twin.row}` });
        } else {
          seen.set(r.sku, r.row);
          looks.set(key, { sku: r.sku, row: r.row });
        }
      }
      if (issues.length === 0) {
        const stored = await lookalikesOf(caller.tenantId, rows.map((r) => r.sku));
        for (const r of rows) {
          const same = stored.get(lookalikeKey(r.sku)) ?? [];
          const other = same.find((sku) => sku !== r.sku);
          if (other !== undefined && !same.includes(r.sku)) {
            issues.push({ row: r.row, column: 'sku', code: 'sku_confusable', reason: `SKU ${r.sku} looks like the existing SKU ${other}` });
          }
        }
      }
      if (issues.length) throw new DomainError('import_invalid', 'The file has errors; nothing was imported', { issues });

      const counts = { created: 0, updated: 0, unchanged: 0 };
      const requests: AppendRequest[] = [];
      for (let i = 0; i < rows.length; i += IMPORT_READ_CHUNK) {
        const chunk = rows.slice(i, i + IMPORT_READ_CHUNK);
        const streams = await deps.store.readStreams(chunk.map((r) => productStreamId(caller.tenantId, r.sku)));
        for (const r of chunk) {
          const streamId = productStreamId(caller.tenantId, r.sku);
          const recorded = streams.get(streamId) ?? [];
          const state = recorded.map(decode).reduce(systemSkuDecider.evolve, systemSkuDecider.initialState());
          ownedBy(caller.tenantId)(state);
          const data = { tenantId: caller.tenantId, sku: r.sku, name: r.name, barcode: r.barcode, now: now() };
          const events = systemSkuDecider.decide(
            state.status === 'absent' ? { type: 'CreateSystemSku', data } : { type: 'UpdateSystemSku', data },
            state,
          );
          counts[state.status === 'absent' ? 'created' : events.length ? 'updated' : 'unchanged'] += 1;
          if (events.length) {
            const revision = recorded.length - 1;
            requests.push({ streamId, events: toNewEvents(events, caller.metadata, deps.ids), expected: revision < 0 ? 'no_stream' : revision });
          }
        }
        await yieldToEventLoop();
      }
      await bulkAppend(requests);
      return { rows: rows.length, ...counts };
    },
  };
};

export type CatalogService = ReturnType<typeof catalogService>;
