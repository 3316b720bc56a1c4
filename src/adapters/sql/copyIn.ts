import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * `COPY … FROM STDIN` on one node-postgres client (the Sql port's `copyRows`), in PostgreSQL's text
 * format: a row per line, tab-separated, `\N` for NULL, backslash escapes. The rows are encoded in
 * chunks of about `CHUNK` characters and streamed with back-pressure, so a large load never sits in
 * memory as one string.
 */

const CHUNK = 256 * 1024;
const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escape = (text: string) => (SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : text);

/** JSON text holds no raw control characters (JSON.stringify escapes them): only its backslashes need doubling. */
const escapeJson = (json: string) => (json.includes('\\') ? json.replaceAll('\\', '\\\\') : json);

/** One value as a COPY text field (objects and arrays as JSON, for json/jsonb columns). */
export const copyField = (value: unknown): string => {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return escape(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot COPY ${value}`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    default:
      return value instanceof Date ? value.toISOString() : escapeJson(JSON.stringify(value));
  }
};

/** The rows as COPY text, in chunks of about CHUNK characters (whole lines). */
export function* copyText(rows: Iterable<readonly unknown[]>, width: number): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    if (row.length !== width) throw new Error(`COPY row has ${row.length} values for ${width} columns`);
    chunk += copyField(row[0]);
    for (let i = 1; i < width; i++) chunk += `\t${copyField(row[i])}`;
    chunk += '\n';
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Load `rows` into `table` on this client (inside the caller's transaction, if any). */
export const copyIn = async (client: pg.ClientBase, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<void> => {
  const stream = client.query(copyFrom(`COPY ${ident(table)} (${columns.map(ident).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyText(rows, columns.length)), stream);
};
