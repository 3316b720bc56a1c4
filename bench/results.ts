/**
 * The machine-readable result of a benchmark: rows that bench/all.ts gathers into one table.
 *
 * A bench calls `emitResults(bench, rows)` once at its end. When BENCH_RESULTS names a file (as
 * bench/all.ts sets it), each row is appended to it as one JSON line; in any case a
 * `BENCH_RESULT {json}` line per row is printed, so a bench run alone still shows what it would
 * contribute to the table.
 */
import { appendFileSync } from 'node:fs';

/**
 * A target the figure (or the ratio) must reach: `atLeast` for rates, `atMost` for latencies and memory.
 * Floors of rates and latencies are ratios to the same run's baseline (this machine's speed varies ~2× by
 * day, and a ratio does not read a slow day as a regression); memory stays an absolute figure, since it
 * does not scale with CPU speed.
 */
export type Floor = Readonly<{ of: 'figure' | 'ratio'; atLeast?: number; atMost?: number }>;

export type BenchRow = Readonly<{
  /** The bench script that produced the row (append, pipeline, …). */
  bench: string;
  name: string;
  figure: number;
  unit: string;
  /** The same-run baseline; null only where none is meaningful (then `notes` says why). */
  baseline: number | null;
  baselineUnit: string;
  /** figure ÷ baseline (null without a baseline). */
  ratio: number | null;
  floor?: Floor;
  meetsFloor?: boolean;
  notes: string;
}>;

export type RowInput = Omit<BenchRow, 'bench' | 'ratio' | 'meetsFloor'> & Readonly<{ ratio?: number | null }>;

export const RESULT_PREFIX = 'BENCH_RESULT ';

const meets = (floor: Floor, figure: number, ratio: number | null): boolean => {
  const value = floor.of === 'figure' ? figure : ratio;
  if (value === null || !Number.isFinite(value)) return false;
  return (floor.atLeast === undefined || value >= floor.atLeast) && (floor.atMost === undefined || value <= floor.atMost);
};

/** Complete the rows (ratio, meetsFloor) and emit them. Returns them for the caller's own printout. */
export const emitResults = (bench: string, inputs: readonly RowInput[]): BenchRow[] => {
  const rows = inputs.map((r): BenchRow => {
    const ratio = r.ratio !== undefined ? r.ratio : r.baseline ? r.figure / r.baseline : null;
    return { ...r, bench, ratio, ...(r.floor ? { meetsFloor: meets(r.floor, r.figure, ratio) } : {}) };
  });
  const file = process.env.BENCH_RESULTS;
  for (const row of rows) {
    const line = JSON.stringify(row);
    if (file) appendFileSync(file, `${line}\n`);
    console.log(`${RESULT_PREFIX}${line}`);
  }
  return rows;
};

/** "ratio ≥ 0.5", "≤ 2,000 ms": how a floor reads in a table. */
export const describeFloor = (row: Pick<BenchRow, 'floor' | 'unit'>): string => {
  const f = row.floor;
  if (!f) return '';
  const subject = f.of === 'ratio' ? 'ratio ' : '';
  const unit = f.of === 'figure' ? ` ${row.unit}` : '';
  // Floors are round targets from the issue: shown as written (0.5, 2,000), not padded to two decimals.
  const target = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  const bound = f.atLeast !== undefined ? `≥ ${target(f.atLeast)}` : `≤ ${target(f.atMost ?? NaN)}`;
  return `${subject}${bound}${unit}`;
};

/** Thousands separators; two significant decimals below 10, one below 100. */
export const formatNumber = (n: number | null): string => {
  if (n === null || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
