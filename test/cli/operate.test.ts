import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { run, type CliOutput } from '../../src/cli/run.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { repoRoot, childEnv } from '../support/process.js';
import { startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

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

/** The same CLI in this process, with captured streams. */
const omsInProcess = async (args: string[], env: Record<string, string>, tty = false) => {
  let stdout = '';
  let stderr = '';
  const out: CliOutput = { write: (s: string) => (stdout += s), isTTY: tty };
  const err: CliOutput = { write: (s: string) => (stderr += s), isTTY: tty, columns: 120 };
  const code = await run(args, { stdout: out, stderr: err, env });
  return { code, stdout, stderr };
};

const cliEnv = (svc: TestService): Record<string, string> => {
  const db = svc.db as Database & { url: string; schema: string };
  return { NODE_ENV: 'test', DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema };
};

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
};

/** A service with a pulled store: one order released, one held on an unmapped SKU. */
const withOrders = async (t: Test) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  const created = clock.now().getTime() - 60 * MIN;
  const released = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-6PK', quantity: 2 }] });
  const held = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'KIT', quantity: 1 }] });
  await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 });
  await settle(svc);
  const orderIdOf = async (platformOrderId: string) =>
    (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [platformOrderId])).rows[0]!.order_id;
  return { svc, tenant, call, storeId, releasedId: await orderIdOf(released.orderId), heldId: await orderIdOf(held.orderId) };
};

t.test('events prints a stream without sealed buyer data', async (t) => {
  const { svc, heldId } = await withOrders(t);
  const env = cliEnv(svc);
  const stream = orderStreamId(heldId);
  const raw = await svc.store.readStream(stream);
  const sealed = (raw[0]!.data as { order: { personalData: string | null } }).order.personalData;
  t.ok(sealed && sealed.length > 20, 'the pulled order carries sealed buyer data');

  const text = await oms(['events', stream], env);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, `${stream} — 2 events`);
  t.match(text.stdout, /#0 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}OrderPulled {2}actor=system:\S+ {2}correlation=\S+/);
  t.match(text.stdout, /#1 {2}\S+ {2}OrderHeld {2}actor=system:release-policy/);
  t.match(text.stdout, /"personalData": "\[sealed\]"/);
  t.match(text.stdout, /"unmappedSkus": \[\s*"KIT"\s*\]/, 'the data is printed');
  t.notOk(text.stdout.includes(sealed!), 'not even the ciphertext');
  t.notOk(text.stdout.includes(sealed!.slice(-24)), 'no part of it');

  const asJson = await oms(['events', stream, '--json'], env);
  t.equal(asJson.code, 0);
  const events = JSON.parse(asJson.stdout);
  t.match(events, [
    { revision: 0, type: 'OrderPulled', actor: /^system:/, data: { orderId: heldId, order: { personalData: '[sealed]' } } },
    { revision: 1, type: 'OrderHeld', actor: 'system:release-policy' },
  ]);
  t.notOk(asJson.stdout.includes(sealed!));

  const missing = await oms(['events', 'order-00000000-0000-0000-0000-000000000000'], env);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /has no events/);
});

