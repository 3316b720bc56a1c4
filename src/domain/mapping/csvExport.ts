import { CSV_COLUMNS } from './csvRows.js';
import type { MappingLookup } from './lookups.js';
import { compareCodeUnits } from './order.js';
import { neutralizeFormula } from './spreadsheetSafe.js';

export type ExportOptions = Readonly<{
  /** Start with a UTF-8 byte order mark, which makes Excel read non-ASCII text right. Default false. */
  bom?: boolean;
}>;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** RFC 4180: quote a value holding a quote, comma or line break (or edge whitespace), doubling quotes. */
export const csvField = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** A code cell: formula-neutralised (see spreadsheetSafe.ts), then RFC 4180-quoted if needed. */
export const codeField = (value: string): string => csvField(neutralizeFormula(value));

/**
 * A store's mappings as an import file: header platform_sku,system_sku,quantity, one row per
 * component, sorted by platform SKU (code-unit order) then in component order, CRLF line ends
 * (RFC 4180) including after the last row. Codes a spreadsheet would run as a formula (first
 * character `=`, `+`, `-`, `@`, tab, CR) get a leading `'`, which the importer removes again:
 * importing the result back plans nothing, and a file already in this form is reproduced byte for
 * byte.
 */
export const exportMappingsCsv = (mappings: MappingLookup, options: ExportOptions = {}): string => {
  const lines = [CSV_COLUMNS.join(',')];
  for (const [platformSku, { components }] of [...mappings].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const platform = codeField(platformSku);
    for (const { sku, quantity } of components) lines.push(`${platform},${codeField(sku)},${quantity}`);
  }
  return `${options.bom === true ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
};
