/**
 * RFC 4180 reader working on bytes. Every structural character (quote, comma, CR, LF) is ASCII, and
 * in UTF-8 an ASCII byte is never part of a multi-byte character, so records and fields can be split
 * before decoding; each field is then decoded strictly on its own, which tells exactly which row and
 * column hold bytes that are not UTF-8.
 */
const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

export type CsvProblem = Readonly<{
  code: 'unbalanced_quote' | 'invalid_quote';
  /** 0-based index of the field in its record. */
  field: number;
  reason: string;
}>;

export type CsvRecord = Readonly<{
  /** 1-based record number: the row a spreadsheet shows (a quoted line break stays in its row). */
  row: number;
  /** Decoded fields; null where the bytes are not valid UTF-8. */
  fields: readonly (string | null)[];
  problems: readonly CsvProblem[];
}>;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const decode = (bytes: Uint8Array, start: number, end: number): string | null => {
  try {
    return decoder.decode(bytes.subarray(start, end));
  } catch {
    return null;
  }
};

const isFieldEnd = (byte: number | undefined) => byte === undefined || byte === COMMA || byte === CR || byte === LF;

/** Skip a UTF-8 byte order mark at the very start. */
export const bodyStart = (bytes: Uint8Array): number =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;

/**
 * Records in file order. Line ends: CRLF, LF or a lone CR. A final line end does not start a record.
 * An unterminated quoted field takes the rest of the file and ends the reading with a problem.
 */
export function* readCsvRecords(bytes: Uint8Array): Generator<CsvRecord> {
  const n = bytes.length;
  let i = bodyStart(bytes);
  let row = 0;
  while (i < n) {
    row += 1;
    const fields: (string | null)[] = [];
    const problems: CsvProblem[] = [];
    for (;;) {
      const field = fields.length;
      if (bytes[i] === QUOTE) {
        const start = i + 1;
        let escaped = false;
        i = start;
        while (i < n && !(bytes[i] === QUOTE && bytes[i + 1] !== QUOTE)) {
          if (bytes[i] === QUOTE) {
            escaped = true;
            i += 2;
          } else i += 1;
        }
        if (i >= n) {
          problems.push({
            code: 'unbalanced_quote',
            field,
            reason: 'A quoted value is never closed; the rest of the file was read as that one value',
          });
          fields.push(decode(bytes, start, n));
          yield { row, fields, problems };
          return;
        }
        const text = decode(bytes, start, i);
        fields.push(escaped && text !== null ? text.replaceAll('""', '"') : text);
        i += 1;
        if (!isFieldEnd(bytes[i])) {
          problems.push({ code: 'invalid_quote', field, reason: 'Text follows the closing quote of a quoted value' });
          while (!isFieldEnd(bytes[i])) i += 1;
        }
      } else {
        const start = i;
        let stray = false;
        while (!isFieldEnd(bytes[i])) {
          if (bytes[i] === QUOTE) stray = true;
          i += 1;
        }
        if (stray) {
          problems.push({
            code: 'invalid_quote',
            field,
            reason: 'A value containing a quote must be enclosed in quotes, with the quote doubled',
          });
        }
        fields.push(decode(bytes, start, i));
      }
      if (bytes[i] === COMMA) {
        i += 1;
        continue;
      }
      if (bytes[i] === CR) {
        i += 1;
        if (bytes[i] === LF) i += 1;
      } else if (bytes[i] === LF) i += 1;
      break;
    }
    yield { row, fields, problems };
  }
}
