import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A TCP port that was free a moment ago (for child processes that need a fixed PORT). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export type Spawned = Readonly<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }>;

/** Run a TypeScript entry point of the repo as a child process, capturing its output. */
/**
 * The environment for a child process that runs our TypeScript through tsx (spawnTs, bin/oms.mjs).
 * tap records coverage in child processes too, but tsx transpiles differently from tap's own
 * TypeScript loader (whitespace-minified), and c8 cannot merge two transpilations of one file:
 * depending on the order in which it reads the coverage files it dropped all of src/ from the
 * report, and the coverage floors failed at random. So children record none; the code they run is
 * covered in the test processes themselves (the floors in .taprc are measured that way).
 */
export const childEnv = (env: Record<string, string>): Record<string, string> => ({ ...env, _TAPJS_PROCESSINFO_COVERAGE_: '0' });

export const spawnTs = (entry: string, opts: { cwd?: string; env: Record<string, string>; args?: string[] }): Spawned => {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), `${repoRoot}${entry}`, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? repoRoot,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
};

/** Poll `url` until it answers 200 or the deadline passes. */
export const waitForHttp200 = async (url: string, deadlineMs: number, alive?: () => boolean): Promise<number> => {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (alive && !alive()) throw new Error(`process exited before ${url} answered`);
    if (Date.now() - started > deadlineMs) throw new Error(`${url} did not answer 200 within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
