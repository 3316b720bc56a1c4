import t from 'tap';
import {
  DEFAULT_IMPORT_LIMITS,
  importIssueCodes,
  importMappingsCsv,
  parseMappingCsv,
  type ImportContext,
  type ImportIssue,
} from '../../../src/domain/mapping/csvImport.js';
import { mappingErrorCodes } from '../../../src/domain/mapping/errors.js';
import type { SkuLookup } from '../../../src/domain/mapping/lookups.js';

const tenantId = 'tenant-1';
const bytes = (...parts: (string | readonly number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...new TextEncoder().encode(part)] : [...part])));
const BOM = [0xef, 0xbb, 0xbf];
const skus: SkuLookup = new Map([
  ['MUG', { tenantId, retired: false }],
  ['LID', { tenantId, retired: false }],
  ['OLD', { tenantId, retired: true }],
  ['THEIRS', { tenantId: 'tenant-2', retired: false }],
]);
const context: ImportContext = { tenantId, storeId: 'store-1', now: '2026-03-01T10:00:00.000Z', current: new Map(), skus };
const brief = (issues: readonly ImportIssue[]) => issues.map((i) => [i.row, i.column, i.code]);
const issuesOf = (file: Uint8Array, limits = {}) => {
  const result = importMappingsCsv(file, context, limits);
  return result.ok ? [] : result.error;
};

t.test('mixed good and bad rows: every bad row is reported with its spreadsheet row, and nothing is planned', async (t) => {
  const file = bytes(
    BOM,
    'platform_sku,system_sku,quantity\r\n', // 1
    'KIT-1,MUG,1\r\n', // 2
    'KIT-1,LID,2\r\n', // 3
    'KIT-1,MUG,3\r\n', // 4 duplicate component
    'SOLO,MUG,0\r\n', // 5 quantity 0
    '"WITH,COMMA",GHOST,1\r\n', // 6 unknown SKU (quoted comma read right)
    '"multi\r\nline",MUG,1\r\n', // 7 a line break inside a quoted value: still one row
    'GOOD,"MUG",2\r\n', // 8 fine
    'BAD-ENC,',
    [0xff, 0xfe],
    ',1\r\n', // 9 bad encoding
    'X,MUG\r\n', // 10 missing value
    'X2,MUG,1,extra\r\n', // 11 too many columns
    '"say ""hi""",OLD,1\r\n', // 12 retired SKU (doubled quotes read right)
    '\r\n', // 13 blank: skipped
    'Y,MUG,abc\r\n', // 14 not a number
    'FOREIGN,THEIRS,1\r\n', // 15 another tenant's SKU: reads as unknown
    ',MUG,1\r\n', // 16 missing platform SKU
    'Z,"  ",1\r\n', // 17 blank system SKU
    'TEN,MUG,10001\r\n', // 18 too big
    'NEG,MUG,-1\r\n', // 19 negative
    'FRAC,MUG,1.5\r\n', // 20 fraction
  );
  const result = importMappingsCsv(file, context);
  t.equal(result.ok, false, 'nothing is planned');
  if (result.ok) return;
  t.same(brief(result.error), [
    [4, 'system_sku', 'duplicate_component'],
    [5, 'quantity', 'quantity_out_of_range'],
    [6, 'system_sku', 'unknown_sku'],
    [7, 'platform_sku', 'platform_sku_invalid_character'],
    [9, 'system_sku', 'bad_encoding'],
    [10, 'quantity', 'missing_value'],
    [11, null, 'too_many_columns'],
    [12, 'system_sku', 'sku_retired'],
    [14, 'quantity', 'invalid_quantity'],
    [15, 'system_sku', 'unknown_sku'],
    [16, 'platform_sku', 'missing_value'],
    [17, 'system_sku', 'missing_value'],
    [18, 'quantity', 'quantity_out_of_range'],
    [19, 'quantity', 'quantity_out_of_range'],
    [20, 'quantity', 'invalid_quantity'],
  ]);
  const at = (row: number) => result.error.find((i) => i.row === row)?.reason;
  t.equal(at(4), 'System SKU MUG is already a component of KIT-1 in row 2');
  t.equal(at(5), 'Quantity must be 1 to 10000, got 0');
  t.equal(at(6), 'System SKU GHOST does not exist');
  t.equal(at(15), 'System SKU THEIRS does not exist', 'a foreign SKU reads exactly like an unknown one');
  t.equal(at(9), 'Not valid UTF-8 text; save the file as UTF-8 (CSV UTF-8)');
  t.equal(at(11), 'The row has 4 values; the header has 3 columns');
  t.equal(at(14), 'Quantity must be a whole number, got "abc"');
});

