import { CSV_COLUMNS } from './csvRows.js';
import type { MappingLookup } from './lookups.js';
import { compareCodeUnits } from './order.js';

export type ExportOptions = Readonly<{
  /** Start with a UTF-8 byte order mark, which makes Excel read non-ASCII text right. Default false. */
  bom?: boolean;
}>;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** RFC 4180: quote a value holding a quote, comma or line break (or edge whitespace), doubling quotes. */
export const csvField = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/**
 * A store's mappings as an import file: header platform_sku,system_sku,quantity, one row per
 * component, sorted by platform SKU (code-unit order) then in component order, CRLF line ends
 * (RFC 4180) including after the last row. Importing the result back plans nothing; a file already
 * in this form is reproduced byte for byte. Values are written as they are — no spreadsheet-formula
 * escaping, which would change the codes.
 */
export const exportMappingsCsv = (mappings: MappingLookup, options: ExportOptions = {}): string => {
  const lines = [CSV_COLUMNS.join(',')];
  for (const [platformSku, { components }] of [...mappings].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const platform = csvField(platformSku);
    for (const { sku, quantity } of components) lines.push(`${platform},${csvField(sku)},${quantity}`);
  }
  return `${options.bom === true ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
};
