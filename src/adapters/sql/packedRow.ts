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
    .join(` || chr(31) || `);
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

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const isDigit = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/**
 * utcText's output as ISO 8601 in UTC with `digits` of fraction: 3 is what Date.toISOString() prints
 * (microseconds truncated as a JS Date truncates them), 6 the exact instant (a keyset cursor's key).
 * Null for anything else — a year outside 0001–9999, a BC date, another DateStyle — which the caller
 * treats as a row it cannot carry packed.
 */
export const isoFromUtcText = (text: string, digits: 3 | 6 = 3): string | null => {
  const n = text.length;
  if (n !== 19 && (n < 21 || n > 26)) return null;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return null;
  for (const i of DIGIT_POSITIONS) if (!isDigit(text, i)) return null;
  if (n > 19) {
    if (text[19] !== '.') return null;
    for (let i = 20; i < n; i++) if (!isDigit(text, i)) return null;
  }
  const fraction = n > 19 ? text.slice(20, 20 + digits).padEnd(digits, '0') : '0'.repeat(digits);
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
};
