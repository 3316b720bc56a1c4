import t from 'tap';
import { codeField, csvField, exportMappingsCsv } from '../../../src/domain/mapping/csvExport.js';
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
  t.equal(csvField('=1+1'), '=1+1', 'csvField is RFC 4180 quoting only; codeField adds the formula guard');
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

t.test('formula injection: code cells a spreadsheet would evaluate start with a quote (OWASP)', async (t) => {
  t.equal(codeField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`, 'guarded, then quoted for the comma and quotes');
  t.equal(codeField('+1'), "'+1");
  t.equal(codeField('-5PK'), "'-5PK");
  t.equal(codeField('@SUM(A1)'), "'@SUM(A1)");
  t.equal(codeField('\tX'), "'\tX", 'the tab is no longer at the edge: no RFC 4180 quotes needed');
  t.equal(codeField('\rX'), `"'\rX"`);
  t.equal(codeField("'=X"), "''=X", 'a real leading quote before a trigger gets one more, so import can undo exactly one');
  t.equal(codeField("'plain"), "'plain", 'a leading quote before an ordinary character is left alone');
  t.equal(codeField('A-1=2'), 'A-1=2', 'only the first character counts');
  const mappings: MappingLookup = new Map([['=cmd|calc!A0', { version: 1, components: [{ sku: '-5PK', quantity: 3 }] }]]);
  t.equal(exportMappingsCsv(mappings), "platform_sku,system_sku,quantity\r\n'=cmd|calc!A0,'-5PK,3\r\n");
});

t.test('export → import is exact for codes that start like formulas, and a hand-written -SKU stays itself', async (t) => {
  const codes = ['-5PK', '+1', '=A1', '@x', "'=X", "''-Y", "'plain", "'", 'A-B'];
  const mappings: MappingLookup = new Map(codes.map((code) => [code, { version: 1, components: [{ sku: code, quantity: 1 }] }]));
  const skus: SkuLookup = new Map(codes.map((sku) => [sku, { tenantId, retired: false }]));
  const context = { tenantId, storeId: 's', now: '2026-03-01T10:00:00.000Z', current: new Map(), skus };
  const plan = importMappingsCsv(new TextEncoder().encode(exportMappingsCsv(mappings)), context);
  if (!plan.ok) throw new Error(JSON.stringify(plan.error));
  t.same(
    new Map(plan.value.entries.map((e) => [e.platformSku, e.components.map((c) => c.sku)])),
    new Map(codes.map((code) => [code, [code]])),
    'every platform and system SKU comes back exactly',
  );
  const handWritten = importMappingsCsv(new TextEncoder().encode('platform_sku,system_sku,quantity\n-5PK,+1,2\n'), context);
  if (!handWritten.ok) throw new Error(JSON.stringify(handWritten.error));
  t.match(handWritten.value.entries, [{ platformSku: '-5PK', components: [{ sku: '+1', quantity: 2 }] }], 'no quote: taken as written');
});
