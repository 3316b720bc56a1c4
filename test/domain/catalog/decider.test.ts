import t from 'tap';
import type { CatalogCommand } from '../../../src/domain/catalog/commands.js';
import { skuFactsOf, systemSkuDecider } from '../../../src/domain/catalog/decider.js';
import { catalogErrorCodes } from '../../../src/domain/catalog/errors.js';
import {
  CatalogEvent,
  systemSkuCreated,
  systemSkuRetired,
  systemSkuUpdated,
} from '../../../src/domain/catalog/events.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { deciderSpec } from '../../support/deciderSpec.js';

const spec = deciderSpec(systemSkuDecider);
const now = '2026-03-01T10:00:00.000Z';
const later = '2026-03-02T10:00:00.000Z';
const tenantId = 'tenant-1';

const create = (data: Partial<Extract<CatalogCommand, { type: 'CreateSystemSku' }>['data']> = {}): CatalogCommand => ({
  type: 'CreateSystemSku',
  data: { tenantId, sku: 'MUG-RED', name: 'Red mug', now, ...data },
});
const update = (data: Partial<Extract<CatalogCommand, { type: 'UpdateSystemSku' }>['data']> = {}): CatalogCommand => ({
  type: 'UpdateSystemSku',
  data: { tenantId, sku: 'MUG-RED', now: later, ...data },
});
const retire = (data: Partial<Extract<CatalogCommand, { type: 'RetireSystemSku' }>['data']> = {}): CatalogCommand => ({
  type: 'RetireSystemSku',
  data: { tenantId, sku: 'MUG-RED', now: later, ...data },
});

const created = systemSkuCreated({ tenantId, sku: 'MUG-RED', name: 'Red mug', barcode: '4006381333931', createdAt: now });
const retired = systemSkuRetired({ tenantId, sku: 'MUG-RED', retiredAt: later });

t.test('CreateSystemSku', async (t) => {
  t.test('creates a product, trimming the SKU and the name', async (t) => {
    spec(t)
      .given()
      .when(create({ sku: '  MUG-RED ', name: ' Red mug ', barcode: ' 4006381333931 ' }))
      .then(created);
  });

  t.test('barcode is optional; blank or null means none', async (t) => {
    const none = systemSkuCreated({ tenantId, sku: 'MUG-RED', name: 'Red mug', barcode: null, createdAt: now });
    spec(t).given().when(create()).then(none);
    spec(t).given().when(create({ barcode: '   ' })).then(none);
    spec(t).given().when(create({ barcode: null })).then(none);
  });

  t.test('an existing SKU → sku_exists, also when it is retired', async (t) => {
    spec(t).given(created).when(create()).thenThrows('sku_exists');
    spec(t).given(created, retired).when(create()).thenThrows('sku_exists');
  });

  t.test('the SKU code rules apply', async (t) => {
    spec(t).given().when(create({ sku: '  ' })).thenThrows('sku_empty');
    spec(t).given().when(create({ sku: 'x'.repeat(65) })).thenThrows('sku_too_long');
    spec(t).given().when(create({ sku: 'MUG\tRED' })).thenThrows('sku_invalid_character');
  });

  t.test('names are 1..200 printable characters', async (t) => {
    spec(t).given().when(create({ name: ' ' })).thenThrows('invalid_name');
    spec(t).given().when(create({ name: 'n'.repeat(201) })).thenThrows('invalid_name');
    spec(t).given().when(create({ name: 'Red\nmug' })).thenThrows('invalid_name');
    const long = systemSkuCreated({ tenantId, sku: 'MUG-RED', name: 'n'.repeat(200), barcode: null, createdAt: now });
    spec(t).given().when(create({ name: 'n'.repeat(200) })).then(long);
  });

  t.test('barcodes are 1..64 printable characters', async (t) => {
    const error = spec(t).given().when(create({ barcode: 'b'.repeat(65) })).thenThrows('invalid_barcode');
    t.same(error?.details, { reason: 'barcode_too_long' });
    spec(t).given().when(create({ barcode: '123\u0000' })).thenThrows('invalid_barcode');
  });
});

