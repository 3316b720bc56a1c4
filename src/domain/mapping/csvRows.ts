import { validatePlatformSku, validateSkuCode } from '../catalog/skuCode.js';
import { err, ok, type Result } from '../shared/result.js';
import { readCsvRecords, type CsvRecord } from './csv.js';
import { compareCodeUnits } from './order.js';
import { restoreFormula } from './spreadsheetSafe.js';
import { validateQuantity } from './rules.js';

export const CSV_COLUMNS = ['platform_sku', 'system_sku', 'quantity'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Every code an import issue can carry (stable; the HTTP layer returns them with `import_invalid`). */
export const importIssueCodes = [
  'file_too_large',
  'too_many_rows',
  'empty_file',
  'missing_header',
  'missing_column',
  'unknown_column',
  'duplicate_column',
  'bad_encoding',
  'unbalanced_quote',
  'invalid_quote',
  'too_many_columns',
  'missing_value',
  'platform_sku_too_long',
  'platform_sku_invalid_character',
  'sku_too_long',
  'sku_invalid_character',
  'invalid_quantity',
  'quantity_out_of_range',
  'duplicate_component',
  'too_many_components',
  'unknown_sku',
  'sku_retired',
] as const;
export type ImportIssueCode = (typeof importIssueCodes)[number];

/**
 * One problem in the file. `row` is the row a spreadsheet shows (header = 1; null: the whole file);
 * `column` is the header name concerned (null: the row as a whole).
 */
export type ImportIssue = Readonly<{ row: number | null; column: string | null; code: ImportIssueCode; reason: string }>;

export type ImportLimits = Readonly<{ maxRows: number; maxBytes: number }>;
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxRows: 50_000, maxBytes: 5 * 1024 * 1024 };

/** A data row; a value is null when it is missing or invalid (and an issue says why). */
export type ParsedRow = Readonly<{
  row: number;
  platformSku: string | null;
  systemSku: string | null;
  quantity: number | null;
}>;

export type ParsedMappingCsv = Readonly<{
  rows: readonly ParsedRow[];
  issues: readonly ImportIssue[];
  /** Distinct valid system SKUs the file names (sorted): what the shell must look up for planning. */
  referencedSkus: readonly string[];
}>;

const fail = (issues: ImportIssue[]): ParsedMappingCsv => ({ rows: [], issues, referencedSkus: [] });

const isBlank = (record: CsvRecord) =>
  record.problems.length === 0 && record.fields.every((field) => field !== null && field.trim() === '');

type Header = Readonly<{ positions: Readonly<Record<CsvColumn, number>>; width: number }>;

/** Header names are matched exactly (case-sensitive) after trimming; order is free. */
const readHeader = (record: CsvRecord): Result<Header, ImportIssue[]> => {
  const issue = (code: ImportIssueCode, column: string | null, reason: string): ImportIssue => ({ row: 1, column, code, reason });
  const unreadable = record.problems.map((problem) => issue(problem.code, null, problem.reason));
  if (record.fields.includes(null)) unreadable.push(issue('bad_encoding', null, 'The header row is not valid UTF-8 text'));
  if (unreadable.length > 0) return err(unreadable);
  if (isBlank(record)) {
    return err([issue('missing_header', null, `Row 1 must be the header ${CSV_COLUMNS.join(',')}`)]);
  }
  const found = new Map<string, number>();
  const issues: ImportIssue[] = [];
  record.fields.forEach((raw, index) => {
    const name = (raw as string).trim(); // no null field gets here
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      issues.push(
        issue('unknown_column', name, `Unknown column "${name}" (position ${index + 1}); the columns are ${CSV_COLUMNS.join(', ')}`),
      );
    } else if (found.has(name)) {
      issues.push(issue('duplicate_column', name, `Column ${name} appears more than once`));
    } else found.set(name, index);
  });
  const [platform, system, quantity] = CSV_COLUMNS.map((column) => {
    const index = found.get(column);
    if (index === undefined) issues.push(issue('missing_column', column, `Column ${column} is missing`));
    return index ?? -1;
  }) as [number, number, number];
  if (issues.length > 0) return err(issues);
  return ok({ positions: { platform_sku: platform, system_sku: system, quantity }, width: record.fields.length });
};

const INTEGER = /^[+-]?\d+$/;

type CellCheck = Result<string | number, { code: ImportIssueCode | 'sku_empty' | 'platform_sku_empty'; reason: string }>;

