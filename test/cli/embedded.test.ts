import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { pgliteDatabase } from '../../src/adapters/sql/pgliteDatabase.js';
import { inSchema } from '../../src/cli/replay.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createService } from '../../src/service.js';
import { repoRoot, childEnv } from '../support/process.js';

type Ran = { code: number | null; stdout: string; stderr: string };

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

const ADMIN = 'embedded-admin-token-0123456789';

t.test('on the embedded PGlite, a replay schema works the same way', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oms-cli-embedded-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const env = { NODE_ENV: 'test', OMS_DATA_DIR: dir };

  // The service on PGlite in `dir`: a tenant and two products, one before T and one after.
  const config = loadConfig({ ...env, OMS_ADMIN_TOKEN: ADMIN, OMS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), PULL_SCHEDULER: 'off' });
  const svc = await createService(config, { logger: createLogger({ level: 'silent' }) });
  await svc.start();
  const post = async (url: string, token: string, payload: object) => {
    const res = await svc.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
    t.ok(res.statusCode < 300, `${url}: ${res.statusCode}`);
    return res.json();
  };
  const tenant = await post('/v1/tenants', ADMIN, { name: 'Acme' });
  const { apiKey } = await post(`/v1/tenants/${tenant.tenantId}/api-keys`, ADMIN, { name: 'ops' });
  await post('/v1/products', apiKey, { sku: 'WIDGET', name: 'Widget' });
  await svc.projections.caughtUp(['products']);
  await new Promise((r) => setTimeout(r, 50));
  const T = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  await post('/v1/products', apiKey, { sku: 'GADGET', name: 'Gadget' });
  await svc.projections.caughtUp(['products']);
  // PGlite opens its directory from one process at a time: the service stops before the CLI runs.
  await svc.stop();

  const ran = await oms(['replay', '--until', T, '--schema', 'replay_embedded', '--json'], env);
  t.equal(ran.code, 0, ran.stderr);
  t.match(JSON.parse(ran.stdout), { schema: 'replay_embedded', tables: { rm_products: 1, rm_orders: 0 }, ordersByHandoff: {} });

  const status = await oms(['status'], env);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /^ {2}products +ok +0 behind +lag 0s +2 applied/m);
  t.match(status.stdout, /HTTP feed only \(KAFKA_BROKERS not set\): 0 feed messages/);

  const db = await pgliteDatabase({ dataDir: join(dir, 'pgdata') });
  t.teardown(() => db.close());
  t.same((await inSchema(db, 'replay_embedded').query('SELECT sku FROM rm_products')).rows, [{ sku: 'WIDGET' }], 'the replay: as at T');
  t.same((await db.query('SELECT sku FROM rm_products ORDER BY sku')).rows, [{ sku: 'GADGET' }, { sku: 'WIDGET' }], 'the live read model is untouched');
});
