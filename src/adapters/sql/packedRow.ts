/**
 * A wide row read as one text value: the columns joined by U+001F (unit separator) in SQL, split
 * again in node. node-postgres decodes every field of every row with its own Buffer → string call;
 * on a list page of 50 rows × 20 columns that was the largest part of the request's node CPU, and
 * one field per row with a native split costs a fraction of it (README, Benchmarks: the list).
 *
 * Exact, or refused: a nullable column is written as '' for NULL and '.' + its text otherwise, so
 * NULL, '' and any value stay apart; a value that itself holds U+001F gives more parts than columns,
 * and a NULL in a column declared NOT NULL makes the whole value NULL — `unpack` then returns null,
 * and the caller reads the same rows column by column instead.
 */
export type PackedColumn = Readonly<{ sql: string; nullable?: boolean }>;

const SEPARATOR = '\u001f';
/** The same character in SQL (chr() of a constant is folded when the statement is planned). */
const SQL_SEPARATOR = `chr(${SEPARATOR.charCodeAt(0)})`;

export type Packing = Readonly<{
  /** One SQL text expression holding every column. */
  sql: string;
  /** The columns' texts (null for NULL), or null when this row cannot be carried packed. */
  unpack: (packed: string | null) => (string | null)[] | null;
}>;

export const packing = (columns: readonly PackedColumn[]): Packing => {
  const width = columns.length;
  const nullable = columns.map((c) => c.nullable === true);
  const sql = columns
    .map((c) => (c.nullable ? `coalesce('.' || (${c.sql})::text, '')` : `(${c.sql})::text`))
    .join(` || ${SQL_SEPARATOR} || `);
  return {
    sql,
    unpack: (packed) => {
      if (packed === null) return null;
      const parts: (string | null)[] = packed.split(SEPARATOR);
      if (parts.length !== width) return null;
      for (let i = 0; i < width; i++) {
        if (nullable[i]) parts[i] = parts[i] === '' ? null : parts[i]!.slice(1);
      }
      return parts;
    },
  };
};

/** A timestamptz as PostgreSQL's text of the UTC wall time ('2025-05-01 10:00:00.123456'); see isoFromUtcText. */
export const utcText = (column: string) => `(${column} AT TIME ZONE 'UTC')`;

const ZEROS = '000000';

/**
 * utcText's output as ISO 8601 in UTC with `digits` of fraction: 3 is what Date.toISOString() prints
 * (microseconds truncated as a JS Date truncates them), 6 the exact instant (a keyset cursor's key).
 * Null for anything else — a year outside 0001–9999, a BC date, infinity, another DateStyle — which
 * the caller treats as a row it cannot carry packed. The separators are what tell ISO output from
 * the other DateStyles; PostgreSQL prints digits between them. Per value of a list page, so kept to
 * character codes and slices.
 */
export const isoFromUtcText = (text: string, digits: 3 | 6 = 3): string | null => {
  const n = text.length;
  if (n !== 19 && (n < 21 || n > 26)) return null;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  if (n === 19) return `${text.slice(0, 10)}T${text.slice(11)}.${ZEROS.slice(0, digits)}Z`;
  if (text.charCodeAt(19) !== 46) return null;
  for (let i = 20; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return null;
  }
  const end = Math.min(n, 20 + digits);
  return `${text.slice(0, 10)}T${text.slice(11, end)}${ZEROS.slice(0, 20 + digits - end)}Z`;
};
