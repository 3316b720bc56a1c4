import t from 'tap';
import { importMappingsCsv, parseMappingCsv, planMappingImport, type ImportContext } from '../../../src/domain/mapping/csvImport.js';
import { exportMappingsCsv } from '../../../src/domain/mapping/csvExport.js';
import type { SetMapping } from '../../../src/domain/mapping/commands.js';
import { mappingDecider, mappingEntryOf } from '../../../src/domain/mapping/decider.js';
import type { MappingComponent, MappingEvent } from '../../../src/domain/mapping/events.js';
import type { MappingEntry, MappingLookup, SkuLookup } from '../../../src/domain/mapping/lookups.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';

const tenantId = 'tenant-1';
const storeId = 'store-1';
const now = '2026-03-01T10:00:00.000Z';
const utf8 = (text: string) => new TextEncoder().encode(text);
const active = (...codes: string[]): SkuLookup => new Map(codes.map((sku) => [sku, { tenantId, retired: false }]));
const ctx = (current: MappingLookup, skus: SkuLookup): ImportContext => ({ tenantId, storeId, now, current, skus });

/** Run the plan's commands through the decider, one stream per platform SKU, as the shell would. */
const apply = (commands: readonly SetMapping[], streams = new Map<string, MappingEvent[]>()) => {
  for (const command of commands) {
    const history = streams.get(command.data.platformSku) ?? [];
    streams.set(command.data.platformSku, [...history, ...mappingDecider.decide(command, foldEvents(mappingDecider, history))]);
  }
  const current = new Map<string, MappingEntry>();
  for (const [platformSku, history] of streams) {
    const entry = mappingEntryOf(foldEvents(mappingDecider, history));
    if (entry) current.set(platformSku, entry);
  }
  return { streams, current };
};

const mugs: MappingComponent[] = [{ sku: 'MUG', quantity: 6 }];

t.test('created, updated and unchanged against the store\'s current mappings', async (t) => {
  const current: MappingLookup = new Map([
    ['SAME', { version: 2, components: [{ sku: 'LID', quantity: 1 }, { sku: 'MUG', quantity: 2 }] }],
    ['CHANGED', { version: 1, components: mugs }],
    ['NOT-IN-FILE', { version: 3, components: mugs }],
  ]);
  const file = utf8(
    'platform_sku,system_sku,quantity\nNEW,MUG,1\nSAME,MUG,2\nCHANGED,MUG,12\nSAME,LID,1\nNEW,LID,4\n',
  );
  const result = importMappingsCsv(file, ctx(current, active('MUG', 'LID')));
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  const plan = result.value;
  t.same(plan.entries, [
    { platformSku: 'CHANGED', outcome: 'updated', components: [{ sku: 'MUG', quantity: 12 }], previousVersion: 1 },
    { platformSku: 'NEW', outcome: 'created', components: [{ sku: 'MUG', quantity: 1 }, { sku: 'LID', quantity: 4 }], previousVersion: null },
    { platformSku: 'SAME', outcome: 'unchanged', components: [{ sku: 'MUG', quantity: 2 }, { sku: 'LID', quantity: 1 }], previousVersion: 2 },
  ], 'rows sharing a platform SKU form one combination, even when not adjacent; order-insensitive comparison');
  t.same(plan.counts, { rows: 5, mappings: 3, created: 1, updated: 1, unchanged: 1 });
  t.same(plan.commands.map((c) => [c.data.platformSku, c.data.source, c.data.storeId, c.data.now]), [
    ['CHANGED', 'import', storeId, now],
    ['NEW', 'import', storeId, now],
  ]);
  t.notOk(plan.entries.some((e) => e.platformSku === 'NOT-IN-FILE'), 'an import never removes mappings absent from the file');
});

t.test('the commands apply cleanly through the decider', async (t) => {
  const result = importMappingsCsv(utf8('platform_sku,system_sku,quantity\nA,MUG,6\n'), ctx(new Map(), active('MUG')));
  if (!result.ok) throw new Error('refused');
  const { streams, current } = apply(result.value.commands);
  t.same(streams.get('A'), [
    { type: 'MappingSet', schemaVersion: 1, data: { tenantId, storeId, platformSku: 'A', components: mugs, source: 'import', version: 1, setAt: now } },
  ]);
  t.same(current.get('A'), { version: 1, components: mugs });
});

t.test('an unchanged mapping is not re-checked; a changed one is', async (t) => {
  const current: MappingLookup = new Map([['OLDKIT', { version: 1, components: [{ sku: 'OLD', quantity: 1 }] }]]);
  const retired: SkuLookup = new Map([['OLD', { tenantId, retired: true }]]);
  const same = importMappingsCsv(utf8('platform_sku,system_sku,quantity\nOLDKIT,OLD,1\n'), ctx(current, retired));
  t.same(same.ok && same.value.counts, { rows: 1, mappings: 1, created: 0, updated: 0, unchanged: 1 });
  const changed = importMappingsCsv(utf8('platform_sku,system_sku,quantity\nOLDKIT,OLD,2\n'), ctx(current, retired));
  t.same(changed.ok ? [] : changed.error.map((i) => [i.row, i.code]), [[2, 'sku_retired']]);
});

