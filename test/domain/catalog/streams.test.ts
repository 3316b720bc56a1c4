import t from 'tap';
import { decodeStreamIdPart, encodeStreamIdPart, productStreamId } from '../../../src/domain/catalog/streams.js';

t.test('product stream ids: product-<tenant>.<sku>, parts percent-encoded', async (t) => {
  t.equal(productStreamId('t-1', 'ABC_1~x'), 'product-t-1.ABC_1~x');
  t.equal(productStreamId('t-1', 'A.B'), 'product-t-1.A%2EB');
  t.equal(productStreamId('t-1', 'A/B C%'), 'product-t-1.A%2FB%20C%25');
  t.equal(productStreamId('t-1', 'é'), 'product-t-1.%C3%A9');
  t.equal(productStreamId('t-1', '€📦'), 'product-t-1.%E2%82%AC%F0%9F%93%A6');
});

t.test('SKUs differing only in case get different streams', async (t) => {
  t.not(productStreamId('t', 'abc'), productStreamId('t', 'ABC'));
});

t.test('the separator cannot be forged: (a.b, c) and (a, b.c) differ', async (t) => {
  t.not(productStreamId('a.b', 'c'), productStreamId('a', 'b.c'));
  t.not(encodeStreamIdPart('%2E'), encodeStreamIdPart('.'));
});

t.test('decoding inverts encoding, even for lone surrogates', async (t) => {
  const samples = ['', 'plain', 'a.b-c/d e', '%', '%2E', '"q",', 'é€📦', 'x\u0000y', '\ud800', 'a\udfffb', '\u07ff\u0800\uffff'];
  for (const sample of samples) t.equal(decodeStreamIdPart(encodeStreamIdPart(sample)), sample, JSON.stringify(sample));
});

t.test('injective on a large sample of awkward strings', async (t) => {
  const alphabet = ['a', 'A', '.', '-', '%', '2', 'E', ' ', '/', 'é', '📦', '\ud800'];
  const strings = new Set<string>();
  const grow = (prefix: string, depth: number) => {
    strings.add(prefix);
    if (depth > 0) for (const c of alphabet) grow(prefix + c, depth - 1);
  };
  grow('', 3);
  const encoded = new Set([...strings].map(encodeStreamIdPart));
  t.equal(encoded.size, strings.size);
  t.notOk([...encoded].some((e) => e.includes('.')), 'no encoded part contains the separator');
});

t.test('decoding refuses text the encoder cannot produce', async (t) => {
  for (const bad of ['%', '%G1', '%e9', 'a.b', 'a b', '%C3', '%C3%41']) {
    t.throws(() => decodeStreamIdPart(bad), { message: /Malformed stream id part/ }, bad);
  }
});
