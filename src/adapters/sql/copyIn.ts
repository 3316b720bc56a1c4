import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { EncodedRows } from '../../domain/ports/sql.js';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * `COPY … FROM STDIN` on one node-postgres client (the Sql port's `copyRows`), in PostgreSQL's text
 * format: a row per line, tab-separated, `\N` for NULL, backslash escapes. The rows are encoded in
 * chunks of about `CHUNK` bytes and streamed with back-pressure, so a large load never sits in
 * memory at once.
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

/**
 * The rows as COPY text (UTF-8), in chunks of about CHUNK bytes (whole lines). Each line is written
 * into the chunk's buffer as it is made: a chunk concatenated from thousands of fields is a rope
 * that V8 must flatten before encoding it, which cost more than making the fields (bench:rebuild).
 */
export function* copyText(rows: Iterable<readonly unknown[]>, width: number): Generator<Buffer> {
  let chunk = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  for (const row of rows) {
    if (row.length !== width) throw new Error(`COPY row has ${row.length} values for ${width} columns`);
    let line = copyField(row[0]);
    for (let i = 1; i < width; i++) line += `\t${copyField(row[i])}`;
    line += '\n';
    // A UTF-16 code unit is at most 3 bytes of UTF-8: the line surely fits in what is left.
    const most = line.length * 3;
    if (used + most > chunk.length) {
      if (used) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK, most));
      used = 0;
    }
    used += chunk.write(line, used);
  }
  if (used) yield chunk.subarray(0, used);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The rows as COPY text now, in chunks (the Sql port's `encodeRows`). */
export const encodeRows = (rows: Iterable<readonly unknown[]>, columns: number): EncodedRows => ({ columns, chunks: [...copyText(rows, columns)] });

const isEncoded = (rows: Iterable<readonly unknown[]> | EncodedRows): rows is EncodedRows => 'chunks' in rows;

/** Load `rows` (or rows encoded before) into `table` on this client (inside the caller's transaction, if any). */
export const copyIn = async (client: pg.ClientBase, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]> | EncodedRows): Promise<void> => {
  if (isEncoded(rows) && rows.columns !== columns.length) throw new Error(`COPY rows were encoded with ${rows.columns} values for ${columns.length} columns`);
  const stream = client.query(copyFrom(`COPY ${ident(table)} (${columns.map(ident).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(isEncoded(rows) ? rows.chunks : copyText(rows, columns.length)), stream);
};
