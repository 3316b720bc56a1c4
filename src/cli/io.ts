/**
 * What a CLI command writes to and reads from. `run(argv, io)` takes it explicitly, so tests can run
 * the CLI in-process with their own streams and environment; src/cli/main.ts passes the process's.
 */
export type CliOutput = {
  write(chunk: string): unknown;
  /** A terminal: progress is a bar rewritten in place (\r); otherwise plain lines. */
  isTTY?: boolean;
  columns?: number;
};

export type CliIo = Readonly<{
  stdout: CliOutput;
  stderr: CliOutput;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborts long operations (Ctrl-C). */
  signal?: AbortSignal;
}>;

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong command line: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** An operation that could not be done (exit 1), with a message meant for the operator. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

export const line = (out: CliOutput, text = '') => void out.write(`${text}\n`);

/** 1234567 → "1,234,567" (fixed locale: output must not depend on the machine). */
export const count = (n: number) => n.toLocaleString('en-US');

/** A duration for humans: 850ms, 12s, 3m 04s, 2h 05m, 3d 4h. */
export const duration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
};

/** Left-aligned columns, two spaces apart. */
export const table = (rows: readonly (readonly string[])[], indent = '  '): string[] => {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
};

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
