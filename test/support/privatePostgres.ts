// A PostgreSQL cluster of a test's own, for faults that must not touch the shared server (stopping
// and starting it under load). initdb into a temporary directory, trust authentication, a free TCP
// port on 127.0.0.1 and the unix socket inside the directory. initdb and postgres refuse to run as
// root, so as root they run as the `postgres` OS user, which then owns the directory.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './process.js';

type Teardown = { teardown: (fn: () => unknown) => void };

const RUN_AS = 'postgres';

/** The directory with initdb, pg_ctl and postgres: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
const findBinDir = (): string | null => {
  const hasAll = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(path.join(dir, b)));
  const fromEnv = process.env.PG_BINDIR;
  if (fromEnv) return hasAll(fromEnv) ? fromEnv : null;
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const configured = pgConfig.status === 0 ? pgConfig.stdout.trim() : '';
  if (configured && hasAll(configured)) return configured;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && statSync(path.join(root, v)).isDirectory())
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (hasAll(path.join(root, v, 'bin'))) return path.join(root, v, 'bin');
  return null;
};

const isRoot = () => process.getuid?.() === 0;

/** uid and gid of the OS user that runs the cluster when the tests run as root; null if it does not exist. */
const runAsIds = (): { uid: number; gid: number } | null => {
  const uid = spawnSync('id', ['-u', RUN_AS], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', RUN_AS], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
};

/** Why a private cluster cannot be started here, or null when it can. */
export const privatePostgresUnavailableReason = (): string | null => {
  if (process.platform === 'win32') return 'private PostgreSQL clusters need a POSIX system';
  if (!findBinDir()) return 'no PostgreSQL server binaries (initdb, pg_ctl, postgres): set PG_BINDIR or install postgresql';
  if (isRoot()) {
    if (!runAsIds()) return `running as root, and there is no '${RUN_AS}' OS user to run initdb/postgres as`;
    if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0) return 'running as root without runuser (needed to run postgres as another user)';
  }
  return null;
};

export type PrivatePostgres = Readonly<{
  port: number;
  /** The temporary directory: data/, the socket and server.log. */
  dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> (the port stays the same across restarts). */
  url: (database?: string) => string;
  /** Start the server (again); resolves once it accepts connections. */
  start: () => Promise<void>;
  /** Fast shutdown: sessions are disconnected, open transactions rolled back, a clean checkpoint. */
  stop: () => Promise<void>;
  restart: () => Promise<void>;
  /** The server log so far (for failure messages). */
  log: () => Promise<string>;
}>;

const run = (file: string, args: string[], opts: { cwd: string }): Promise<string> => {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', RUN_AS, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv as string[], { cwd: opts.cwd, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
};

/**
 * initdb and start a cluster; stopped (immediately) and deleted at teardown. Call
 * privatePostgresUnavailableReason() first and skip the test with its answer.
 */
export const privatePostgres = async (t: Teardown): Promise<PrivatePostgres> => {
  const bin = findBinDir();
  if (!bin) throw new Error(privatePostgresUnavailableReason() ?? 'no PostgreSQL binaries');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oms-pg-private-'));
  const ids = isRoot() ? runAsIds() : null;
  if (ids) await chown(dir, ids.uid, ids.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const port = await freePort();
  let running = false;

  const pgCtl = (...args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', data, ...args], { cwd: dir });
  // fsync off: the cluster lives for one test and is only ever stopped cleanly or thrown away.
  const serverOptions = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=127.0.0.1`, `-c fsync=off`, `-c max_connections=100`].join(' ');

  const start = async () => {
    if (running) return;
    await pgCtl('-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start');
    running = true;
  };
  const stopWith = async (mode: 'fast' | 'immediate') => {
    if (!running) return;
    await pgCtl('-m', mode, '-w', '-t', '60', 'stop');
    running = false;
  };

  t.teardown(async () => {
    await stopWith('immediate').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], { cwd: dir });
  await start();

  return {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop: () => stopWith('fast'),
    restart: async () => {
      await stopWith('fast');
      await start();
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
  };
};
