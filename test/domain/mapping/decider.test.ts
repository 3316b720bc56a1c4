import t from 'tap';
import type { ComponentInput, MappingCommand, SetMapping } from '../../../src/domain/mapping/commands.js';
import { mappingDecider, mappingEntryOf } from '../../../src/domain/mapping/decider.js';
import { mappingErrorCodes } from '../../../src/domain/mapping/errors.js';
import { MappingEvent, mappingRemoved, mappingSet } from '../../../src/domain/mapping/events.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { deciderSpec } from '../../support/deciderSpec.js';
import type { SkuLookup } from '../../../src/domain/mapping/lookups.js';

const tenantId = 'tenant-1';
const storeId = 'store-1';
const now = '2026-03-01T10:00:00.000Z';

const spec = deciderSpec(mappingDecider);
const later = '2026-03-02T10:00:00.000Z';
const skus: SkuLookup = new Map([
  ...['MUG', 'LID', 'BOX', ...Array.from({ length: 25 }, (_, i) => `S${i}`)].map((sku) => [sku, { tenantId, retired: false }] as const),
  ['OLD', { tenantId, retired: true }],
  ['THEIRS', { tenantId: 'tenant-2', retired: false }],
]);

const set = (components: readonly ComponentInput[], data: Partial<SetMapping['data']> = {}): MappingCommand => ({
  type: 'SetMapping',
  data: { tenantId, storeId, platformSku: 'AMZ-MUG-6', components, source: 'api', now, skus, ...data },
});
const remove = (data: Partial<Extract<MappingCommand, { type: 'RemoveMapping' }>['data']> = {}): MappingCommand => ({
  type: 'RemoveMapping',
  data: { tenantId, storeId, platformSku: 'AMZ-MUG-6', now: later, ...data },
});
const setEvent = (components: { sku: string; quantity: number }[], version: number, at = now) =>
  mappingSet({ tenantId, storeId, platformSku: 'AMZ-MUG-6', components, source: 'api', version, setAt: at });

const sixMugs = [{ sku: 'MUG', quantity: 6 }];
const kit = [
  { sku: 'MUG', quantity: 1 },
  { sku: 'LID', quantity: 2 },
];

