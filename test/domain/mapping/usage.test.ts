import t from 'tap';
import { mappingsUsingSku, type StoreMapping } from '../../../src/domain/mapping/usage.js';

const mappings: StoreMapping[] = [
  { storeId: 'store-b', platformSku: 'KIT', version: 3, components: [{ sku: 'MUG', quantity: 2 }, { sku: 'LID', quantity: 1 }] },
  { storeId: 'store-a', platformSku: 'SIX', version: 1, components: [{ sku: 'MUG', quantity: 6 }] },
  { storeId: 'store-a', platformSku: 'LIDS', version: 2, components: [{ sku: 'LID', quantity: 4 }] },
  { storeId: 'store-a', platformSku: 'ONE', version: 5, components: [{ sku: 'MUG', quantity: 1 }] },
];

t.test('lists the mappings that use a SKU, with the factor, sorted by store then platform SKU', async (t) => {
  t.same(mappingsUsingSku(mappings, 'MUG'), [
    { storeId: 'store-a', platformSku: 'ONE', version: 5, quantity: 1 },
    { storeId: 'store-a', platformSku: 'SIX', version: 1, quantity: 6 },
    { storeId: 'store-b', platformSku: 'KIT', version: 3, quantity: 2 },
  ]);
});

t.test('matches the exact code only (case-sensitive), and may find nothing', async (t) => {
  t.same(mappingsUsingSku(mappings, 'mug'), []);
  t.same(mappingsUsingSku([], 'MUG'), []);
  t.same(mappingsUsingSku(new Set(mappings), 'LID').map((u) => u.platformSku), ['LIDS', 'KIT']);
});
