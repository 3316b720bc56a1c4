import t from 'tap';
import { readCsvRecords } from '../../../src/domain/mapping/csv.js';

const bytes = (...parts: (string | readonly number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...new TextEncoder().encode(part)] : [...part])));
const read = (...parts: (string | readonly number[])[]) => [...readCsvRecords(bytes(...parts))];
const fieldsOf = (...parts: (string | readonly number[])[]) => read(...parts).map((r) => r.fields);

t.test('LF, CRLF and lone CR all end a record; a final line end adds no record', async (t) => {
  t.same(fieldsOf('a,b\nc,d\n'), [['a', 'b'], ['c', 'd']]);
  t.same(fieldsOf('a,b\r\nc,d\r\n'), [['a', 'b'], ['c', 'd']]);
  t.same(fieldsOf('a,b\rc,d'), [['a', 'b'], ['c', 'd']]);
  t.same(fieldsOf('a\r\n\r\nb'), [['a'], [''], ['b']], 'a blank line is an empty record');
  t.same(fieldsOf(''), []);
});

t.test('empty fields and a trailing comma', async (t) => {
  t.same(fieldsOf('a,,b,\n'), [['a', '', 'b', '']]);
  t.same(fieldsOf(',\n'), [['', '']]);
});

t.test('RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes', async (t) => {
  t.same(fieldsOf('"a,b","say ""hi""","line1\r\nline2",""\n'), [['a,b', 'say "hi"', 'line1\r\nline2', '']]);
  t.same(fieldsOf('""""\n'), [['"']]);
});

t.test('row numbers count records, not physical lines', async (t) => {
  const records = read('h\n"x\ny\nz"\nnext\n\nlast');
  t.same(records.map((r) => r.row), [1, 2, 3, 4, 5]);
  t.same(records[3]?.fields, ['']);
  t.same(records[4]?.fields, ['last']);
});

t.test('a BOM is dropped at the start only', async (t) => {
  t.same(fieldsOf([0xef, 0xbb, 0xbf], 'a,b'), [['a', 'b']]);
  t.same(fieldsOf('a,', [0xef, 0xbb, 0xbf], 'b'), [['a', '\ufeffb']]);
});

t.test('a field that is not UTF-8 is null; the rest of the row is read', async (t) => {
  t.same(fieldsOf('a,', [0xff], ',c\n'), [['a', null, 'c']]);
  t.same(fieldsOf('a,', [0xc3], ',c\n'), [['a', null, 'c']], 'truncated sequence before a comma');
  t.same(fieldsOf('"', [0xe9], 'x",c\n'), [[null, 'c']], 'Latin-1 inside quotes');
  t.same(fieldsOf('é,c'), [['é', 'c']]);
});

t.test('an unterminated quote takes the rest of the file and is reported at its row', async (t) => {
  const records = read('h\n"open,x\nmore,1\n');
  t.equal(records.length, 2);
  t.same(records[1], {
    row: 2,
    fields: ['open,x\nmore,1\n'],
    problems: [
      { code: 'unbalanced_quote', field: 0, reason: 'A quoted value is never closed; the rest of the file was read as that one value' },
    ],
  });
  t.same(read('"abc""')[0]?.problems.map((p) => p.code), ['unbalanced_quote'], 'an escaped quote does not close');
});

t.test('stray quotes are reported, and reading goes on', async (t) => {
  const records = read('"ab"c,d\nx"y,z\nok,1');
  t.same(records[0], {
    row: 1,
    fields: ['ab', 'd'],
    problems: [{ code: 'invalid_quote', field: 0, reason: 'Text follows the closing quote of a quoted value' }],
  });
  t.same(records[1]?.fields, ['x"y', 'z']);
  t.same(records[1]?.problems.map((p) => [p.code, p.field]), [['invalid_quote', 0]]);
  t.same(records[2], { row: 3, fields: ['ok', '1'], problems: [] });
});