t.test('parse, then look up the referenced SKUs, then plan', async (t) => {
  const parsed = parseMappingCsv(utf8('platform_sku,system_sku,quantity\nA,MUG,1\nB,LID,1\n'));
  const catalog = active('MUG', 'LID', 'BOX');
  const lookup = new Map(parsed.referencedSkus.map((sku) => [sku, catalog.get(sku)!] as const));
  const plan = planMappingImport(parsed, ctx(new Map(), lookup));
  t.same(plan.ok && plan.value.counts, { rows: 2, mappings: 2, created: 2, updated: 0, unchanged: 0 });
});

t.test('a file with only a header plans nothing and is fine', async (t) => {
  const plan = importMappingsCsv(utf8('platform_sku,system_sku,quantity\r\n\r\n'), ctx(new Map(), new Map()));
  t.same(plan, { ok: true, value: { entries: [], commands: [], counts: { rows: 0, mappings: 0, created: 0, updated: 0, unchanged: 0 } } });
});

/** 20,000 rows: 8,000 platform SKUs with 1–4 components, some codes needing quotes, in export form. */
const generate = () => {
  const catalog = Array.from({ length: 1_000 }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
  catalog[7] = 'Tasse é';
  catalog[8] = 'A,B';
  catalog[9] = 'say "hi"';
  const groups: [string, MappingComponent[]][] = [];
  let rows = 0;
  for (let g = 0; rows < 20_000; g++) {
    const size = (g % 4) + 1;
    const platformSku = g % 997 === 0 ? `P,${g} "promo"` : g % 991 === 0 ? `箱-${g}` : `P-${String(g).padStart(5, '0')}`;
    const components = Array.from({ length: size }, (_, k) => ({
      sku: catalog[(g * 7 + k * 13) % catalog.length]!,
      quantity: ((g * 31 + k) % 10_000) + 1,
    }));
    groups.push([platformSku, components]);
    rows += size;
  }
  groups.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = ['platform_sku,system_sku,quantity'];
  for (const [platformSku, components] of groups) {
    for (const c of components) lines.push(`${field(platformSku)},${field(c.sku)},${c.quantity}`);
  }
  return { text: `${lines.join('\r\n')}\r\n`, catalog, groups };
};

t.test('20,000 rows: planned, applied, exported back identically, and re-planned as unchanged', async (t) => {
  const { text, catalog, groups } = generate();
  const file = utf8(text);
  const skus = active(...catalog);

  let started = performance.now();
  const plan = importMappingsCsv(file, ctx(new Map(), skus));
  t.comment(`planning 20,000 new rows took ${(performance.now() - started).toFixed(0)} ms`);
  if (!plan.ok) throw new Error(JSON.stringify(plan.error.slice(0, 3)));
  t.same(plan.value.counts, { rows: 20_000, mappings: groups.length, created: groups.length, updated: 0, unchanged: 0 });

  const { current, streams } = apply(plan.value.commands);
  t.equal(current.size, groups.length);
  t.equal(exportMappingsCsv(current), text, 'export(import(file)) reproduces the file');

  started = performance.now();
  const again = importMappingsCsv(file, ctx(current, skus));
  t.comment(`re-planning 20,000 rows against 8,000 mappings took ${(performance.now() - started).toFixed(0)} ms`);
  t.same(again.ok && again.value.counts, { rows: 20_000, mappings: groups.length, created: 0, updated: 0, unchanged: groups.length });
  t.same(again.ok && again.value.commands, []);

  const edited = text.replace('P-00001,SKU-0020,33', 'P-00001,SKU-0020,34') + 'ZZ-NEW,SKU-0001,1\r\n';
  const third = importMappingsCsv(utf8(edited), ctx(current, skus));
  t.same(third.ok && third.value.counts, { rows: 20_001, mappings: groups.length + 1, created: 1, updated: 1, unchanged: groups.length - 1 });
  if (!third.ok) return;
  const after = apply(third.value.commands, streams);
  t.same(after.current.get('P-00001')?.version, 2);
  t.same(after.current.get('ZZ-NEW'), { version: 1, components: [{ sku: 'SKU-0001', quantity: 1 }] });
});

t.test('20,000 bad rows are all reported', async (t) => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `P${i},S,0\n`).join('');
  const started = performance.now();
  const result = importMappingsCsv(utf8(`platform_sku,system_sku,quantity\n${rows}`), ctx(new Map(), active('S')));
  t.comment(`checking 20,000 bad rows took ${(performance.now() - started).toFixed(0)} ms`);
  t.equal(result.ok ? 0 : result.error.length, 20_000);
  t.same(result.ok ? null : [result.error[0]?.row, result.error.at(-1)?.row], [2, 20_001]);
});
