import t from 'tap';
import { mappingStreamId } from '../../../src/domain/mapping/streams.js';

t.test('one stream per (store, platform SKU): mapping-<storeId>.<platformSku>', async (t) => {
  t.equal(mappingStreamId('store-1', 'AMZ_6PK'), 'mapping-store-1.AMZ_6PK');
  t.equal(mappingStreamId('store-1', 'AMZ.6PK/blue sm-x'), 'mapping-store-1.AMZ%2E6PK%2Fblue%20sm-x');
});

t.test('distinct pairs never share a stream', async (t) => {
  const pairs: [string, string][] = [
    ['s', 'a.b'],
    ['s.a', 'b'],
    ['s', 'a%2Eb'],
    ['s', 'A.B'],
    ['s2', 'a.b'],
    ['s', 'a b'],
    ['s', 'a%20b'],
  ];
  t.equal(new Set(pairs.map(([store, sku]) => mappingStreamId(store, sku))).size, pairs.length);
});