t.test('parsing alone reports the row-level problems and the SKUs to look up', async (t) => {
  const parsed = parseMappingCsv(bytes('platform_sku,system_sku,quantity\nA,MUG,1\nB, LID ,2\nC,MUG,x\nD,,1\n'));
  t.same(parsed.referencedSkus, ['LID', 'MUG']);
  t.same(parsed.rows, [
    { row: 2, platformSku: 'A', systemSku: 'MUG', quantity: 1 },
    { row: 3, platformSku: 'B', systemSku: 'LID', quantity: 2 },
    { row: 4, platformSku: 'C', systemSku: 'MUG', quantity: null },
    { row: 5, platformSku: 'D', systemSku: null, quantity: 1 },
  ]);
  t.same(brief(parsed.issues), [
    [4, 'quantity', 'invalid_quantity'],
    [5, 'system_sku', 'missing_value'],
  ]);
});

t.test('header', async (t) => {
  t.test('a missing column is an error naming it', async (t) => {
    t.same(issuesOf(bytes('platform_sku,quantity\nA,1\n')), [
      { row: 1, column: 'system_sku', code: 'missing_column', reason: 'Column system_sku is missing' },
    ]);
  });
  t.test('unknown columns are refused; names are exact and case-sensitive', async (t) => {
    t.same(brief(issuesOf(bytes('platform_sku,system_sku,quantity,note\n'))), [[1, 'note', 'unknown_column']]);
    t.same(brief(issuesOf(bytes('Platform_SKU,system_sku,quantity\n'))), [
      [1, 'Platform_SKU', 'unknown_column'],
      [1, 'platform_sku', 'missing_column'],
    ]);
    t.equal(
      issuesOf(bytes('platform_sku,system_sku,quantity,note\n'))[0]?.reason,
      'Unknown column "note" (position 4); the columns are platform_sku, system_sku, quantity',
    );
  });
  t.test('a column twice is refused', async (t) => {
    t.same(brief(issuesOf(bytes('platform_sku,system_sku,quantity,quantity\n'))), [[1, 'quantity', 'duplicate_column']]);
  });
  t.test('columns may come in any order, names may have surrounding spaces', async (t) => {
    const result = importMappingsCsv(bytes(' quantity , platform_sku,system_sku\n6,P,MUG\n'), context);
    t.same(result.ok && result.value.entries.map((e) => [e.platformSku, e.components]), [['P', [{ sku: 'MUG', quantity: 6 }]]]);
  });
  t.test('an empty file, a BOM alone, a blank first row, an unreadable header', async (t) => {
    t.same(brief(issuesOf(bytes(''))), [[null, null, 'empty_file']]);
    t.same(brief(issuesOf(bytes(BOM))), [[null, null, 'empty_file']]);
    t.same(brief(issuesOf(bytes('\nplatform_sku,system_sku,quantity\n'))), [[1, null, 'missing_header']]);
    t.same(brief(issuesOf(bytes('platform_sku,', [0xff], ',quantity\n'))), [[1, null, 'bad_encoding']]);
    t.same(brief(issuesOf(bytes('platform_sku,"system_sku,quantity\n'))), [[1, null, 'unbalanced_quote']]);
  });
});

t.test('encoding', async (t) => {
  t.test('UTF-8 with or without BOM; non-ASCII codes survive', async (t) => {
    const withSkus: ImportContext = { ...context, skus: new Map([['Tasse-é', { tenantId, retired: false }]]) };
    for (const prefix of [[], BOM]) {
      const result = importMappingsCsv(bytes(prefix, 'platform_sku,system_sku,quantity\n箱-12,Tasse-é,2\n'), withSkus);
      t.same(result.ok && result.value.entries.map((e) => [e.platformSku, e.components[0]?.sku]), [['箱-12', 'Tasse-é']]);
    }
  });
  t.test('Latin-1 text (e.g. saved by an old spreadsheet) → bad_encoding at its row and column', async (t) => {
    const issues = issuesOf(bytes('platform_sku,system_sku,quantity\nA,MUG,1\nCAF', [0xc9], ',MUG,1\nB,MUG,1\n'));
    t.same(brief(issues), [[3, 'platform_sku', 'bad_encoding']]);
  });
});