t.test('SetMapping', async (t) => {
  t.test('maps a platform SKU with a quantity factor: version 1', async (t) => {
    spec(t).given().when(set(sixMugs)).then(setEvent(sixMugs, 1));
  });

  t.test('a combination keeps its components in the order given', async (t) => {
    const reversed = [...kit].reverse();
    spec(t).given().when(set(reversed)).then(setEvent(reversed, 1));
  });

  t.test('trims the platform SKU and component SKUs', async (t) => {
    spec(t)
      .given()
      .when(set([{ sku: ' MUG ', quantity: 6 }], { platformSku: '  AMZ-MUG-6 ' }))
      .then(setEvent(sixMugs, 1));
  });

  t.test('changing a mapping appends the next version', async (t) => {
    spec(t).given(setEvent(sixMugs, 1)).when(set(kit, { now: later })).then(setEvent(kit, 2, later));
  });

  t.test('identical components, in any order, are a no-op', async (t) => {
    spec(t).given(setEvent(kit, 1)).when(set(kit)).thenNothingHappened();
    spec(t).given(setEvent(kit, 1)).when(set([...kit].reverse(), { source: 'import' })).thenNothingHappened();
  });

  t.test('a different quantity or an extra component is a change', async (t) => {
    spec(t).given(setEvent(kit, 1)).when(set([{ sku: 'MUG', quantity: 1 }, { sku: 'LID', quantity: 3 }])).then(
      setEvent([{ sku: 'MUG', quantity: 1 }, { sku: 'LID', quantity: 3 }], 2),
    );
    spec(t).given(setEvent(kit, 1)).when(set([...kit, { sku: 'BOX', quantity: 1 }])).then(
      setEvent([...kit, { sku: 'BOX', quantity: 1 }], 2),
    );
  });

  t.test('versions keep counting across a removal', async (t) => {
    const removed = mappingRemoved({ tenantId, storeId, platformSku: 'AMZ-MUG-6', version: 2, removedAt: later });
    spec(t).given(setEvent(sixMugs, 1), removed).when(set(sixMugs)).then(setEvent(sixMugs, 3));
  });

  t.test('1 to 20 components', async (t) => {
    spec(t).given().when(set([])).thenThrows('no_components');
    const twenty = Array.from({ length: 20 }, (_, i) => ({ sku: `S${i}`, quantity: 1 }));
    spec(t).given().when(set(twenty)).then(setEvent(twenty, 1));
    const twentyOne = Array.from({ length: 21 }, (_, i) => ({ sku: `S${i}`, quantity: 1 }));
    spec(t).given().when(set(twentyOne)).thenThrows('too_many_components');
  });

  t.test('quantities are whole numbers 1..10,000', async (t) => {
    spec(t).given().when(set([{ sku: 'MUG', quantity: 10_000 }])).then(setEvent([{ sku: 'MUG', quantity: 10_000 }], 1));
    spec(t).given().when(set([{ sku: 'MUG', quantity: 0 }])).thenThrows('quantity_out_of_range');
    spec(t).given().when(set([{ sku: 'MUG', quantity: -1 }])).thenThrows('quantity_out_of_range');
    spec(t).given().when(set([{ sku: 'MUG', quantity: 10_001 }])).thenThrows('quantity_out_of_range');
    spec(t).given().when(set([{ sku: 'MUG', quantity: 1.5 }])).thenThrows('invalid_quantity');
    spec(t).given().when(set([{ sku: 'MUG', quantity: Number.NaN }])).thenThrows('invalid_quantity');
  });

  t.test('the same system SKU twice is an error, not merged (also after trimming)', async (t) => {
    spec(t).given().when(set([...kit, { sku: 'MUG', quantity: 1 }])).thenThrows('duplicate_component');
    spec(t).given().when(set([{ sku: 'MUG', quantity: 1 }, { sku: ' MUG', quantity: 2 }])).thenThrows('duplicate_component');
  });

  t.test('component SKU codes are validated', async (t) => {
    spec(t).given().when(set([{ sku: ' ', quantity: 1 }])).thenThrows('sku_empty');
    spec(t).given().when(set([{ sku: 'x'.repeat(65), quantity: 1 }])).thenThrows('sku_too_long');
    spec(t).given().when(set([{ sku: 'A\u0007', quantity: 1 }])).thenThrows('sku_invalid_character');
  });

  t.test('the platform SKU is validated like a SKU code, up to 200 characters', async (t) => {
    const long = 'P'.repeat(200);
    spec(t)
      .given()
      .when(set(sixMugs, { platformSku: long }))
      .then(mappingSet({ tenantId, storeId, platformSku: long, components: sixMugs, source: 'api', version: 1, setAt: now }));
    spec(t).given().when(set(sixMugs, { platformSku: 'P'.repeat(201) })).thenThrows('platform_sku_too_long');
    spec(t).given().when(set(sixMugs, { platformSku: '' })).thenThrows('platform_sku_empty');
    spec(t).given().when(set(sixMugs, { platformSku: 'A\nB' })).thenThrows('platform_sku_invalid_character');
  });

  t.test('every problem is listed in details.issues; the first gives the code', async (t) => {
    const error = spec(t)
      .given()
      .when(set([{ sku: '', quantity: 0 }, { sku: 'MUG', quantity: 2.5 }], { platformSku: ' ' }))
      .thenThrows('platform_sku_empty');
    t.same(error?.details, {
      issues: [
        { field: 'platformSku', index: null, code: 'platform_sku_empty', reason: 'Platform SKU is empty' },
        { field: 'sku', index: 0, code: 'sku_empty', reason: 'SKU is empty' },
        { field: 'quantity', index: 0, code: 'quantity_out_of_range', reason: 'Quantity must be 1 to 10000, got 0' },
        { field: 'quantity', index: 1, code: 'invalid_quantity', reason: 'Quantity must be a whole number, got 2.5' },
      ],
    });
  });

  t.test('every SKU must exist and belong to the store\'s tenant', async (t) => {
    const unknown = spec(t).given().when(set([{ sku: 'NOPE', quantity: 1 }])).thenThrows('unknown_sku');
    const foreign = spec(t).given().when(set([{ sku: 'THEIRS', quantity: 1 }])).thenThrows('unknown_sku');
    t.equal(foreign?.message, unknown?.message.replace('NOPE', 'THEIRS'), 'a foreign SKU reads exactly like an unknown one');
    t.same(foreign?.details, {
      issues: [{ field: 'sku', index: 0, code: 'unknown_sku', reason: 'System SKU THEIRS does not exist' }],
    });
  });

  t.test('a retired SKU cannot be used in a new or changed mapping', async (t) => {
    spec(t).given().when(set([{ sku: 'OLD', quantity: 1 }])).thenThrows('sku_retired');
    spec(t).given(setEvent(sixMugs, 1)).when(set([{ sku: 'MUG', quantity: 6 }, { sku: 'OLD', quantity: 1 }])).thenThrows('sku_retired');
  });

  t.test('re-sending a mapping whose SKU was retired since is still a no-op', async (t) => {
    const withOld = [{ sku: 'OLD', quantity: 1 }];
    spec(t).given(setEvent(withOld, 1)).when(set(withOld)).thenNothingHappened();
  });

  t.test('a platform SKU equal to a system SKU is mapped like any other (no identity)', async (t) => {
    spec(t)
      .given()
      .when(set([{ sku: 'MUG', quantity: 1 }], { platformSku: 'MUG' }))
      .then(mappingSet({ tenantId, storeId, platformSku: 'MUG', components: [{ sku: 'MUG', quantity: 1 }], source: 'api', version: 1, setAt: now }));
  });

  t.test('the source is recorded; a copy records the store it came from', async (t) => {
    spec(t)
      .given()
      .when(set(sixMugs, { source: 'copy', copiedFromStoreId: 'store-0' }))
      .then(
        mappingSet({
          tenantId,
          storeId,
          platformSku: 'AMZ-MUG-6',
          components: sixMugs,
          source: 'copy',
          copiedFromStoreId: 'store-0',
          version: 1,
          setAt: now,
        }),
      );
    spec(t)
      .given()
      .when(set(sixMugs, { source: 'import', copiedFromStoreId: 'store-0' }))
      .then(mappingSet({ tenantId, storeId, platformSku: 'AMZ-MUG-6', components: sixMugs, source: 'import', version: 1, setAt: now }));
  });
});

