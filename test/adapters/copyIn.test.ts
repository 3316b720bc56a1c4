import t from 'tap';
import { copyField, copyText } from '../../src/adapters/sql/copyIn.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

/**
 * The Sql port's `copyRows` (COPY … FROM STDIN in text format): every value comes back from the
 * server as it went in, whatever characters it holds, inside the caller's transaction; PGlite has
 * no such capability (its callers write statements instead).
 */

const tricky = ['tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', 'quote\'s "double"', 'ünïcødé ✓ 𝄞', '', ' spaces ', 'a\\tb'];

t.test('values as COPY text fields', async (t) => {
  t.equal(copyField(null), '\\N');
  t.equal(copyField(undefined), '\\N');
  t.equal(copyField('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re');
  t.equal(copyField(42), '42');
  t.equal(copyField(10n), '10');
  t.equal(copyField(false), 'f');
  t.equal(copyField(new Date('2025-01-01T00:00:00Z')), '2025-01-01T00:00:00.000Z');
  t.equal(copyField({ a: 'x\ty', b: [1, '\\'] }), '{"a":"x\\\\ty","b":[1,"\\\\\\\\"]}', "JSON, its own escapes' backslashes doubled");
  t.throws(() => copyField(Number.NaN));
  t.throws(() => [...copyText([['a', 'b']], 3)], /2 values for 3 columns/);
  const chunks = [...copyText(Array.from({ length: 5000 }, (_, i) => [i, 'x'.repeat(100)]), 2)];
  t.ok(chunks.length > 1 && chunks.every((c) => c.at(-1) === 0x0a), 'a large load streams in chunks of whole lines');
  t.equal(Buffer.concat(chunks).toString('utf8').split('\n').length - 1, 5000);
  const wide = [...copyText([['𝄞'.repeat(200_000), 'ü']], 2)];
  t.equal(Buffer.concat(wide).toString('utf8'), `${'𝄞'.repeat(200_000)}\tü\n`, 'a line longer than a chunk, in characters of four bytes, comes out whole');
});

t.test('PostgreSQL server: rows come back as they went in; a failed transaction keeps none', async (t) => {
  const db = await serverDatabase(t);
  await db.exec('CREATE TABLE copied (id integer PRIMARY KEY, name text, doc jsonb, at timestamptz, ok boolean, note text DEFAULT \'default\')');
  const rows: unknown[][] = tricky.map((text, i) => [i, text, { text, nested: [text, null, i] }, new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(), i % 2 === 0]);
  rows.push([tricky.length, null, null, null, null]);
  await db.transaction((tx) => tx.copyRows!('copied', ['id', 'name', 'doc', 'at', 'ok'], rows));
  const { rows: back } = await db.query<{ id: number; name: string | null; doc: unknown; at: Date | null; ok: boolean | null; note: string }>('SELECT * FROM copied ORDER BY id');
  t.same(back.map((r) => [r.id, r.name, r.doc, r.at?.toISOString() ?? null, r.ok]), rows);
  t.ok(back.every((r) => r.note === 'default'), 'columns left out take their default');

  // Inside a transaction that fails afterwards, the copied rows go with it.
  await t.rejects(db.transaction(async (tx) => {
    await tx.copyRows!('copied', ['id', 'name'], [[100, 'kept?'], [101, 'kept?']]);
    await tx.query('SELECT 1/0');
  }));
  // Rows encoded before the transaction load the same way; encoded for other columns, they are refused.
  const ahead = db.encodeRows!([[300, tricky.join('|'), { tricky }]], 3);
  await db.transaction((tx) => tx.copyRows!('copied', ['id', 'name', 'doc'], ahead));
  t.same((await db.query('SELECT name, doc FROM copied WHERE id = 300')).rows, [{ name: tricky.join('|'), doc: { tricky } }]);
  await t.rejects(db.copyRows!('copied', ['id', 'name'], ahead), /encoded with 3 values for 2 columns/);
  // A row that exists already fails the whole load.
  await t.rejects(db.copyRows!('copied', ['id', 'name'], [[200, 'new'], [0, 'exists']]), { code: '23505' });
  t.same((await db.query('SELECT id FROM copied WHERE id >= 100 AND id <> 300')).rows, [], 'nothing of either load stayed');
});

t.test('PGlite: no COPY capability', async (t) => {
  const db = await embeddedDatabase(t);
  t.equal(db.copyRows, undefined);
  await db.transaction(async (tx) => t.equal(tx.copyRows, undefined));
  t.equal(db.encodeRows, undefined);
});