t.test('rebuild orders restores the read model after it was corrupted', async (t) => {
  const { svc, releasedId, heldId } = await withOrders(t);
  const env = cliEnv(svc);
  const rows = async () => (await svc.db.query('SELECT * FROM rm_orders ORDER BY order_id')).rows;
  const before = await rows();
  t.equal(before.length, 2);

  await svc.db.query(`UPDATE rm_orders SET handoff_state = 'bogus', status = 'bogus', warehouse_lines = '[]' WHERE order_id = $1`, [releasedId]);
  await svc.db.query('DELETE FROM rm_orders WHERE order_id = $1', [heldId]);
  await svc.db.query(`INSERT INTO rm_orders SELECT (md5(order_id))::uuid::text, tenant_id, store_id, platform, marketplace_id, 'GHOST', status, platform_status,
     fulfillment_channel, purchased_at, platform_updated_at, ship_by, service_level, ship_to_country, lines, content_hash, versions, first_pulled_at, last_pulled_at
     FROM rm_orders WHERE order_id = $1`, [releasedId]);
  t.notSame(await rows(), before, 'corrupted');

  // The service keeps running (its runner joins the rebuild); the CLI's own runner does the work and waits.
  const ran = await oms(['rebuild', 'orders'], env);
  t.equal(ran.code, 0, ran.stderr);
  t.match(ran.stderr, /rebuild orders: emptying rm_orders and replaying \d+ events/);
  t.match(ran.stderr, /rebuild orders: 100% \d+\/\d+ events/, 'progress lines (not a terminal)');
  t.match(ran.stdout, /projection orders rebuilt: \d+ events applied, caught up/);
  t.same(await rows(), before, 'every row as before, the ghost gone');

  // On a terminal the progress is one bar rewritten with \r (in-process run with a TTY stderr).
  await svc.db.query(`UPDATE rm_orders SET handoff_state = 'bogus'`);
  const tty = await omsInProcess(['rebuild', 'orders'], env, true);
  t.equal(tty.code, 0, tty.stderr);
  t.match(tty.stderr, /\rrebuild orders \[#+\] 100% \d+\/\d+ events · \d+\/s · \d+(ms|s)/);
  t.match(tty.stderr, /caught up\n$/);
  t.same(await rows(), before);
});

t.test('status prints lag lines, the feed and the pull schedule', async (t) => {
  const { svc, call, storeId } = await withOrders(t);
  const env = cliEnv(svc);

  const ok = await oms(['status'], env);
  t.equal(ok.code, 0, ok.stderr);
  for (const name of ['stores', 'products', 'mappings', 'authorizations', 'orders', 'pull_schedule']) {
    t.match(ok.stdout, new RegExp(`^ {2}${name} +ok +0 behind +lag 0s +\\d+ applied +last event \\d{4}-`, 'm'), `${name}: caught up`);
  }
  t.match(ok.stdout, /HTTP feed only \(KAFKA_BROKERS not set\): 1 feed messages/, 'one release so far');
  t.match(ok.stdout, /Pull schedule\n {2}\d+ active stores, \d+ due now, 0 with failures \(0 failing\); next run \d{4}-/);
  t.match(ok.stdout, /Buyer-data retention \(30 days after shipped or cancelled\)\n {2}0 due, \d+ waiting, 0 erased\n {2}last run: /, 'retention counts');

  // Projections stopped, events keep coming: the lag shows.
  await svc.projections.stop();
  // Updates, not creations: creating a SKU waits for the products read model (its look-alike check).
  t.equal((await call('PATCH', '/v1/products/WIDGET', { name: 'Widget 2' })).status, 200);
  t.equal((await call('PATCH', '/v1/products/WIDGET', { name: 'Widget 3' })).status, 200);
  await svc.schedule.requestNow(storeId);
  await svc.db.query(`UPDATE pull_schedule SET failures = 3, last_error = 'rate limited by Amazon', last_error_at = now(), failing_since = now() - interval '1 hour' WHERE store_id = $1`, [storeId]);
  await new Promise((r) => setTimeout(r, 1100));
  const lagging = await oms(['status', '--json'], env);
  t.equal(lagging.code, 0, lagging.stderr);
  const report = JSON.parse(lagging.stdout);
  const products = report.projections.find((p: { name: string }) => p.name === 'products');
  t.match(products, { status: 'stopped', eventsBehind: 2 });
  t.ok(products.lagMs >= 1000, 'lag is the age of the oldest event not applied');
  t.match(report.feed, { kind: 'http', messages: 1 });
  t.match(report.schedule, { failing: 1, stuck: 1 });
  t.match(report.retention, { retentionDays: 30, due: 0, erased: 0 });
  t.match(report.schedule.stores.find((s: { storeId: string }) => s.storeId === storeId), { failures: 3, lastError: 'rate limited by Amazon', state: 'failing', failingSince: /^\d{4}-/ });

  const text = await oms(['status'], env);
  t.match(text.stdout, /^ {2}products +ok +2 behind +lag [1-9]\S*/m); // the age of the oldest unapplied event: ≥ 1 s, longer on a busy machine
  t.match(text.stdout, new RegExp(`${storeId} +\\S+ +due +failing since \\S+ +3 +\\S+ rate limited by Amazon`));

  // A rebuild from zero in progress (its secondary indexes set aside until it catches up) says so.
  await svc.db.query(
    `INSERT INTO projection_rebuild_indexes (projection, schema_name, index_name, definition) VALUES ('orders', current_schema(), 'rm_orders_example_idx', 'CREATE INDEX rm_orders_example_idx ON rm_orders (order_id)')`,
  );
  t.match((await oms(['status'], env)).stdout, /^ {2}orders +rebuilding \(1 index set aside\) +\d+ behind/m);
  await svc.db.query(`DELETE FROM projection_rebuild_indexes WHERE projection = 'orders'`);

  // With Kafka configured: the publisher's checkpoint and lag (nothing published: the broker is not there).
  const kafka = await omsInProcess(['status'], { ...env, KAFKA_BROKERS: '127.0.0.1:1' });
  t.equal(kafka.code, 0, kafka.stderr);
  t.match(kafka.stdout, /kafka topic oms\.fulfillment-orders\.v1: 1 behind, lag \d+[^,]*, checkpoint \(start\)/);
  t.match(kafka.stdout, /lease: never taken/);
  t.match(kafka.stdout, /broker: unreachable/);
  const noProbe = await omsInProcess(['status', '--no-probe', '--limit', '0'], { ...env, KAFKA_BROKERS: '127.0.0.1:1' });
  t.match(noProbe.stdout, /broker: not checked/);
  t.notMatch(noProbe.stdout, /store +next run/, 'no stores listed with --limit 0');
});
