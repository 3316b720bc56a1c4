/**
 * Where the pipeline's CPU goes, per order (bench:pipeline with BENCH_STAGES=1). Three meters over
 * the run (scheduler start → last release on the broker):
 *  - node: this process's CPU time (process.cpuUsage), split by stage from a sampling CPU profile
 *    (node:inspector) — each sample goes to the innermost frame of a known stage file; samples in
 *    the pg driver or Kafka client with no OMS frame on the stack (socket callbacks: row parsing,
 *    writes) are their own lines, since their caller is lost across the await;
 *  - PostgreSQL: the CPU time of the bench database's backends (/proc/<pid>/stat, pids from
 *    pg_stat_activity, sampled while the run lasts) — pg_stat_statements needs
 *    shared_preload_libraries, which a shared server may not load;
 *  - per statement: calls, rows and time in flight, timed at the pg driver (pg.Client.query) — wall
 *    time, so it also holds the WAL flush at COMMIT and the event loop's lag in seeing the reply:
 *    it says which statements a stage waits on, not how PostgreSQL's CPU divides between them.
 * The profile costs some CPU itself (sampling every 1 ms): compare breakdowns with each other, and
 * throughput only from runs without BENCH_STAGES.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';

type ProfileNode = { id: number; callFrame: { url: string; functionName: string }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Stage of a source file (the innermost matching frame of a sample decides). */
const STAGES: readonly (readonly [RegExp, string])[] = [
  [/src\/adapters\/marketplaces\/|src\/domain\/order\/platformOrder/, 'pull: marketplace HTTP + parse'],
  [/src\/application\/pulls\.ts|src\/application\/pullGate|src\/domain\/pull\//, 'pull: diff, build events'],
  [/src\/adapters\/vault\//, 'vault (seal at pull, open at feed)'],
  [/src\/adapters\/eventStore\/sqlAppend/, 'event store: append'],
  [/src\/adapters\/eventStore\//, 'event store: reads, decode'],
  [/src\/application\/releasePolicy\.ts|src\/domain\/order\/(fulfillment|claim)|src\/domain\/mapping\//, 'release policy: fold + decide'],
  [/src\/adapters\/kafka\/|src\/application\/warehouseFeed|src\/domain\/warehouse\//, 'feed: messages + produce'],
  [/src\/projections\/|src\/adapters\/projections\/(?!reactor)/, 'projections (read models)'],
  [/src\/application\/marketplaceSync|src\/projections\/marketplaceSync/, 'marketplace sync'],
];
/** Shared code: counted under the stage that called it when one is on the stack. */
const SHARED: readonly (readonly [RegExp, string])[] = [
  [/src\/adapters\/processing\/|src\/adapters\/projections\/reactor/, 'processing runtime (read-ahead, batches, checkpoints)'],
  [/src\/domain\/shared\/|src\/domain\/order\//, 'domain decoding (zod), unattributed'],
  [/src\/adapters\/sql\//, 'sql adapter, unattributed'],
];
const LIBRARIES: readonly (readonly [RegExp, string])[] = [
  [/node_modules\/pg(-protocol|-types)?\/|node_modules\/postgres-/, 'pg driver: socket I/O + row parsing'],
  [/node_modules\/@platformatic\/kafka/, 'Kafka client'],
  [/node_modules\/(fastify|light-my-request|pino)/, 'HTTP API / logging (bench polling)'],
];

const stageOfStack = (frames: readonly string[]): string => {
  // The service runs compiled (dist/…/x.js): its files count as their sources.
  const urls = frames.map((url) => url.replace(/\/dist\/(.*)\.js$/, '/src/$1.ts'));
  for (const url of urls) for (const [re, stage] of STAGES) if (re.test(url)) return stage;
  for (const url of urls) for (const [re, stage] of SHARED) if (re.test(url)) return stage;
  for (const url of urls) for (const [re, stage] of LIBRARIES) if (re.test(url)) return stage;
  return 'other (node internals, timers, JSON of unattributed callers)';
};

/** CPU ms per stage from a profile: GC and idle on their own lines. */
const splitProfile = (profile: Profile): Map<string, number> => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const stage = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(garbage collector)') return 'garbage collection';
    if (name === '(idle)') return '(idle)';
    const urls: string[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) urls.push(byId.get(x)!.callFrame.url);
    const s = stageOfStack(urls);
    stageOf.set(id, s);
    return s;
  };
  const ms = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const s = stage(id);
    ms.set(s, (ms.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return ms;
};

/** utime + stime of a process, ms (null once it has exited). */
const processCpuMs = (pid: number): number | null => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
};

type Statement = { calls: number; rows: number; ms: number };

/**
 * SQL text without whitespace runs, cut to a readable key. A long select list is elided (`SELECT …
 * FROM`), so statements that share one — the event store's readStream, readStreams, its typed
 * variant and readAll — keep apart by what follows.
 */
const statementKey = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(SELECT )(.{60,}?)( FROM )/, '$1…$3')
    .slice(0, 110);

/**
 * Start before the service opens its pool (the driver patch must see its queries); `begin` at the
 * run's start, `end` at its end, then `report(orders)`.
 */
export const stageMeters = (databaseName: string, adminUrl: string) => {
  const statements = new Map<string, Statement>();
  const admin = new pg.Client({ connectionString: adminUrl });
  let timing = false;
  // Timing only: the query runs unchanged. Pool.query (the service's plain queries) and
  // Client.query (inside transactions) both return a promise when called without a callback;
  // the pool's own callback-style call to its client is not timed twice.
  const timed = (query: (...args: unknown[]) => unknown) =>
    function timedQuery(this: unknown, ...args: unknown[]) {
      const result = query.apply(this, args);
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | null)?.text;
      if (!timing || this === admin || !text || !(result instanceof Promise)) return result;
      const started = performance.now();
      const key = statementKey(text);
      return result.then((r: { rowCount?: number | null; rows?: unknown[] }) => {
        const s = statements.get(key) ?? { calls: 0, rows: 0, ms: 0 };
        s.calls++;
        s.rows += r?.rows?.length ?? r?.rowCount ?? 0;
        s.ms += performance.now() - started;
        statements.set(key, s);
        return r;
      });
    };
  const clientQuery = pg.Client.prototype.query;
  const poolQuery = pg.Pool.prototype.query;
  pg.Client.prototype.query = timed(clientQuery as (...args: unknown[]) => unknown) as typeof clientQuery;
  pg.Pool.prototype.query = timed(poolQuery as (...args: unknown[]) => unknown) as typeof poolQuery;

  const backendStart = new Map<number, number>();
  const backendLast = new Map<number, number>();
  const sampleBackends = async () => {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName]);
    for (const { pid } of rows) {
      const cpu = processCpuMs(pid);
      if (cpu === null) continue;
      if (!backendStart.has(pid)) backendStart.set(pid, timing ? 0 : cpu);
      backendLast.set(pid, cpu);
    }
  };
  const session = new Session();
  let cpuAtStart = process.cpuUsage();
  let sampler: NodeJS.Timeout | null = null;
  let sampling: Promise<void> = Promise.resolve();

  return {
    begin: async () => {
      await admin.connect();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await sampleBackends();
      timing = true;
      sampler = setInterval(() => void (sampling = sampling.then(sampleBackends, () => undefined)), 200);
      await session.post('Profiler.start');
      cpuAtStart = process.cpuUsage();
    },
    end: async () => {
      const cpu = process.cpuUsage(cpuAtStart);
      const { profile } = await session.post('Profiler.stop');
      timing = false;
      clearInterval(sampler!);
      await sampling;
      await sampleBackends();
      session.disconnect();
      await admin.end();
      pg.Client.prototype.query = clientQuery;
      pg.Pool.prototype.query = poolQuery;
      const pgMs = [...backendLast].reduce((sum, [pid, last]) => sum + last - (backendStart.get(pid) ?? 0), 0);
      return { nodeMs: (cpu.user + cpu.system) / 1000, pgMs, pgBackends: backendLast.size, stages: splitProfile(profile as Profile), statements };
    },
  };
};

export type StageFigures = Awaited<ReturnType<ReturnType<typeof stageMeters>['end']>>;

/** The breakdown as lines: µs of CPU per order, node by stage, PostgreSQL in total and by statement. */
export const stageReport = (f: StageFigures, orders: number): string[] => {
  const us = (ms: number) => Math.round((ms * 1000) / orders).toLocaleString('en-US').padStart(7);
  const busy = [...f.stages].filter(([s]) => s !== '(idle)');
  const sampled = busy.reduce((sum, [, ms]) => sum + ms, 0);
  const lines = [`CPU per order over ${orders.toLocaleString('en-US')} orders (µs; node ${us(f.nodeMs).trim()}, PostgreSQL ${us(f.pgMs).trim()} over ${f.pgBackends} backends):`];
  lines.push(`  node, by stage (the profile's ${Math.round(sampled)} ms of busy samples, scaled to process CPU ${Math.round(f.nodeMs)} ms):`);
  for (const [stage, ms] of busy.sort((a, b) => b[1] - a[1])) lines.push(`    ${us((ms * f.nodeMs) / Math.max(sampled, 1))}  ${stage}`);
  lines.push(`  statements, by time in flight per order (wall µs at the driver, not CPU; top 14 of ${f.statements.size}):`);
  for (const [key, s] of [...f.statements].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
    lines.push(`    ${us(s.ms)}  ${String(s.calls).padStart(6)} calls ${String(s.rows).padStart(7)} rows  ${key}`);
  }
  return lines;
};
