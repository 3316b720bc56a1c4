import t from 'tap';
import { planMappingCopy, type CopyInput } from '../../../src/domain/mapping/copy.js';
import type { MappingLookup, SkuLookup } from '../../../src/domain/mapping/lookups.js';

const tenantId = 'tenant-1';
const now = '2026-03-01T10:00:00.000Z';
const skus: SkuLookup = new Map([
  ['MUG', { tenantId, retired: false }],
  ['LID', { tenantId, retired: false }],
  ['OLD', { tenantId, retired: true }],
]);

const source: MappingLookup = new Map([
  ['NEW', { version: 1, components: [{ sku: 'MUG', quantity: 1 }] }],
  ['SAME', { version: 4, components: [{ sku: 'MUG', quantity: 2 }, { sku: 'LID', quantity: 1 }] }],
  ['DIFF', { version: 2, components: [{ sku: 'LID', quantity: 3 }] }],
  ['STALE', { version: 1, components: [{ sku: 'OLD', quantity: 1 }] }],
]);
const target: MappingLookup = new Map([
  ['SAME', { version: 1, components: [{ sku: 'LID', quantity: 1 }, { sku: 'MUG', quantity: 2 }] }],
  ['DIFF', { version: 7, components: [{ sku: 'LID', quantity: 1 }] }],
  ['ONLY-TARGET', { version: 1, components: [{ sku: 'MUG', quantity: 9 }] }],
]);

const input = (overrides: Partial<CopyInput> = {}): CopyInput => ({
  tenantId,
  source: { storeId: 'store-a', tenantId, mappings: source },
  target: { storeId: 'store-b', tenantId, mappings: target },
  skus,
  overwrite: false,
  now,
  ...overrides,
});

t.test('copies what the target lacks, keeps what it maps differently, skips what cannot be used', async (t) => {
  const plan = planMappingCopy(input());
  if (!plan.ok) throw new Error(`refused: ${plan.error.code}`);
  t.same(
    plan.value.entries.map((e) => [e.platformSku, e.outcome]),
    [
      ['DIFF', 'kept'],
      ['NEW', 'created'],
      ['SAME', 'unchanged'],
      ['STALE', 'skipped'],
    ],
  );
  t.same(plan.value.entries.find((e) => e.platformSku === 'STALE')?.problems, [
    { code: 'sku_retired', reason: 'System SKU OLD is retired' },
  ]);
  t.same(plan.value.counts, { created: 1, updated: 0, unchanged: 1, kept: 1, skipped: 1 });
  t.same(plan.value.commands, [
    {
      type: 'SetMapping',
      data: {
        tenantId,
        storeId: 'store-b',
        platformSku: 'NEW',
        components: [{ sku: 'MUG', quantity: 1 }],
        source: 'copy',
        copiedFromStoreId: 'store-a',
        now,
        skus,
      },
    },
  ]);
});

t.test('with overwrite, differing target mappings are replaced; target-only mappings stay', async (t) => {
  const plan = planMappingCopy(input({ overwrite: true }));
  if (!plan.ok) throw new Error(`refused: ${plan.error.code}`);
  t.same(plan.value.counts, { created: 1, updated: 1, unchanged: 1, kept: 0, skipped: 1 });
  t.same(plan.value.commands.map((c) => c.data.platformSku), ['DIFF', 'NEW']);
  t.notOk(plan.value.entries.some((e) => e.platformSku === 'ONLY-TARGET'), 'nothing is removed');
});

t.test('both stores must be the tenant\'s own; another tenant\'s store reads as missing', async (t) => {
  t.same(planMappingCopy(input({ target: { storeId: 'store-x', tenantId: 'tenant-2', mappings: target } })), {
    ok: false,
    error: { code: 'store_not_found', reason: 'Store store-x not found' },
  });
  t.same(planMappingCopy(input({ source: { storeId: 'store-y', tenantId: 'tenant-2', mappings: source } })), {
    ok: false,
    error: { code: 'store_not_found', reason: 'Store store-y not found' },
  });
});

t.test('copying a store onto itself is refused', async (t) => {
  t.same(planMappingCopy(input({ target: { storeId: 'store-a', tenantId, mappings: source } })), {
    ok: false,
    error: { code: 'same_store', reason: 'Source and target are the same store' },
  });
});