t.test('quoting problems are reported at their row and column', async (t) => {
  t.same(brief(issuesOf(bytes('platform_sku,system_sku,quantity\nA,M"UG,1\n"B"x,MUG,1\nC,MUG,1\n"D,MUG,1\n'))), [
    [2, 'system_sku', 'invalid_quote'],
    [3, 'platform_sku', 'invalid_quote'],
    [5, 'platform_sku', 'unbalanced_quote'],
    [5, 'system_sku', 'missing_value'],
    [5, 'quantity', 'missing_value'],
  ]);
});

t.test('values that are too long or hold control characters', async (t) => {
  const file = bytes(`platform_sku,system_sku,quantity\n${'P'.repeat(201)},MUG,1\nA,${'S'.repeat(65)},1\nB,"M\tUG",1\n`);
  t.same(brief(issuesOf(file)), [
    [2, 'platform_sku', 'platform_sku_too_long'],
    [3, 'system_sku', 'sku_too_long'],
    [4, 'system_sku', 'sku_invalid_character'],
  ]);
});

t.test('more than 20 components for one platform SKU', async (t) => {
  const many = new Map(Array.from({ length: 22 }, (_, i) => [`S${i}`, { tenantId, retired: false }] as const));
  const rows = Array.from({ length: 22 }, (_, i) => `KIT,S${i},1\n`).join('');
  const result = importMappingsCsv(bytes(`platform_sku,system_sku,quantity\n${rows}`), { ...context, skus: many });
  t.same(result.ok ? [] : brief(result.error), [
    [22, 'platform_sku', 'too_many_components'],
    [23, 'platform_sku', 'too_many_components'],
  ]);
  const twenty = Array.from({ length: 20 }, (_, i) => `KIT,S${i},1\n`).join('');
  t.ok(importMappingsCsv(bytes(`platform_sku,system_sku,quantity\n${twenty}`), { ...context, skus: many }).ok);
});

t.test('limits', async (t) => {
  t.same(DEFAULT_IMPORT_LIMITS, { maxRows: 50_000, maxBytes: 5 * 1024 * 1024 });
  const file = bytes('platform_sku,system_sku,quantity\nA,MUG,1\n\nB,MUG,1\nC,MUG,1\nD,MUG,1\n');
  t.test('too many bytes → file_too_large before reading anything', async (t) => {
    t.same(issuesOf(file, { maxBytes: file.length - 1 }), [
      { row: null, column: null, code: 'file_too_large', reason: `The file has ${file.length} bytes; the limit is ${file.length - 1}` },
    ]);
    t.ok(importMappingsCsv(file, context, { maxBytes: file.length }).ok);
  });
  t.test('too many data rows → too_many_rows at the first row beyond (blank rows do not count)', async (t) => {
    t.same(issuesOf(file, { maxRows: 3 }), [
      { row: 6, column: null, code: 'too_many_rows', reason: 'The file has more than 3 rows; split it into smaller files' },
    ]);
    t.ok(importMappingsCsv(file, context, { maxRows: 4 }).ok);
  });
  t.test('the rows read before the limit still report their issues', async (t) => {
    const bad = bytes('platform_sku,system_sku,quantity\nA,MUG,0\nB,MUG,1\n');
    t.same(brief(issuesOf(bad, { maxRows: 1 })), [
      [2, 'quantity', 'quantity_out_of_range'],
      [3, null, 'too_many_rows'],
    ]);
  });
});

t.test('issue codes are stable snake_case and shared with the mapping rules where they overlap', async (t) => {
  t.ok(importIssueCodes.every((code) => /^[a-z]+(_[a-z0-9]+)*$/.test(code)));
  for (const code of ['duplicate_component', 'unknown_sku', 'sku_retired', 'quantity_out_of_range', 'too_many_components'] as const) {
    t.ok(importIssueCodes.includes(code) && mappingErrorCodes.includes(code), code);
  }
});

t.test('a quoting problem beyond the header\'s columns is a row-level issue', async (t) => {
  t.same(brief(issuesOf(bytes('platform_sku,system_sku,quantity\nA,MUG,1,"x"y\n'))), [
    [2, null, 'invalid_quote'],
    [2, null, 'too_many_columns'],
  ]);
});

t.test('a blank cell is missing_value in every column', async (t) => {
  t.same(brief(issuesOf(bytes('platform_sku,system_sku,quantity\n  ,MUG,1\nA, ,1\nB,MUG,  \nC,MUG,\n'))), [
    [2, 'platform_sku', 'missing_value'],
    [3, 'system_sku', 'missing_value'],
    [4, 'quantity', 'missing_value'],
    [5, 'quantity', 'missing_value'],
  ]);
});
