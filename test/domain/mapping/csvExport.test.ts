import t from 'tap';
import { csvField, exportMappingsCsv } from '../../../src/domain/mapping/csvExport.js';
import { importMappingsCsv } from '../../../src/domain/mapping/csvImport.js';
import type { MappingLookup, SkuLookup } from '../../../src/domain/mapping/lookups.js';

const tenantId = 'tenant-1';

t.test('header, rows sorted by platform SKU (code-unit order) then component order, CRLF', async (t) => {
  const mappings: MappingLookup = new Map([
    ['b-kit', { version: 1, components: [{ sku: 'Z', quantity: 1 }, { sku: 'A', quantity: 2 }] }],
    ['B', { version: 1, components: [{ sku: 'X', quantity: 6 }] }],
    ['é', { version: 1, components: [{ sku: 'X', quantity: 1 }] }],
  ]);
  t.equal(
    exportMappingsCsv(mappings),
    'platform_sku,system_sku,quantity\r\nB,X,6\r\nb-kit,Z,1\r\nb-kit,A,2\r\né,X,1\r\n',
  );
});

t.test('no mappings: just the header', async (t) => {
  t.equal(exportMappingsCsv(new Map()), 'platform_sku,system_sku,quantity\r\n');
});

t.test('an optional BOM for spreadsheets', async (t) => {
  t.equal(exportMappingsCsv(new Map(), { bom: true }), '\uFEFFplatform_sku,system_sku,quantity\r\n');
});

t.test('fields are quoted only when needed', async (t) => {
  t.equal(csvField('plain-SKU.1/2 x'), 'plain-SKU.1/2 x');
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField('line\nbreak'), '"line\nbreak"');
  t.equal(csvField('cr\rhere'), '"cr\rhere"');
  t.equal(csvField(' edge'), '" edge"');
  t.equal(csvField('=1+1'), '=1+1', 'no formula escaping: codes stay exactly as they are');
});

t.test('export → import plans nothing new; export(import(export)) is identical', async (t) => {
  const mappings: MappingLookup = new Map([
    ['P,1 "x"', { version: 3, components: [{ sku: 'A,B', quantity: 2 }, { sku: 'say "hi"', quantity: 1 }] }],
    ['箱', { version: 1, components: [{ sku: 'Tasse é', quantity: 10_000 }] }],
  ]);
  const skus: SkuLookup = new Map(['A,B', 'say "hi"', 'Tasse é'].map((sku) => [sku, { tenantId, retired: false }]));
  const text = exportMappingsCsv(mappings, { bom: true });
  const plan = importMappingsCsv(new TextEncoder().encode(text), {
    tenantId,
    storeId: 's',
    now: '2026-03-01T10:00:00.000Z',
    current: mappings,
    skus,
  });
  if (!plan.ok) throw new Error(JSON.stringify(plan.error));
  t.same(plan.value.counts, { rows: 3, mappings: 2, created: 0, updated: 0, unchanged: 2 });
  const reimported = new Map(plan.value.entries.map((e) => [e.platformSku, { version: 1, components: e.components }]));
  t.equal(exportMappingsCsv(reimported, { bom: true }), text);
});
