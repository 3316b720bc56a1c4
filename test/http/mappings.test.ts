import t, { type Test } from 'tap';
import { json, startTestService } from '../support/service.js';
import { createTenant, seedStore } from '../support/tenants.js';

const csv = (s: string) => ({ body: s, headers: { 'content-type': 'text/csv' } });

const setUp = async (t: Test) => {
  const svc = await startTestService(t);
  const a = await createTenant(svc, 'A');
  const storeA = await seedStore(svc, a.tenantId);
  const storeA2 = await seedStore(svc, a.tenantId, { marketplaceId: 'A2EUQ1WTGCTBG2' });
  const as = (key: string) => (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) =>
    svc.call(method, path, { token: key, ...opts });
  const callA = as(a.apiKey);
  for (const sku of ['WIDGET', 'GADGET', 'BOLT', 'OLD']) {
    t.equal((await callA('POST', '/v1/products', { body: { sku, name: `${sku} name` } })).status, 201);
  }
  return { svc, a, storeA, storeA2, callA };
};

t.test('system SKUs: create, read, update, retire, refuse bad input', async (t) => {
  const { callA, storeA } = await setUp(t);
  const dup = await callA('POST', '/v1/products', { body: { sku: 'WIDGET', name: 'again' } });
  t.equal(dup.status, 409);
  t.equal((await json(dup)).code, 'sku_exists');
  const tooLong = await callA('POST', '/v1/products', { body: { sku: 'x'.repeat(65), name: 'n' } });
  t.equal(tooLong.status, 422);
  t.equal((await json(tooLong)).code, 'sku_too_long');
  t.equal((await callA('POST', '/v1/products', { body: { sku: 'A', name: '' } })).status, 400, 'empty name is malformed input');
  t.equal((await json(await callA('POST', '/v1/products', { body: { sku: '  Trim-Me ', name: 'n' } }))).sku, 'Trim-Me');
  t.equal((await callA('GET', '/v1/products/trim-me')).status, 404, 'exact, case-sensitive');
  const patched = await json(await callA('PATCH', '/v1/products/WIDGET', { body: { name: 'Widget XL', barcode: '0123456789012' } }));
  t.match(patched, { sku: 'WIDGET', name: 'Widget XL', barcode: '0123456789012' });

  await callA('PUT', `/v1/stores/${storeA}/mappings/AMZ-OLD`, { body: { components: [{ sku: 'OLD', quantity: 1 }] } });
  const retired = await json(await callA('POST', '/v1/products/OLD/retire'));
  t.equal(retired.product.status, 'retired');
  t.same(retired.usedBy, [{ storeId: storeA, platformSku: 'AMZ-OLD', version: 1 }], 'mappings that use it are reported');
  const reuse = await callA('PUT', `/v1/stores/${storeA}/mappings/AMZ-NEW`, { body: { components: [{ sku: 'OLD', quantity: 1 }] } });
  t.equal(reuse.status, 409);
  t.equal((await json(reuse)).code, 'sku_retired');
});

t.test('mappings: factors, combinations, every rule refused with a stable code, history', async (t) => {
  const { callA, storeA } = await setUp(t);
  const put = (sku: string, components: unknown) => callA('PUT', `/v1/stores/${storeA}/mappings/${encodeURIComponent(sku)}`, { body: { components } });

  const six = await json(await put('AMZ-6PK', [{ sku: 'WIDGET', quantity: 6 }]));
  t.match(six, { platformSku: 'AMZ-6PK', components: [{ sku: 'WIDGET', quantity: 6 }], version: 1, changed: true });
  const kit = await json(await put('AMZ/KIT 1', [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 2 }]));
  t.equal(kit.components.length, 2, 'a combination');
  t.same((await json(await put('AMZ-6PK', [{ sku: 'WIDGET', quantity: 6 }]))).changed, false, 'same components: no new version');
  t.equal((await json(await put('AMZ-6PK', [{ sku: 'WIDGET', quantity: 12 }]))).version, 2);
  t.equal((await json(await put('WIDGET', [{ sku: 'WIDGET', quantity: 1 }]))).version, 1, 'a platform SKU equal to a system SKU is mapped explicitly');

  const refusals: [unknown, number, string][] = [
    [[{ sku: 'WIDGET', quantity: 1 }, { sku: 'WIDGET', quantity: 2 }], 422, 'duplicate_component'],
    [[{ sku: 'WIDGET', quantity: 0 }], 422, 'quantity_out_of_range'],
    [[{ sku: 'WIDGET', quantity: 10_001 }], 422, 'quantity_out_of_range'],
    [[{ sku: 'NOPE', quantity: 1 }], 422, 'unknown_sku'],
    [[], 422, 'no_components'],
    [Array.from({ length: 21 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })), 422, 'too_many_components'],
  ];
  for (const [components, status, code] of refusals) {
    const res = await put('AMZ-BAD', components);
    t.equal(res.status, status, code);
    t.equal((await json(res)).code, code);
  }
  t.equal((await put('AMZ-BAD', [{ sku: 'WIDGET', quantity: 1.5 }])).status, 400, 'a non-integer is malformed input');
  t.equal((await callA('PUT', `/v1/stores/${storeA}/mappings/X`, { body: { components: [], extra: 1 } })).status, 400);
  t.equal((await callA('GET', `/v1/stores/${storeA}/mappings/AMZ-BAD`)).status, 404, 'nothing written by refusals');

  const got = await json(await callA('GET', `/v1/stores/${storeA}/mappings/AMZ%2FKIT%201`));
  t.same(got.components, [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 2 }]);
  t.equal((await callA('DELETE', `/v1/stores/${storeA}/mappings/AMZ-6PK`)).status, 204);
  t.equal((await callA('GET', `/v1/stores/${storeA}/mappings/AMZ-6PK`)).status, 404);
  const history = await json(await callA('GET', `/v1/stores/${storeA}/mappings/AMZ-6PK/history`));
  t.same(history.items.map((h: { version: number; type: string }) => [h.version, h.type]), [[1, 'MappingSet'], [2, 'MappingSet'], [3, 'MappingRemoved']]);
  t.match(history.items[0], { components: [{ sku: 'WIDGET', quantity: 6 }], source: 'api', actor: /^key:/ });
  t.equal((await callA('DELETE', `/v1/stores/${storeA}/mappings/AMZ-6PK`)).status, 404, 'removing a missing mapping: mapping_not_found');

  await svcCaughtUp(callA, storeA, 2);
  const list = await json(await callA('GET', `/v1/stores/${storeA}/mappings?sku=GADGET`));
  t.same(list.items.map((m: { platformSku: string }) => m.platformSku), ['AMZ/KIT 1'], 'searchable by system SKU');
});

