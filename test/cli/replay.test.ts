import { spawn } from 'node:child_process';
import pg from 'pg';
import t from 'tap';
import { orderQueries } from '../../src/adapters/readModels/orderQueries.js';
import { inSchema } from '../../src/cli/replay.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { repoRoot, childEnv } from '../support/process.js';
import { uniqueName } from '../support/postgres.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;

type Ran = { code: number | null; stdout: string; stderr: string };

/** `oms …` as an operator runs it: a child process through bin/oms.mjs, with only the environment given. */
const oms = (args: string[], env: Record<string, string>): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${repoRoot}bin/oms.mjs`, ...args], { cwd: repoRoot, env: childEnv({ PATH: process.env.PATH ?? '', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

/** The CLI's environment for the service's database: the same server, the test's own schema. */
const cliEnv = (svc: TestService): Record<string, string> => {
  const db = svc.db as Database & { url: string; schema: string };
  return { NODE_ENV: 'test', DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema };
};

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('replay --until T rebuilds the order list exactly as it was at T', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const env = cliEnv(svc);
  const replaySchemas: string[] = [];
  t.teardown(async () => {
    // Schemas the CLI created (the test's own schema is dropped by its teardown).
    const admin = new pg.Client({ connectionString: env.DATABASE_URL });
    await admin.connect();
    for (const s of replaySchemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
  });

  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  for (const [sku, name] of [['WIDGET', 'Widget'], ['GADGET', 'Gadget']]) t.equal((await call('POST', '/v1/products', { sku, name })).status, 201);

  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  const created = clock.now().getTime() - 60 * MIN;
  const add = (sku: string, quantity: number, extra: { fulfilledBy?: 'AMAZON'; createdAt?: number } = {}) =>
    amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: extra.createdAt ?? created, status: 'UNSHIPPED', items: [{ sellerSku: sku, quantity }], ...(extra.fulfilledBy ? { fulfilledBy: extra.fulfilledBy } : {}) });
  const sixPack = add('AMZ-6PK', 2);
  const kit = add('KIT', 1);
  add('AMZ-6PK', 1, { fulfilledBy: 'AMAZON' });
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] })).status, 200);

  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 3 });
  await settle(svc);

  // T: what an operator saw then.
  const listNow = async () => (await json(await call('GET', '/v1/orders?limit=100'))).items as { platformOrderId: string; status: string; handoff: { state: string } }[];
  const atT = await listNow();
  t.same(
    atT.map((o) => [o.platformOrderId, o.handoff.state]).sort(),
    [[sixPack.orderId, 'released'], [kit.orderId, 'held']].concat([[atT.find((o) => o.handoff.state === 'marketplace')!.platformOrderId, 'marketplace']]).sort(),
    'at T: one released, one held, one FBA',
  );
  // Event times are the database's clock; keep T clear of both sides.
  await pause(50);
  const T = new Date().toISOString();
  await pause(50);

  // After T: the held order is released by an import, a mapping changes, an order is cancelled, a new one arrives.
  const imported = await call('POST', `/v1/stores/${storeId}/mappings/import`, 'platform_sku,system_sku,quantity\nKIT,WIDGET,1\nKIT,GADGET,3\n', { 'content-type': 'text/csv' });
  t.equal(imported.status, 200);
  await settle(svc);
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-6PK`, { components: [{ sku: 'GADGET', quantity: 6 }] })).status, 200);
  amazon.orders.cancel(sixPack.orderId);
  const late = add('AMZ-6PK', 4, { createdAt: clock.now().getTime() - 5 * MIN });
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1, ordersChanged: 1 });
  await settle(svc);
  const after = await listNow();
  t.equal(after.length, 4, 'a fourth order after T');
  t.match(Object.fromEntries(after.map((o) => [o.platformOrderId, o.handoff.state])), { [sixPack.orderId]: 'cancelled', [kit.orderId]: 'released', [late.orderId]: 'released' });

  // The replay at T, by the CLI, into a schema of its own.
  const schema = uniqueName('replay_t');
  replaySchemas.push(schema);
  const ran = await oms(['replay', '--until', T, '--schema', schema, '--json'], env);
  t.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout);
  t.match(report, {
    schema,
    until: T,
    tables: { rm_orders: 3, rm_stores: Number, rm_products: 2, rm_mappings: 1, rm_authorizations: 1, pull_schedule: Number },
    ordersByHandoff: { released: 1, held: 1, marketplace: 1 },
  });
  t.notOk(report.ordersByHandoff.cancelled, 'no cancellation at T');
  t.ok(report.eventsReplayed > 0 && report.eventsReplayed < report.eventsScanned, 'events after T were read and left out');
  t.ok(report.projections.every((p: { failed: unknown }) => p.failed === null), 'every projection applied everything');
  t.match(ran.stderr, /replay: /, 'progress lines on stderr (not a terminal)');

  // The same order-list SQL on the replayed schema answers what the API answered at T.
  const replayed = orderQueries({ db: inSchema(svc.db, schema), store: svc.store }).forTenant(tenant.tenantId);
  const page = await replayed.list({ limit: 100 });
  t.same(JSON.parse(JSON.stringify(page.items)), atT, 'same orders, statuses and hand-off states as the snapshot at T');
  t.same((await replayed.list({ limit: 100, handoff: 'held' })).items.map((o) => o.platformOrderId), [kit.orderId], 'filters work on the replayed schema');
  const mapping = (await inSchema(svc.db, schema).query<{ components: unknown }>(`SELECT components FROM rm_mappings WHERE platform_sku = 'AMZ-6PK'`)).rows[0];
  t.same(mapping?.components, [{ sku: 'WIDGET', quantity: 6 }], 'the mapping as it was at T');

  // Replaying up to now reproduces today's list; the same schema twice is refused.
  const nowSchema = uniqueName('replay_now');
  replaySchemas.push(nowSchema);
  const until = new Date(Date.now() + 1000).toISOString();
  const full = await oms(['replay', '--until', until, '--schema', nowSchema], env);
  t.equal(full.code, 0, full.stderr);
  t.match(full.stdout, new RegExp(`into schema ${nowSchema}`));
  t.match(full.stdout, /rm_orders\s+4/);
  t.match(full.stdout, /Orders by hand-off state[\s\S]*cancelled\s+1/);
  const current = await orderQueries({ db: inSchema(svc.db, nowSchema), store: svc.store }).forTenant(tenant.tenantId).list({ limit: 100 });
  t.same(JSON.parse(JSON.stringify(current.items)), after, 'replay until now = the live read model');

  const again = await oms(['replay', '--until', T, '--schema', schema], env);
  t.equal(again.code, 1);
  t.match(again.stderr, /exists already/);
});
