import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { progress } from '../../src/cli/progress.js';
import { defaultSchemaName } from '../../src/cli/commands/replay.js';
import { run, type CliOutput } from '../../src/cli/run.js';
import { repoRoot, childEnv } from '../support/process.js';

type Ran = { code: number | null; stdout: string; stderr: string };

const oms = (args: string[], env: Record<string, string> = {}): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${repoRoot}bin/oms.mjs`, ...args], { cwd: repoRoot, env: childEnv({ PATH: process.env.PATH ?? '', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

const inProcess = async (args: string[], env: Record<string, string> = {}) => {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env });
  return { code, stdout, stderr };
};

t.test('--help (a child process through bin/oms.mjs)', async (t) => {
  const help = await oms(['--help']);
  t.equal(help.code, 0);
  t.equal(help.stderr, '');
  for (const usage of ['oms events <streamId> [--json]', 'oms replay --until <ISO time> [--schema <name>]', 'oms rebuild <projection>', 'oms status', 'OMS_DB_SCHEMA', 'Exit codes: 0 ok, 1 failure, 2 usage error.']) {
    t.ok(help.stdout.includes(usage), usage);
  }
  t.match(help.stdout, /Projections: stores, products, mappings, authorizations, orders, pull_schedule/);

  const replay = await oms(['replay', '--help']);
  t.equal(replay.code, 0);
  t.match(replay.stdout, /^Usage: oms replay --until <ISO time>/);
  t.match(replay.stdout, /Limits:/);

  const unknown = await oms(['frobnicate']);
  t.equal(unknown.code, 2);
  t.equal(unknown.stdout, '');
  t.match(unknown.stderr, "oms: no such command: frobnicate\nRun 'oms --help' for usage.");
});

t.test('usage errors exit 2 with a clear message, before any connection', async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /a command is needed/],
    [['--json'], /unknown option --json \(options follow the command\)/],
    [['help', 'nope'], /no such command: nope/],
    [['events'], /events needs a stream id/],
    [['events', 'a', 'b'], /events takes one a stream id/],
    [['events', 'order-1', '--yaml'], /Unknown option '--yaml'/],
    [['replay'], /replay needs --until <ISO time>/],
    [['replay', '--until', 'yesterday'], /--until: expected an ISO 8601 time with a zone/],
    [['replay', '--until', '2026-11-23T14:30:00'], /--until: expected an ISO 8601 time with a zone/],
    [['replay', '--until'], /argument missing/],
    [['replay', '--until', '2026-11-23T14:30:00Z', '--schema', 'x"; DROP SCHEMA public; --'], /--schema: expected a plain schema name/],
    [['replay', '--until', '2026-11-23T14:30:00Z', '--schema', 'pg_temp'], /--schema: expected a plain schema name/],
    [['replay', '--until', '2026-11-23T14:30:00Z', 'extra'], /replay takes no arguments/],
    [['rebuild'], /rebuild needs a projection name/],
    [['rebuild', 'nope'], /no such projection: nope \(one of stores, products, mappings, authorizations, orders, pull_schedule, rejected_orders, retention, marketplace_sync\)/],
    [['status', '--limit', 'ten'], /--limit: expected a whole number/],
  ];
  for (const [args, message] of cases) {
    // An unreachable database: a usage error must come first.
    const r = await inProcess(args, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.match(r.stderr, /Run 'oms (\w+ )?--help' for usage\.\n$/);
  }

  const config = await inProcess(['status'], { DATABASE_URL: 'mysql://x' });
  t.equal(config.code, 2, 'a bad configuration is a usage error, as for the service');
  t.match(config.stderr, /DATABASE_URL: expected a postgres:\/\/ URL/);
  const schemaOnEmbedded = await inProcess(['status'], { OMS_DB_SCHEMA: 't_1' });
  t.equal(schemaOnEmbedded.code, 2);
  t.match(schemaOnEmbedded.stderr, /OMS_DB_SCHEMA applies to DATABASE_URL only/);
  const badSchema = await inProcess(['status'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', OMS_DB_SCHEMA: 'a-b' });
  t.equal(badSchema.code, 2);
});

t.test('failures exit 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oms-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = await inProcess(['status'], { OMS_DATA_DIR: join(dir, 'nothing-here') });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no embedded database in .*nothing-here.*: start the service once/);
  const unreachable = await inProcess(['events', 'order-1'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  t.equal(unreachable.code, 1);
  t.match(unreachable.stderr, /^oms: failed: /);
});

t.test('default replay schema name', async (t) => {
  t.equal(defaultSchemaName(new Date('2026-11-23T14:30:05.123Z')), 'replay_20261123_143005');
  t.equal(defaultSchemaName(new Date('2026-11-23T15:30:05+01:00')), 'replay_20261123_143005', 'named in UTC');
});

const clockAt = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

const capture = (isTTY: boolean): CliOutput & { text: () => string } => {
  let text = '';
  return { isTTY, columns: 100, write: (s: string) => (text += s), text: () => text };
};

t.test('progress on a terminal: one bar rewritten with \\r, rate and ETA', async (t) => {
  const clock = clockAt();
  const out = capture(true);
  const bar = progress(out, { label: 'replay', total: 1000, now: clock.now });
  for (let done = 0; done <= 1000; done += 50) {
    bar.update(done);
    clock.advance(100);
  }
  bar.finish(1000, '800 replayed');
  const text = out.text();
  t.notOk(text.slice(0, -1).includes('\n'), 'no new line until the end');
  const frames = text.split('\r').slice(1);
  t.ok(frames.length >= 10, `${frames.length} redraws`);
  t.match(frames[10]!, /^replay \[#{12}-{12}\] {2}50% 500\/1,000 events · 500\/s · ETA 1s/);
  t.match(frames.at(-1)!, /^replay \[#{24}\] 100% 1,000\/1,000 events · 476\/s · 2s — 800 replayed\n$/);

  // Redraws are throttled; an unknown total shows the count and the rate.
  const fast = capture(true);
  const counting = progress(fast, { label: 'replay', total: null, now: clock.now });
  for (let i = 0; i < 100; i++) counting.update(i);
  t.equal(fast.text().split('\r').length - 1, 1, 'one redraw within 100 ms');
  clock.advance(2000);
  counting.update(4000);
  t.match(fast.text(), /\rreplay 4,000 events · 2,000\/s · 2s/);
});

t.test('progress elsewhere: plain lines every 10 % or every 5 s', async (t) => {
  const clock = clockAt();
  const out = capture(false);
  const bar = progress(out, { label: 'rebuild orders', total: 200, now: clock.now });
  for (let done = 0; done <= 200; done++) {
    bar.update(done);
    clock.advance(10);
  }
  bar.finish(200);
  const lines = out.text().trimEnd().split('\n');
  t.notOk(out.text().includes('\r'));
  t.equal(lines.length, 12, '0 %, 10 % … 100 %, and done');
  t.equal(lines[4], 'rebuild orders: 40% 80/200 events, 100/s, ETA 2s');
  t.equal(lines.at(-1), 'rebuild orders: 100% 200/200 events, 100/s — done in 2s');

  const slow = capture(false);
  const slowBar = progress(slow, { label: 'replay', total: null, now: clock.now });
  for (let i = 0; i < 30; i++) {
    slowBar.update(i * 10);
    clock.advance(1000);
  }
  t.equal(slow.text().trimEnd().split('\n').length, 6, 'unknown total: a line every 5 s');
});
