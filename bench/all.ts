/**
 * `npm run bench` — every benchmark in turn, each in its own process (so one's memory, pools and
 * broker connections cannot colour the next), then one table of their results: figure, the
 * baseline measured in the same run, the ratio, the floor from the load issue and whether it is met;
 * with the machine (CPU, cores, RAM, Node, PostgreSQL) and the date. The table is also written as
 * Markdown to bench/results/latest.md (git-ignored), ready to paste into the README.
 *
 * BENCH_ONLY=pipeline,api runs a subset. Sizes: the issue's by default (below); a bench reads its
 * usual variables (BENCH_ORDERS, BENCH_EVENTS, …), and BENCH_<NAME>_<VAR> sets one for that bench
 * only, e.g. BENCH_PIPELINE_ORDERS=5000 BENCH_API_ORDERS=200000 BENCH_REBUILD_EVENTS=100000.
 * Each bench's own printout is shown as it runs; a bench that fails is reported as such and the
 * others still run (the exit code is then 1).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describeFloor, formatNumber, type BenchRow } from './results.js';
import { benchServerUrl } from './support.js';
import { startFlags } from './pipeline/serviceClient.js';

/** Order of the run, and the sizes of the load issue (applied unless the environment says otherwise). */
const BENCHES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  append: {},
  import: { BENCH_ROWS: '20000' },
  pull: { BENCH_ORDERS: '20000' },
  confirm: { BENCH_ORDERS: '50' },
  handoff: { BENCH_MESSAGES: '10000' },
  pipeline: { BENCH_ORDERS: '100000' },
  rebuild: { BENCH_EVENTS: '1000000' },
  api: { BENCH_ORDERS: '1000000' },
};

const here = fileURLToPath(new URL('.', import.meta.url));
/** Every bench runs with `npm start`'s node flags (young generation, heap growth), so it measures the service's runtime. */
const SERVICE_NODE_FLAGS = startFlags();
const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only.filter((name) => !(name in BENCHES));
if (unknown.length) {
  console.error(`BENCH_ONLY: unknown bench ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(2);
}
const selected = Object.keys(BENCHES).filter((name) => only.length === 0 || only.includes(name));

/** The child's environment: issue sizes, then ours, then BENCH_<NAME>_<VAR> → BENCH_<VAR>. */
const envFor = (name: string, resultsFile: string): NodeJS.ProcessEnv => {
  const prefix = `BENCH_${name.toUpperCase()}_`;
  const specific = Object.fromEntries(
    Object.entries(process.env).flatMap(([key, value]) => (key.startsWith(prefix) && value !== undefined ? [[`BENCH_${key.slice(prefix.length)}`, value]] : [])),
  );
  return { ...BENCHES[name], ...process.env, ...specific, BENCH_RESULTS: resultsFile };
};

/** The size variables a bench ran with, for the record (not the per-bench forms, already resolved). */
const benchPrefixes = Object.keys(BENCHES).map((name) => `BENCH_${name.toUpperCase()}_`);
const sizesOf = (env: NodeJS.ProcessEnv) =>
  Object.entries(env)
    .filter(([key]) => key.startsWith('BENCH_') && !['BENCH_RESULTS', 'BENCH_ONLY', 'BENCH_DATABASE_URL'].includes(key) && !benchPrefixes.some((p) => key.startsWith(p)))
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join(' ');

const runBench = (name: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; seconds: number }> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    // The service's own V8 setting (package.json "start", Dockerfile): benches measure OMS as it runs.
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, seconds: (Date.now() - started) / 1000 }));
  });

const postgresVersion = async () => {
  const client = new pg.Client({ connectionString: benchServerUrl() });
  try {
    await client.connect();
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
};

const verdict = (row: BenchRow) => (row.meetsFloor === undefined ? '' : row.meetsFloor ? 'ok' : row.floor?.atMost !== undefined ? 'above' : 'below');
const figureCell = (n: number | null, unit: string) => (n === null ? '—' : `${formatNumber(n)} ${unit}`);

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, `rows-${process.pid}.jsonl`);
writeFileSync(resultsFile, '');

const startedAt = new Date();
const rows: BenchRow[] = [];
const runs: { name: string; sizes: string; seconds: number; failed: boolean }[] = [];
for (const name of selected) {
  const env = envFor(name, resultsFile);
  const sizes = sizesOf(env);
  console.log(`\n=== bench:${name}${sizes ? ` (${sizes})` : ''} ===`);
  const { code, seconds } = await runBench(name, env);
  const produced = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as BenchRow).filter((r) => r.bench === name);
  const failed = code !== 0 || produced.length === 0;
  runs.push({ name, sizes, seconds, failed });
  rows.push(...produced);
  if (failed) {
    rows.push({ bench: name, name: `${name}: FAILED`, figure: NaN, unit: '', baseline: null, baselineUnit: '', ratio: null, notes: `exit code ${code}, ${produced.length} rows; see its output above` });
  }
}
rmSync(resultsFile, { force: true });

const machine = {
  cpu: `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}`,
  ram: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  node: process.version,
  postgres: await postgresVersion(),
  os: `${os.type()} ${os.release()}`,
};
const date = startedAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

// The console table.
const header = ['measure', 'figure', 'baseline (same run)', 'ratio', 'floor', 'result'];
const cells = rows.map((r) => [r.name, figureCell(r.figure, r.unit), figureCell(r.baseline, r.baselineUnit), formatNumber(r.ratio), describeFloor(r), verdict(r)]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: readonly string[]) => c.map((cell, i) => (i === 1 || i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
console.log(`\n\nBenchmarks — ${date}\nmachine: ${machine.cpu}, ${machine.ram} RAM, Node ${machine.node}, PostgreSQL ${machine.postgres}, ${machine.os}\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(line(c));
console.log('');
for (const r of rows) if (r.notes) console.log(`  ${r.name}: ${r.notes}`);
for (const run of runs) console.log(`  bench:${run.name} ${run.failed ? 'FAILED' : 'ran'} in ${run.seconds.toFixed(0)} s${run.sizes ? ` with ${run.sizes}` : ''}`);

// The same as Markdown.
const md = (s: string) => s.replace(/\|/g, '\\|');
const markdown = [
  `## Benchmarks — ${date}`,
  '',
  `Machine: ${machine.cpu}, ${machine.ram} RAM, Node ${machine.node}, PostgreSQL ${machine.postgres} (${machine.os}).`,
  '',
  '| measure | figure | baseline (same run) | ratio | floor | result | notes |',
  '|---|---:|---:|---:|---|---|---|',
  ...rows.map((r, i) => `| ${cells[i]!.map(md).join(' | ')} | ${md(r.notes)} |`),
  '',
  ...runs.map((run) => `- \`bench:${run.name}\` ${run.failed ? '**failed**' : 'ran'} in ${run.seconds.toFixed(0)} s${run.sizes ? ` (${run.sizes})` : ''}`),
  '',
].join('\n');
writeFileSync(join(resultsDir, 'latest.md'), markdown);
console.log(`\nwritten to ${join(resultsDir, 'latest.md')}`);
if (runs.some((r) => r.failed)) process.exitCode = 1;