t.test('RemoveMapping', async (t) => {
  t.test('removes the mapping with the next version', async (t) => {
    spec(t)
      .given(setEvent(sixMugs, 1), setEvent(kit, 2))
      .when(remove({ platformSku: ' AMZ-MUG-6 ' }))
      .then(mappingRemoved({ tenantId, storeId, platformSku: 'AMZ-MUG-6', version: 3, removedAt: later }));
  });

  t.test('removing a missing mapping → mapping_not_found', async (t) => {
    spec(t).given().when(remove()).thenThrows('mapping_not_found');
    const removed = mappingRemoved({ tenantId, storeId, platformSku: 'AMZ-MUG-6', version: 2, removedAt: later });
    spec(t).given(setEvent(sixMugs, 1), removed).when(remove()).thenThrows('mapping_not_found');
    const error = spec(t).given().when(remove({ platformSku: '' })).thenThrows('mapping_not_found');
    t.same(error?.details, { platformSku: '' });
  });
});

t.test('state and mapping entries', async (t) => {
  t.same(foldEvents(mappingDecider, []), { status: 'unmapped', version: 0 });
  t.same(mappingEntryOf(foldEvents(mappingDecider, [setEvent(sixMugs, 1), setEvent(kit, 2)])), { version: 2, components: kit });
  const removed = mappingRemoved({ tenantId, storeId, platformSku: 'AMZ-MUG-6', version: 2, removedAt: later });
  t.same(foldEvents(mappingDecider, [setEvent(sixMugs, 1), removed]), { status: 'unmapped', version: 2 });
  t.equal(mappingEntryOf(foldEvents(mappingDecider, [setEvent(sixMugs, 1), removed])), undefined);
});

t.test('event schemas', async (t) => {
  const copied = mappingSet({ tenantId, storeId, platformSku: 'P', components: kit, source: 'copy', copiedFromStoreId: 's0', version: 1, setAt: now });
  const removed = mappingRemoved({ tenantId, storeId, platformSku: 'P', version: 2, removedAt: later });
  for (const event of [setEvent(kit, 1), copied, removed]) t.same(MappingEvent.parse(event), event);
  t.throws(() => MappingEvent.parse(setEvent([], 1)), 'a mapping has at least one component');
  t.throws(() => MappingEvent.parse(setEvent([{ sku: 'MUG', quantity: 0 }], 1)));
  t.throws(() => MappingEvent.parse(setEvent(kit, 0)), 'versions are 1-based');
  t.throws(() => MappingEvent.parse({ ...copied, data: { ...copied.data, source: 'magic' } }));
});

// Their HTTP statuses (mapping_not_found 404, unknown_sku 422…) are checked in test/http/errorStatuses.test.ts.
t.test('error codes are listed', async (t) => {
  t.ok(mappingErrorCodes.includes('mapping_not_found'));
  t.ok(mappingErrorCodes.includes('duplicate_component'));
  t.ok(mappingErrorCodes.every((code) => /^[a-z]+(_[a-z0-9]+)*$/.test(code)), 'codes are snake_case');
});

t.test('an unknown command or event is a programming error', async (t) => {
  const state = mappingDecider.initialState();
  t.throws(() => mappingDecider.decide({ type: 'Nope' } as never, state), /Unhandled MappingCommand/);
  t.throws(() => mappingDecider.evolve(state, { type: 'Nope' } as never), /Unhandled MappingEvent/);
});
