import t from 'tap';
import { z } from 'zod';
import { canonicalBase64url, decodeJson, encodeJson, listCursor, MAX_CURSOR_LENGTH } from '../../../src/adapters/shared/cursorCodec.js';
import { InvalidCursorError } from '../../../src/domain/ports/cursors.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');
const orders = listCursor('orders', z.tuple([z.iso.datetime(), z.string()]));
const KEY: [string, string] = ['2026-12-03T10:15:30.123456Z', '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'];

t.test('round trip: what a list encodes it decodes, whatever the key holds', async (t) => {
  t.strictSame(orders.decode(orders.encode(KEY)), KEY);
  const codes = listCursor('skus', z.string());
  const keys = { ascii: 'A-1', latin: 'ÄÖÜ-ß', cjk: '漢字', quotes: 'with "quotes" and \\ backslash', emoji: '😀 emoji', 'line separator': 'a\u2028b', 'lone surrogate': 'lone \ud800 surrogate', spaces: ' spaced ' };
  for (const [label, key] of Object.entries(keys)) t.equal(codes.decode(codes.encode(key)), key, label);
  const numbers = listCursor('n', z.tuple([z.number(), z.number(), z.number()]));
  t.strictSame(numbers.decode(numbers.encode([0, 1.5, 1e21])), [0, 1.5, 1e21]);
  t.match(orders.encode(KEY), /^[A-Za-z0-9_-]+$/, 'URL-safe, no padding');
});

t.test('tampered: a changed, cut or extended cursor is refused', async (t) => {
  const cursor = orders.encode(KEY);
  const flipped = cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);
  t.throws(() => orders.decode(flipped), InvalidCursorError, 'one character changed');
  t.throws(() => orders.decode(cursor.slice(0, -4)), InvalidCursorError, 'truncated');
  t.throws(() => orders.decode(`${cursor}AAAA`), InvalidCursorError, 'extended');
  t.throws(() => orders.decode(''), InvalidCursorError, 'empty');
  t.throws(() => orders.decode('x'.repeat(MAX_CURSOR_LENGTH + 1)), InvalidCursorError, 'longer than any cursor issued');
  t.throws(() => orders.decode(b64('not json')), InvalidCursorError, 'not JSON');
  t.throws(() => orders.decode(b64(JSON.stringify(['orders', ['yesterday', 'x']]))), InvalidCursorError, 'JSON, but not a key of the list');
  t.throws(() => orders.decode(b64(JSON.stringify(['orders', [...KEY, 'more']]))), InvalidCursorError, 'a key with an element too many');
  t.throws(() => orders.decode(b64(JSON.stringify(KEY))), InvalidCursorError, 'an untagged key');
  t.throws(() => orders.decode(listCursor('warehouse-lines', z.tuple([z.string(), z.string()])).encode(KEY)), InvalidCursorError, "another list's cursor with a key of the same shape");
});

t.test('non-canonical: only the exact text the codec writes is read', async (t) => {
  const json = JSON.stringify(['orders', KEY]);
  t.strictSame(orders.decode(b64(json)), KEY, 'the canonical text reads');
  t.throws(() => orders.decode(`${b64(json)}=`), InvalidCursorError, 'padding');
  const skus = listCursor('skus', z.string());
  const padded = Buffer.from('["skus","ab"]').toString('base64');
  t.equal(skus.decode(padded.replace(/=+$/, '')), 'ab', 'the same bytes without padding read');
  t.throws(() => skus.decode(padded), InvalidCursorError, 'standard base64 (padded)');
  // 13 bytes: the last of 18 characters carries 2 bits and 4 unused ones, which Node ignores on decoding.
  const exact = b64('["skus","ab"]');
  const strayBits = `${exact.slice(0, -1)}R`;
  t.equal(exact.at(-1), 'Q');
  t.ok(Buffer.from(strayBits, 'base64url').equals(Buffer.from('["skus","ab"]')), 'Node reads the same bytes from it');
  t.throws(() => skus.decode(strayBits), InvalidCursorError, 'the same bytes with stray low bits');
  t.throws(() => skus.decode(Buffer.from('["skus","??>"]').toString('base64')), InvalidCursorError, "standard base64's alphabet ('+', '/')");
  const dangling = b64(`${json} `).slice(0, -1);
  t.throws(() => orders.decode(dangling), InvalidCursorError, 'a dangling character');
  t.throws(() => orders.decode(b64(JSON.stringify(['orders', KEY], null, 1))), InvalidCursorError, 'other spacing');
  t.throws(() => orders.decode(b64(json.replace('orders', '\\u006frders'))), InvalidCursorError, 'an escape where none is needed');
  t.throws(() => orders.decode(b64(Buffer.concat([Buffer.from(json.slice(0, -2)), Buffer.from([0xff]), Buffer.from(']]')]))), InvalidCursorError, 'invalid UTF-8');
  const n = listCursor('n', z.number());
  t.throws(() => n.decode(b64('["n",1.0]')), InvalidCursorError, 'another spelling of a number');
  t.equal(n.decode(b64('["n",1]')), 1);
});

t.test('the refusal: InvalidCursorError (answered 400 invalid_cursor), or the caller’s own error', async (t) => {
  t.throws(() => orders.decode('AAAA'), new InvalidCursorError('The cursor is not one this list issued'));
  const refuse = () => new Error('not ours');
  t.throws(() => decodeJson(z.string(), 'AAAA=', refuse), /not ours/);
  t.throws(() => canonicalBase64url('A', refuse), /not ours/, 'one character is no whole byte');
  t.equal(decodeJson(z.object({ b: z.number(), a: z.number() }), encodeJson({ b: 1, a: 2 })).b, 1, 'the writer’s key order is canonical');
});