const checkCell = (column: CsvColumn, value: string): CellCheck => {
  // Codes come back without the quote an export put before a formula-like value (spreadsheetSafe.ts).
  if (column === 'platform_sku') return validatePlatformSku(restoreFormula(value));
  if (column === 'system_sku') return validateSkuCode(restoreFormula(value));
  const text = value.trim();
  if (text === '') return err({ code: 'missing_value', reason: 'No value for quantity' });
  if (!INTEGER.test(text)) return err({ code: 'invalid_quantity', reason: `Quantity must be a whole number, got "${text}"` });
  return validateQuantity(Number(text));
};

const readRow = (record: CsvRecord, header: Header, issues: ImportIssue[]): ParsedRow => {
  const { row, fields } = record;
  const columnAt = (field: number) => CSV_COLUMNS.find((c) => header.positions[c] === field) ?? null;
  const badFields = new Set<number>();
  for (const problem of record.problems) {
    badFields.add(problem.field);
    issues.push({ row, column: columnAt(problem.field), code: problem.code, reason: problem.reason });
  }
  if (fields.length > header.width) {
    issues.push({
      row,
      column: null,
      code: 'too_many_columns',
      reason: `The row has ${fields.length} values; the header has ${header.width} columns`,
    });
  }
  const values: Record<CsvColumn, string | number | null> = { platform_sku: null, system_sku: null, quantity: null };
  for (const column of CSV_COLUMNS) {
    const index = header.positions[column];
    if (badFields.has(index)) continue;
    const raw = fields[index];
    const report = (code: ImportIssueCode, reason: string) => issues.push({ row, column, code, reason });
    if (raw === null) report('bad_encoding', 'Not valid UTF-8 text; save the file as UTF-8 (CSV UTF-8)');
    else if (raw === undefined) report('missing_value', `No value for ${column} (the row is shorter than the header)`);
    else {
      const checked = checkCell(column, raw);
      if (checked.ok) values[column] = checked.value;
      else {
        const { code, reason } = checked.error;
        report(code === 'sku_empty' || code === 'platform_sku_empty' ? 'missing_value' : code, reason);
      }
    }
  }
  return {
    row,
    platformSku: values.platform_sku as string | null,
    systemSku: values.system_sku as string | null,
    quantity: values.quantity as number | null,
  };
};

/** Records read per step of parseMappingCsvSteps: the shell may yield to other work between steps. */
export const PARSE_STEP_RECORDS = 2_000;

/**
 * Read and check a mapping CSV (UTF-8, optional BOM, RFC 4180, header platform_sku,system_sku,quantity)
 * without looking anything up. Checks the whole file and reports every bad row; stops early only
 * when the file cannot be read as a whole (too big, too many rows, bad header). Blank rows are
 * skipped (but still counted in row numbers, like a spreadsheet shows them). As steps: the
 * generator pauses after every `PARSE_STEP_RECORDS` records and returns the result.
 */
export function* parseMappingCsvSteps(bytes: Uint8Array, limits: Partial<ImportLimits> = {}): Generator<void, ParsedMappingCsv> {
  const { maxRows, maxBytes } = { ...DEFAULT_IMPORT_LIMITS, ...limits };
  if (bytes.length > maxBytes) {
    return fail([
      { row: null, column: null, code: 'file_too_large', reason: `The file has ${bytes.length} bytes; the limit is ${maxBytes}` },
    ]);
  }
  const records = readCsvRecords(bytes);
  const first = records.next();
  if (first.done === true) return fail([{ row: null, column: null, code: 'empty_file', reason: 'The file is empty' }]);
  const header = readHeader(first.value);
  if (!header.ok) return fail(header.error);
  const rows: ParsedRow[] = [];
  const issues: ImportIssue[] = [];
  let read = 0;
  for (const record of records) {
    if (++read % PARSE_STEP_RECORDS === 0) yield;
    if (isBlank(record)) continue;
    if (rows.length === maxRows) {
      issues.push({
        row: record.row,
        column: null,
        code: 'too_many_rows',
        reason: `The file has more than ${maxRows} rows; split it into smaller files`,
      });
      return fail(issues);
    }
    rows.push(readRow(record, header.value, issues));
  }
  const referenced = new Set<string>();
  for (const row of rows) if (row.systemSku !== null) referenced.add(row.systemSku);
  return { rows, issues, referencedSkus: [...referenced].sort(compareCodeUnits) };
}

/** parseMappingCsvSteps run to the end in one go. */
export const parseMappingCsv = (bytes: Uint8Array, limits: Partial<ImportLimits> = {}): ParsedMappingCsv => {
  const steps = parseMappingCsvSteps(bytes, limits);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
};
