import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { pgliteDatabase } from '../../src/adapters/sql/pgliteDatabase.js';
import { uuidIds } from '../../src/adapters/system.js';
import { decodeStore } from '../../src/application/context.js';
import { loadConfig } from '../../src/config.js';
import { commandHandler } from '../../src/domain/shared/commandHandler.js';
import { storeDecider, storeStreamId } from '../../src/domain/store/decider.js';
import { createLogger } from '../../src/logger.js';
import { createService } from '../../src/service.js';
import { json, startTestService } from '../support/service.js';
import { createTenant, seedStore } from '../support/tenants.js';

/** #14.7: imports cannot starve the service. Size of the embedded import: IMPORT_TEST_ROWS (default 50,000). */
const ROWS = Number(process.env.IMPORT_TEST_ROWS ?? 50_000);

const csv = (body: string) => ({ body, headers: { 'content-type': 'text/csv' } });

/** GET on a fresh connection each time (no keep-alive socket the server could close meanwhile): the status. */
const probe = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });

t.test('beyond IMPORT_CONCURRENCY imports at once: 429 imports_busy with Retry-After, nothing written', async (t) => {
  const svc = await startTestService(t, { IMPORT_CONCURRENCY: '1' });
  const a = await createTenant(svc, 'A');
  const storeId = await seedStore(svc, a.tenantId);
  const call = (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) => svc.call(method, path, { token: a.apiKey, ...opts });
  t.equal((await call('POST', '/v1/products', { body: { sku: 'WIDGET', name: 'Widget' } })).status, 201);

  const release = svc.imports.tryAcquire(); // an import of another request holds the only slot
  t.ok(release, 'the slot was free');
  t.equal(svc.imports.tryAcquire(), null, 'a second slot is not there');
  const products = await call('POST', '/v1/products/import', csv('sku,name\nNEW,New\n'));
  t.equal(products.status, 429);
  t.equal(products.headers.get('retry-after'), String(svc.imports.retryAfterSeconds));
  t.match(await json(products), { status: 429, code: 'imports_busy' });
  const mappings = await call('POST', `/v1/stores/${storeId}/mappings/import`, csv('platform_sku,system_sku,quantity\nP1,WIDGET,1\n'));
  t.equal(mappings.status, 429);
  t.equal((await json(mappings)).code, 'imports_busy');
  t.equal((await call('GET', '/v1/products/NEW')).status, 404, 'the refused import wrote nothing');

  release!();
  release!(); // giving a slot back twice frees it once
  t.equal(svc.imports.running(), 0);
  t.equal((await call('POST', '/v1/products/import', csv('sku,name\nNEW,New\n'))).status, 200, 'a free slot: the import runs');
  t.equal((await call('POST', `/v1/stores/${storeId}/mappings/import`, csv('platform_sku,system_sku,quantity\nP1,WIDGET,1\n'))).status, 200);
  t.equal(svc.imports.running(), 0, 'slots are given back after an import');
  const refused = await call('POST', '/v1/products/import', csv('sku,name\n,no sku\n'));
  t.equal(refused.status, 422);
  t.equal(svc.imports.running(), 0, 'and after a refused one');
});

t.test(`embedded mode: /healthz answers while a ${ROWS.toLocaleString('en-US')}-mapping import runs`, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-import-load-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const db = await pgliteDatabase({ dataDir: join(dataDir, 'pgdata') });
  t.teardown(() => db.close());
  const config = loadConfig({ NODE_ENV: 'test', OMS_ADMIN_TOKEN: 'test-admin-token-0123456789', OMS_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'), PULL_SCHEDULER: 'off', LOG_LEVEL: 'warn' });
  const service = await createService(config, { logger: createLogger({ level: 'warn' }), database: db });
  await service.start();
  t.teardown(() => service.stop());
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;

  const tenant = await service.tenants.create('Load', { actor: 'test' });
  const { apiKey } = await service.tenants.issueKey(tenant.tenantId, 'test', { actor: 'test' });
  const caller = { tenantId: tenant.tenantId, metadata: { actor: 'test' } };
  for (const sku of ['WIDGET', 'GADGET']) await service.catalog.create(caller, { sku, name: sku });
  const storeId = randomUUID();
  await commandHandler(storeDecider, decodeStore, service.store, uuidIds)(
    storeStreamId(storeId),
    { type: 'ConnectStore', data: { storeId, tenantId: tenant.tenantId, authorizationId: randomUUID(), platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US', marketplaceName: 'Amazon.com', name: 'Load', status: 'active', connectedAt: new Date().toISOString() } },
    { metadata: { actor: 'test' } },
  );
  const body = ['platform_sku,system_sku,quantity', ...Array.from({ length: ROWS }, (_, i) => `PSKU-${String(i).padStart(6, '0')},${i % 3 ? 'WIDGET' : 'GADGET'},${(i % 9) + 1}`)].join('\r\n') + '\r\n';

  let importDone = false;
  const imported = fetch(`${url}/v1/stores/${storeId}/mappings/import`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' }, body }).then(
    async (res) => {
      importDone = true;
      return { status: res.status, body: await res.json() };
    },
  );
  // Probe liveness one request after the other for as long as the import runs; count the probes
  // answered before the import's answer arrived. A blocked event loop answers none of them.
  let answeredDuringImport = 0;
  const failed: string[] = [];
  while (!importDone) {
    const status = await probe(`${url}/healthz`).catch((error: Error) => error.message);
    if (status !== 200) failed.push(String(status));
    if (!importDone) answeredDuringImport++;
  }
  const result = await imported;
  t.equal(result.status, 200, 'the import succeeded');
  t.match(result.body, { rows: ROWS, mappings: ROWS, created: ROWS });
  t.same(failed, [], 'every probe answered 200');
  t.ok(answeredDuringImport >= 10, `liveness answered during the import (${answeredDuringImport} probes before the import's answer)`);
});
