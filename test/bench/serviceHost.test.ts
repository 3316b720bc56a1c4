import { readFileSync } from 'node:fs';
import t from 'tap';
import { isStale } from '../../scripts/buildStamp.mjs';
import { startFlags, startServiceHost } from '../../bench/pipeline/serviceClient.js';
import { freshDatabase } from '../faults/fixtures/harness.js';
import { childEnv } from '../support/process.js';

/**
 * bench:pipeline's service host (bench/pipeline/serviceHost.mjs + serviceClient.ts), so the bench's
 * memory figure keeps measuring a real service: started with `npm start`'s node flags, driven over
 * its HTTP API and IPC, its memory read from /proc, stopped gracefully. It runs dist/ when the build
 * is current (CI builds before the tests) and the sources through tsx otherwise.
 */
const ADMIN_TOKEN = 'test-admin-token-0123456789';

t.test('the service host runs the service with npm start’s flags, answers, reports its memory and stops', async (t) => {
  const db = await freshDatabase(t);
  const source = isStale() ? 'src' : 'dist';
  t.comment(`running ${source}/`);
  const host = await startServiceHost({
    env: { DATABASE_URL: db.url, OMS_ADMIN_TOKEN: ADMIN_TOKEN, OMS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), PULL_SCHEDULER: 'off', LOG_LEVEL: 'warn' },
    source,
    processEnv: childEnv(process.env as Record<string, string>),
  });
  let stopped = false;
  t.teardown(async () => void (stopped || (await host.stop())));

  const args = readFileSync(`/proc/${host.pid}/cmdline`, 'utf8').split('\0');
  t.ok(startFlags().length > 0, 'npm start sets node flags');
  for (const flag of startFlags()) t.ok(args.includes(flag), `the host runs with ${flag}`);

  const { tenantId } = await host.api<{ tenantId: string }>('POST', '/v1/tenants', { token: ADMIN_TOKEN, json: { name: 'Host test' } });
  t.match(tenantId, /\S/, 'the HTTP API answers (a tenant created)');
  await t.rejects(host.api('GET', '/v1/stores', { token: 'not-a-key' }), /HTTP 401/, 'and its errors reach the caller');
  await host.caughtUp(['stores', 'orders'], 30_000);
  t.pass('projections caught up (over IPC)');

  const before = host.memory();
  t.ok(before.rss > 10 * 2 ** 20, `VmRSS read: ${(before.rss / 2 ** 20).toFixed(0)} MiB`);
  t.ok(before.peak >= before.rss, 'VmHWM is at least VmRSS');
  host.resetPeak();
  const after = host.memory();
  t.ok(after.peak <= before.peak && after.peak >= after.rss - 2 ** 20, 'the peak restarts from the current RSS');

  await host.startScheduler();
  const heap = await host.memoryAtPeak();
  t.ok(heap.rss > 0 && heap.heapUsed > 0 && heap.heapUsed <= heap.heapTotal, 'what the heap held at the sampled peak');

  t.equal(await host.stop(), 0, 'stopped gracefully');
  stopped = true;
  await t.rejects(host.caughtUp(['orders']), /exited/, 'a request after the stop fails instead of hanging');
});
