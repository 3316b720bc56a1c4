import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { z } from 'zod';
import { listCursor } from '../../src/adapters/shared/cursorCodec.js';
import { systemSkuCreated } from '../../src/domain/catalog/events.js';
import { productStreamId } from '../../src/domain/catalog/streams.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const csv = (s: string) => ({ body: s, headers: { 'content-type': 'text/csv' } });

const setUp = async (t: Test) => {
  const svc = await startTestService(t);
  const a = await createTenant(svc, 'A');
  const callA = (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) =>
    svc.call(method, path, { token: a.apiKey, ...opts });
  return { svc, a, callA };
};

t.test('one SKU per look: NFC/NFD and full-width forms are one product, look-alikes are refused (#14.14)', async (t) => {
  const { callA } = await setUp(t);
  const nfc = await callA('POST', '/v1/products', { body: { sku: 'Caf\u00e9-1', name: 'NFC' } });
  t.equal(nfc.status, 201);
  t.equal((await json(nfc)).sku, 'Caf\u00e9-1');
  const nfd = await callA('POST', '/v1/products', { body: { sku: 'Cafe\u0301-1', name: 'NFD' } });
  t.equal(nfd.status, 409, 'the NFD spelling is the same SKU');
  t.equal((await json(nfd)).code, 'sku_exists');

  t.equal((await json(await callA('POST', '/v1/products', { body: { sku: 'ＭＵＧ-２', name: 'full-width' } }))).sku, 'MUG-2', 'stored as ASCII');
  const ascii = await callA('POST', '/v1/products', { body: { sku: 'MUG-2', name: 'ASCII' } });
  t.equal(ascii.status, 409);
  t.equal((await json(ascii)).code, 'sku_exists');
  t.equal((await json(await callA('GET', `/v1/products/${encodeURIComponent('ＭＵＧ-２')}`))).name, 'full-width', 'read by either form');
  t.equal((await json(await callA('GET', `/v1/products/${encodeURIComponent('Cafe\u0301-1')}`))).name, 'NFC');

  const cyrillic = await callA('POST', '/v1/products', { body: { sku: '\u041cUG-2', name: 'Cyrillic M' } });
  t.equal(cyrillic.status, 409, 'a Cyrillic М that looks like M');
  const problem = await json(cyrillic);
  t.equal(problem.code, 'sku_confusable');
  t.match(problem.detail ?? problem.title ?? '', /MUG-2/, 'the problem names the existing SKU');
  t.equal((await callA('GET', `/v1/products/${encodeURIComponent('\u041cUG-2')}`)).status, 404, 'nothing written');
  t.equal((await callA('POST', '/v1/products', { body: { sku: 'mug-2', name: 'lower case' } })).status, 201, 'case still tells codes apart');
});

t.test('product import: normalised codes, look-alikes in the file or stored are refused, nothing written', async (t) => {
  const { callA } = await setUp(t);
  t.equal((await callA('POST', '/v1/products', { body: { sku: 'BOX', name: 'Box' } })).status, 201);
  const inFile = await callA('POST', '/v1/products/import', csv('sku,name\nＣＵＰ,Cup\n\u0421UP,Cyrillic cup\n'));
  t.equal(inFile.status, 422);
  t.match((await json(inFile)).issues, [{ row: 3, column: 'sku', code: 'sku_confusable' }]);
  const stored = await callA('POST', '/v1/products/import', csv('sku,name\nB\u041eX,Cyrillic O\n'));
  t.equal(stored.status, 422);
  t.match((await json(stored)).issues, [{ row: 2, column: 'sku', code: 'sku_confusable', reason: /BOX/ }]);
  t.equal((await callA('GET', '/v1/products/CUP')).status, 404, 'nothing imported');

  const ok = await callA('POST', '/v1/products/import', csv("sku,name\nＣＵＰ,Cup\nBOX,Box renamed\n'-5PK,Five\n"));
  t.equal(ok.status, 200);
  t.same(await json(ok), { rows: 3, created: 2, updated: 1, unchanged: 0 });
  t.equal((await json(await callA('GET', '/v1/products/CUP'))).name, 'Cup');
  t.equal((await json(await callA('GET', '/v1/products/-5PK'))).name, 'Five', "an export's formula guard is removed");
});

t.test('products stored before NFKC keep their code and stay addressable by it', async (t) => {
  const { svc, a, callA } = await setUp(t);
  const legacy = 'The\u0301'; // NFD, as a product created before normalisation was stored
  await svc.store.append(
    productStreamId(a.tenantId, legacy),
    [{ id: randomUUID(), type: 'SystemSkuCreated', data: systemSkuCreated({ tenantId: a.tenantId, sku: legacy, name: 'Legacy', barcode: null, createdAt: new Date().toISOString() }).data, metadata: { actor: 'test' } }],
    'no_stream',
  );
  const got = await json(await callA('GET', `/v1/products/${encodeURIComponent(legacy)}`));
  t.same([got.sku, got.name], [legacy, 'Legacy'], 'found under its exact stored code');
  t.equal((await json(await callA('PATCH', `/v1/products/${encodeURIComponent(legacy)}`, { body: { name: 'Renamed' } }))).name, 'Renamed');
  const twin = await callA('POST', '/v1/products', { body: { sku: 'Th\u00e9', name: 'NFC twin' } });
  t.equal(twin.status, 409, 'its NFC twin would look the same');
  t.equal((await json(twin)).code, 'sku_confusable');
  t.equal((await json(await callA('POST', `/v1/products/${encodeURIComponent(legacy)}/retire`))).product.status, 'retired');
});

t.test('the product list pages with cursors; a cursor it did not issue is invalid_cursor, never a query', async (t) => {
  const { svc, callA } = await setUp(t);
  t.equal((await callA('POST', '/v1/products/import', csv('sku,name\nC-3,Three\nA-1,One\nB-2,Two\n'))).status, 200);
  await svc.projections.caughtUp(['products']);
  const skus: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 5; page++) {
    const body = (await json(await callA('GET', `/v1/products?limit=1${after ? `&after=${after}` : ''}`))) as { items: { sku: string }[]; nextCursor: string | null };
    skus.push(...body.items.map((p) => p.sku));
    after = body.nextCursor;
    if (!after) break;
  }
  t.same(skus, ['A-1', 'B-2', 'C-3'], 'every product once, in code order');
  const refused = async (cursor: string, why: string) => t.match(await json(await callA('GET', `/v1/products?after=${cursor}`)), { status: 400, code: 'invalid_cursor' }, why);
  const first = ((await json(await callA('GET', '/v1/products?limit=1'))) as { nextCursor: string }).nextCursor;
  await refused('bm9wZQ', 'not a cursor');
  await refused(`${first.slice(0, -1)}${first.endsWith('A') ? 'B' : 'A'}`, 'an altered one');
  await refused(Buffer.from('A-1').toString('base64url'), 'the raw key (the format before the codec)');
  await refused(listCursor('mappings', z.string()).encode('A-1'), "the mapping list's cursor");
  await refused(listCursor('products', z.string()).encode('A\u0000'), 'a key PostgreSQL text cannot hold');
});