t.test('UpdateSystemSku', async (t) => {
  t.test('changes the name; the event carries the complete new values', async (t) => {
    spec(t)
      .given(created)
      .when(update({ name: ' Crimson mug ' }))
      .then(systemSkuUpdated({ tenantId, sku: 'MUG-RED', name: 'Crimson mug', barcode: '4006381333931', updatedAt: later }));
  });

  t.test('barcode null (or blank) removes it; a new one replaces it', async (t) => {
    const cleared = systemSkuUpdated({ tenantId, sku: 'MUG-RED', name: 'Red mug', barcode: null, updatedAt: later });
    spec(t).given(created).when(update({ barcode: null })).then(cleared);
    spec(t).given(created).when(update({ barcode: '' })).then(cleared);
    spec(t)
      .given(created)
      .when(update({ barcode: '0012345678905' }))
      .then(systemSkuUpdated({ tenantId, sku: 'MUG-RED', name: 'Red mug', barcode: '0012345678905', updatedAt: later }));
  });

  t.test('unchanged values, or no values at all, are a no-op', async (t) => {
    spec(t).given(created).when(update({ name: 'Red mug ', barcode: '4006381333931' })).thenNothingHappened();
    spec(t).given(created).when(update()).thenNothingHappened();
  });

  t.test('values are validated as on create', async (t) => {
    spec(t).given(created).when(update({ name: '' })).thenThrows('invalid_name');
    spec(t).given(created).when(update({ barcode: 'a\u200bb' })).thenThrows('invalid_barcode');
  });

  t.test('a missing product, or another tenant\'s, → not_found', async (t) => {
    spec(t).given().when(update({ name: 'x' })).thenThrows('not_found');
    spec(t).given(created).when(update({ tenantId: 'tenant-2', name: 'x' })).thenThrows('not_found');
  });

  t.test('a retired product cannot change (an unchanged retry is still a no-op)', async (t) => {
    spec(t).given(created, retired).when(update({ name: 'x' })).thenThrows('sku_retired');
    spec(t).given(created, retired).when(update({ name: 'Red mug' })).thenNothingHappened();
  });
});

t.test('RetireSystemSku', async (t) => {
  t.test('retires an active product', async (t) => {
    spec(t).given(created).when(retire()).then(retired);
  });
  t.test('retiring twice is a no-op (safe to retry)', async (t) => {
    spec(t).given(created, retired).when(retire()).thenNothingHappened();
  });
  t.test('a missing product, or another tenant\'s, → not_found', async (t) => {
    spec(t).given().when(retire()).thenThrows('not_found');
    spec(t).given(created).when(retire({ tenantId: 'tenant-2' })).thenThrows('not_found');
  });
});

t.test('state, facts for mapping decisions, and event schemas', async (t) => {
  const updated = systemSkuUpdated({ tenantId, sku: 'MUG-RED', name: 'N', barcode: null, updatedAt: later });
  t.same(foldEvents(systemSkuDecider, [created, updated]), {
    status: 'active',
    tenantId,
    sku: 'MUG-RED',
    name: 'N',
    barcode: null,
  });
  t.same(skuFactsOf(foldEvents(systemSkuDecider, [created])), { tenantId, retired: false });
  t.same(skuFactsOf(foldEvents(systemSkuDecider, [created, retired])), { tenantId, retired: true });
  t.equal(skuFactsOf(systemSkuDecider.initialState()), undefined);
  t.same(foldEvents(systemSkuDecider, [updated, retired]), { status: 'absent' }, 'events without a creation are ignored');
  for (const event of [created, updated, retired]) t.same(CatalogEvent.parse(event), event);
  t.throws(() => CatalogEvent.parse({ ...created, schemaVersion: 2 }));
  t.throws(() => CatalogEvent.parse({ ...created, data: { ...created.data, createdAt: 'yesterday' } }));
});

// Their HTTP statuses (sku_exists 409, not_found 404…) are checked in test/http/errorStatuses.test.ts.
t.test('error codes are listed', async (t) => {
  t.same([...catalogErrorCodes].sort(), [
    'invalid_barcode',
    'invalid_name',
    'not_found',
    'sku_confusable',
    'sku_empty',
    'sku_exists',
    'sku_invalid_character',
    'sku_retired',
    'sku_too_long',
  ]);
});

t.test('an unknown command or event is a programming error', async (t) => {
  t.throws(() => systemSkuDecider.decide({ type: 'Nope' } as never, { status: 'absent' }), /Unhandled CatalogCommand/);
  t.throws(() => systemSkuDecider.evolve({ status: 'absent' }, { type: 'Nope' } as never), /Unhandled CatalogEvent/);
});
