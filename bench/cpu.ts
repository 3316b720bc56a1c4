/**
 * CPU time spent by each side of a measured stretch: this Node process (process.cpuUsage) and the
 * PostgreSQL backends of the bench database, parallel workers included (their /proc/<pid>/stat,
 * sampled while the stretch runs: a worker that lives less than one sampling period is missed).
 * Only where the server runs on this machine (Linux /proc); elsewhere the PostgreSQL side is null.
 * It turns "the rebuild took 25 s" into "N µs of node CPU and M µs of PostgreSQL CPU per event".
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

const TICKS_PER_S = 100;

/** utime + stime of a process in seconds, or null once it has gone (or /proc is not there). */
const processCpuSeconds = (pid: number): number | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) — utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return null;
  }
};

export type CpuSplit = Readonly<{ wallSeconds: number; nodeSeconds: number; postgresSeconds: number | null }>;

/** Start measuring; `stop()` resolves to the CPU seconds each side used since. */
export const cpuMeter = (pool: pg.Pool, everyMs = 100) => {
  const startNode = process.cpuUsage();
  const started = process.hrtime.bigint();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let local = true;
  let initial = true;
  const sample = async () => {
    const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    for (const { pid } of rows) {
      const cpu = processCpuSeconds(pid);
      if (cpu === null) {
        local = first.size > 0;
        continue;
      }
      // A backend that appears later (a new connection, a parallel worker) started within the stretch.
      if (!first.has(pid)) first.set(pid, initial ? cpu : 0);
      last.set(pid, cpu);
    }
    initial = false;
  };
  let sampling = sample();
  const timer = setInterval(() => {
    sampling = sampling.then(sample, () => undefined);
  }, everyMs);
  return {
    stop: async (): Promise<CpuSplit> => {
      clearInterval(timer);
      await sampling.then(sample, () => undefined);
      const node = process.cpuUsage(startNode);
      let postgres = 0;
      for (const [pid, end] of last) postgres += end - first.get(pid)!;
      return {
        wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
        nodeSeconds: (node.user + node.system) / 1e6,
        postgresSeconds: local && last.size ? postgres : null,
      };
    },
  };
};

/** "node 41 µs + PostgreSQL 62 µs of CPU per event": a split over `n` units. */
export const describeCpu = (split: CpuSplit, n: number, unit: string): string => {
  const us = (s: number) => `${Math.round((s * 1e6) / n).toLocaleString('en-US')} µs`;
  const pg = split.postgresSeconds === null ? 'PostgreSQL not measured (not on this machine)' : `PostgreSQL ${us(split.postgresSeconds)}`;
  return `CPU per ${unit}: node ${us(split.nodeSeconds)}, ${pg} (wall ${us(split.wallSeconds)})`;
};
