import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { pgliteDatabase } from '../../src/adapters/sql/pgliteDatabase.js';
import { freePort, spawnTs, waitForHttp200 } from '../support/process.js';

/**
 * `npm start` with nothing configured: the service runs on embedded PGlite in ./.oms-data (here a
 * fresh working directory), answers /healthz, and its data survives a restart.
 */
const startOnce = async (t: Test, cwd: string) => {
  const port = await freePort();
  // Only what any shell has: no OMS variable at all (PORT only so parallel test files do not collide).
  const proc = spawnTs('src/main.ts', { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port) } });
  let alive = true;
  void proc.exited.then(() => (alive = false));
  try {
    await waitForHttp200(`http://127.0.0.1:${port}/healthz`, 60_000, () => alive);
  } catch (error) {
    proc.child.kill('SIGKILL');
    t.comment(proc.output());
    throw error;
  }
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  t.equal(ready.status, 200, 'ready: database and event store answer');
  proc.child.kill('SIGTERM');
  t.equal(await proc.exited, 0, 'exits cleanly on SIGTERM');
  t.match(proc.output(), 'using embedded PGlite');
};

t.test('starts with an empty environment and keeps its data across restarts', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'oms-embedded-'));
  t.teardown(() => rm(cwd, { recursive: true, force: true }));
  await startOnce(t, cwd);

  const dataDir = join(cwd, '.oms-data', 'pgdata');
  const marker = randomUUID();
  const db = await pgliteDatabase({ dataDir });
  await sqlEventStore(db).append(`marker-${marker}`, [{ id: marker, type: 'Marked', data: {} }], 'no_stream');
  await db.close();

  await startOnce(t, cwd);
  const again = await pgliteDatabase({ dataDir });
  const events = await sqlEventStore(again).readStream(`marker-${marker}`);
  t.equal(events.length, 1, 'the event written between runs is still there');
  const { rows } = await again.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
  t.ok(rows[0]!.n >= 2, 'migrations applied once');
  await again.close();
});