/** Lists read a projection: wait until it shows what the test wrote. */
const svcCaughtUp = async (call: (m: string, p: string) => Promise<Response>, storeId: string, n: number) => {
  for (let i = 0; i < 100; i++) {
    const list = await json(await call('GET', `/v1/stores/${storeId}/mappings?limit=500`));
    if (list.items.length >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
};

t.test('CSV import: every bad row reported, nothing imported; re-import unchanged; export round-trips; copy', async (t) => {
  const { callA, storeA, storeA2 } = await setUp(t);
  const bad = [
    'platform_sku,system_sku,quantity',
    'P1,WIDGET,2',
    'P1,WIDGET,3',
    'P2,GADGET,0',
    'P3,NOPE,1',
    'P4,,1',
    '"P5, quoted",BOLT,1',
  ].join('\r\n');
  const refused = await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(bad));
  t.equal(refused.status, 422);
  const problem = await json(refused);
  t.equal(problem.code, 'import_invalid');
  t.same(
    problem.issues.map((i: { row: number; column: string; code: string }) => [i.row, i.column, i.code]),
    [[3, 'system_sku', 'duplicate_component'], [4, 'quantity', 'quantity_out_of_range'], [5, 'system_sku', 'unknown_sku'], [6, 'system_sku', 'missing_value']],
  );
  t.equal((await json(await callA('GET', `/v1/stores/${storeA}/mappings`))).items.length, 0, 'nothing imported');

  const missingColumn = await json(await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv('platform_sku,quantity\nP1,1\n')));
  t.equal(missingColumn.issues[0].code, 'missing_column');
  const badBytes = Buffer.concat([Buffer.from('platform_sku,system_sku,quantity\nP1,'), Buffer.from([0xff, 0xfe]), Buffer.from(',1\n')]);
  const encoding = await callA('POST', `/v1/stores/${storeA}/mappings/import`, { body: badBytes, headers: { 'content-type': 'text/csv' } });
  t.equal((await json(encoding)).issues[0].code, 'bad_encoding');

  const good = '\uFEFFplatform_sku,system_sku,quantity\r\nP1,WIDGET,2\r\nKIT,WIDGET,1\r\nKIT,GADGET,3\r\n"P5, quoted",BOLT,1\r\n';
  t.same(await json(await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(good))), { rows: 4, mappings: 3, created: 3, updated: 0, unchanged: 0 });
  t.same(await json(await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(good))), { rows: 4, mappings: 3, created: 0, updated: 0, unchanged: 3 }, 're-import says unchanged');
  const exported = await (await callA('GET', `/v1/stores/${storeA}/mappings/export`)).text();
  t.equal(
    exported,
    'platform_sku,system_sku,quantity\r\nKIT,WIDGET,1\r\nKIT,GADGET,3\r\nP1,WIDGET,2\r\n"P5, quoted",BOLT,1\r\n',
    'export: sorted by platform SKU, components in their order, quoted where needed',
  );
  t.same(await json(await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(exported))), { rows: 4, mappings: 3, created: 0, updated: 0, unchanged: 3 }, 'the export imports back unchanged');

  const copied = await json(await callA('POST', `/v1/stores/${storeA2}/mappings/copy`, { body: { fromStoreId: storeA } }));
  t.same(copied.counts, { created: 3, updated: 0, unchanged: 0, kept: 0, skipped: 0 });
  const history = await json(await callA('GET', `/v1/stores/${storeA2}/mappings/KIT/history`));
  t.equal(history.items[0].source, 'copy');
});

