/**
 * The bench's side of serviceHost.mjs: the compiled service in a process of its own, started with
 * `npm start`'s node flags; its HTTP API over a socket, a few requests over IPC for what the API does
 * not expose, and its memory read from /proc (VmRSS now, VmHWM the kernel's peak since a reset).
 */
import { fork, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from '../../scripts/buildStamp.mjs';
import type { StageFigures } from '../pipelineStages.js';

/**
 * The node flags of `npm start` (package.json), so the service runs here as in production;
 * BENCH_SERVICE_FLAGS replaces them for an experiment (e.g. without a flag, or with --cpu-prof).
 */
export const startFlags = (): string[] => {
  const override = process.env.BENCH_SERVICE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((arg) => arg.startsWith('--'));
};

/** Build dist/ when it is missing or older than the sources (as `npm start`'s prestart does). */
export const ensureBuilt = () => {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
};

const KIB = 1024;
/** A process's resident memory now and its peak since the start or the last `resetPeak`, in bytes. */
export const procMemory = (pid: number): { rss: number; peak: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * KIB;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
};
/** A process's CPU time so far (user + system), ms. */
export const procCpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};
/** Restart the peak (VmHWM) from the current RSS: "5" to clear_refs (Linux ≥ 4.0, own processes). */
export const resetPeak = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, '5');

type HostOptions = Readonly<{
  /** The service's configuration (what main.js reads from process.env). */
  env: Readonly<Record<string, string>>;
  /** dist/ (default: what `npm start` runs) or the sources through tsx (a test where dist/ is stale). */
  source?: 'dist' | 'src';
  /** BENCH_STAGES: the CPU meters (bench/pipelineStages.ts) run in the service's process. */
  stages?: Readonly<{ databaseName: string; adminUrl: string }>;
  /** The host process's own environment (tests turn coverage off in it). */
  processEnv?: NodeJS.ProcessEnv;
}>;

type Reply = { type: 'reply'; id: number; value?: unknown; error?: string };
type HostMessage = { type: 'listening'; url: string } | Reply;

export type ServiceHost = Awaited<ReturnType<typeof startServiceHost>>;

/** Start the service host and wait until the service listens (rejects if it exits first). */
export const startServiceHost = async (opts: HostOptions) => {
  const tsx = opts.source === 'src' || opts.stages ? ['--import', 'tsx'] : [];
  const child = fork(fileURLToPath(new URL('./serviceHost.mjs', import.meta.url)), [JSON.stringify({ env: opts.env, source: opts.source ?? 'dist', stages: opts.stages })], {
    execArgv: [...startFlags(), ...tsx],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // The stage figures hold Maps.
    serialization: 'advanced',
    ...(opts.processEnv ? { env: opts.processEnv } : {}),
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    for (const p of pending.values()) p.reject(new Error(`the service host exited (${code}) before answering`));
    pending.clear();
  });
  const listening = new Promise<string>((resolve, reject) => {
    child.on('message', (m: HostMessage) => {
      if (m.type === 'listening') resolve(m.url);
      if (m.type !== 'reply') return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`service host: ${m.error}`));
      else p?.resolve(m.value);
    });
    void exited.then((code) => reject(new Error(`the service host exited (${code}) before listening`)));
  });
  const url = await listening;
  const pid = child.pid!;

  let nextId = 0;
  const request = <T>(type: string, args: Record<string, unknown> = {}): Promise<T> => {
    if (exitCode !== undefined) return Promise.reject(new Error(`the service host exited (${exitCode})`));
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ type, id, ...args });
    });
  };

  return {
    url,
    pid,
    /** A call to the service's HTTP API; throws on a status ≥ 300. */
    api: async <T>(method: 'GET' | 'POST', path: string, o: { token: string; json?: unknown; csv?: string }): Promise<T> => {
      const res = await fetch(new URL(path, url), {
        method,
        headers: {
          authorization: `Bearer ${o.token}`,
          ...(o.json !== undefined ? { 'content-type': 'application/json' } : o.csv !== undefined ? { 'content-type': 'text/csv' } : {}),
        },
        ...(o.json !== undefined ? { body: JSON.stringify(o.json) } : o.csv !== undefined ? { body: o.csv } : {}),
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 400)}`);
      return (await res.json()) as T;
    },
    caughtUp: (names: readonly string[], timeoutMs = 60_000) => request<void>('caughtUp', { names, timeoutMs }),
    policyCaughtUp: (timeoutMs: number) => request<void>('policyCaughtUp', { timeoutMs }),
    feedCaughtUp: (timeoutMs: number) => request<void>('feedCaughtUp', { timeoutMs }),
    /** Start the pull scheduler, and the host's sampling of what its heap holds at the peak. */
    startScheduler: () => request<void>('startScheduler'),
    memoryAtPeak: () => request<NodeJS.MemoryUsage>('memoryAtPeak'),
    stagesBegin: () => request<void>('stagesBegin'),
    stagesEnd: () => request<StageFigures>('stagesEnd'),
    memory: () => procMemory(pid),
    cpuMs: () => procCpuMs(pid),
    resetPeak: () => resetPeak(pid),
    /** Stop the service gracefully (SIGKILL after 30 s); resolves with the host's exit code. */
    stop: async (): Promise<number | null> => {
      if (exitCode === undefined && child.connected) child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
};