t.test('a 20,000-row file imports and exports back identically', async (t) => {
  const { svc, callA, storeA } = await setUp(t);
  const rows = Array.from({ length: 20_000 }, (_, i) => `PSKU-${String(i).padStart(5, '0')},${i % 3 === 0 ? 'GADGET' : 'WIDGET'},${(i % 9) + 1}`);
  const file = ['platform_sku,system_sku,quantity', ...rows].join('\r\n') + '\r\n';
  const res = await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(file));
  t.same(await json(res), { rows: 20_000, mappings: 20_000, created: 20_000, updated: 0, unchanged: 0 });
  const exported = await (await callA('GET', `/v1/stores/${storeA}/mappings/export`)).text();
  t.equal(exported, file, 'byte for byte');
  t.equal((await svc.store.readAll(null, { maxCount: 30_000, filter: { streamPrefixes: ['mapping-'] } })).events.length, 20_000);
});

t.test('every mapping is addressable: long platform SKUs and names like export/import by query parameter (#14.12)', async (t) => {
  const { callA, storeA } = await setUp(t);
  const long = `AMZ-${'x'.repeat(146)}`; // 150 characters: importable (limit 200), too long for a path segment
  const imported = await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(`platform_sku,system_sku,quantity\n${long},WIDGET,2\n`));
  t.equal(imported.status, 200);
  t.equal((await callA('GET', `/v1/stores/${storeA}/mappings/${long}`)).status, 414, 'the path form stops at 100 characters, as documented');
  const q = (sku: string) => `/v1/stores/${storeA}/mapping?${new URLSearchParams({ platformSku: sku })}`;
  t.match(await json(await callA('GET', q(long))), { platformSku: long, components: [{ sku: 'WIDGET', quantity: 2 }], version: 1 });
  t.equal((await json(await callA('PUT', q(long), { body: { components: [{ sku: 'WIDGET', quantity: 3 }] } }))).version, 2);
  t.equal((await json(await callA('GET', `/v1/stores/${storeA}/mapping/history?${new URLSearchParams({ platformSku: long })}`))).items.length, 2);
  t.equal((await callA('DELETE', q(long))).status, 204, 'and it can be removed');
  t.equal((await callA('GET', q(long))).status, 404);
  t.equal((await callA('DELETE', q(long))).status, 404, 'mapping_not_found once removed');

  for (const name of ['export', 'import', 'copy', 'A+B &c=1']) {
    const put = await callA('PUT', q(name), { body: { components: [{ sku: 'GADGET', quantity: 1 }] } });
    t.equal(put.status, 200, `set ${name}`);
    t.match(await json(await callA('GET', q(name))), { platformSku: name, components: [{ sku: 'GADGET', quantity: 1 }] }, `read ${name}`);
  }
  const exported = await callA('GET', `/v1/stores/${storeA}/mappings/export`);
  t.equal(exported.headers.get('content-type'), 'text/csv; charset=utf-8', 'the export route is still the export');
  t.match(await exported.text(), /\r\nexport,GADGET,1\r\n/);
  t.equal((await callA('GET', `/v1/stores/${storeA}/mappings/AMZ-NONE`)).status, 404, 'the path form keeps working for short SKUs');
  t.equal((await callA('GET', `/v1/stores/${storeA}/mapping`)).status, 400, 'platformSku is required');
  t.equal((await callA('DELETE', q('export'))).status, 204);
  t.equal((await callA('GET', q('export'))).status, 404);
});

t.test('the export neutralises formula-like codes and importing it back changes nothing (#14.11)', async (t) => {
  const { callA, storeA } = await setUp(t);
  const minus = await callA('POST', '/v1/products', { body: { sku: '-5PK', name: 'starts with a minus' } });
  t.equal(minus.status, 201);
  const file = 'platform_sku,system_sku,quantity\r\n"=HYPERLINK(""http://evil"")",-5PK,1\r\n@SUM(1),WIDGET,2\r\n';
  t.equal((await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(file))).status, 200);
  const exported = await (await callA('GET', `/v1/stores/${storeA}/mappings/export`)).text();
  t.equal(exported, `platform_sku,system_sku,quantity\r\n"'=HYPERLINK(""http://evil"")",'-5PK,1\r\n'@SUM(1),WIDGET,2\r\n`);
  const again = await json(await callA('POST', `/v1/stores/${storeA}/mappings/import`, csv(exported)));
  t.match(again, { rows: 2, mappings: 2, created: 0, updated: 0, unchanged: 2 }, 'round trip exact');
});
