import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { esdbConnectionStringProblem } from '../src/adapters/eventStore/esdbConnection.js';
import { KURRENTDB_IMAGE } from './support/kurrentdb.js';
import { repoRoot } from './support/process.js';

/**
 * The Dockerfile and docker-compose.yml, read as files (no Docker engine on these machines), checked
 * for what issue #19 asks of them; `docker compose config` also runs wherever the client has the
 * compose plugin.
 */
type Service = { image?: string; build?: unknown; environment?: Record<string, string | number>; volumes?: string[]; healthcheck?: unknown };
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const compose = parse(read('docker-compose.yml')) as Compose;

/** Dockerfile stages: FROM line, name, and the instructions up to the next FROM (continuations joined). */
const stages = read('Dockerfile')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'))
  .reduce<{ from: string; name: string | null; lines: string[] }[]>((acc, line) => {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) acc.push({ from: from[1]!, name: from[2] ?? null, lines: [] });
    else acc.at(-1)?.lines.push(line.trim());
    return acc;
  }, []);
const final = stages.at(-1)!;
const finalText = final.lines.join('\n');

t.test('Dockerfile: multi-stage on Node 24', async (t) => {
  t.ok(stages.length >= 2, 'more than one stage');
  for (const s of stages) t.match(s.from, /^node:24[.-]/, `${s.name ?? 'final'} stage on Node 24`);
  t.equal(final.name, null, 'the last stage is the image');
});

t.test('Dockerfile: compiled build, no dev dependencies, no npm cache, no tsx in the image', async (t) => {
  const build = stages.find((s) => s.lines.some((l) => /npm run build/.test(l)));
  t.ok(build, 'a stage compiles TypeScript');
  t.match(finalText, new RegExp(`COPY --from=${build!.name} /app/dist ./dist`), 'the image takes dist/ from it');
  const modulesFrom = /COPY --from=(\S+) \/app\/node_modules/.exec(finalText)?.[1];
  t.ok(modulesFrom, 'node_modules come from another stage');
  const deps = stages.find((s) => s.name === modulesFrom)!;
  t.not(modulesFrom, build!.name, 'not from the stage with dev dependencies');
  t.match(deps.lines.join('\n'), /npm ci --omit=dev[^\n]*&& npm cache clean --force/, 'production dependencies only, cache removed');
  t.notMatch(finalText, /RUN npm (ci|install)/, 'no install in the final stage');
  t.notMatch(finalText, /COPY (src|test|bench)\b/, 'no sources or tests');
  const cmd = /^CMD (.*)$/m.exec(finalText)?.[1] ?? '';
  t.match(cmd, /"dist\/main\.js"/);
  t.notMatch(cmd, /tsx/);
});

t.test('Dockerfile: the image runs node with the same flags as npm start (what the benches measure)', async (t) => {
  const cmd = JSON.parse(/^CMD (.*)$/m.exec(finalText)?.[1] ?? '[]') as string[];
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  t.same(cmd, start, `CMD ${cmd.join(' ')}`);
  t.ok(start.includes('--heap-growing-percent=100'), 'V8 grows the heap by at most 2× (docs/platform.md, "Memory")');
});

t.test('Dockerfile: the CLI, and a non-root user owning its data directory', async (t) => {
  t.match(finalText, /COPY bin \.\/bin/, 'bin/ (the CLI) is in the image');
  t.match(finalText, /ln -s \/app\/bin\/oms\.mjs \/usr\/local\/bin\/oms/, 'and on the PATH as `oms`');
  const user = /^USER (\S+)$/m.exec(finalText)?.[1];
  t.ok(user && user !== 'root' && user !== '0', `runs as ${user}`);
  const dataDir = /OMS_DATA_DIR=(\S+)/.exec(finalText)?.[1];
  t.ok(dataDir, 'OMS_DATA_DIR is set');
  t.match(finalText, new RegExp(`chown ${user}:${user} ${dataDir}`), 'the user owns the data directory');
  const userAt = final.lines.findIndex((l) => l.startsWith('USER '));
  const chownAt = final.lines.findIndex((l) => l.includes('chown'));
  t.ok(chownAt < userAt, 'prepared as root, before switching user');
});

t.test('docker-compose.yml: KurrentDB pinned to a patch release, the same everywhere', async (t) => {
  const image = compose.services.kurrentdb!.image!;
  t.match(image, /:\d+\.\d+\.\d+$/, 'a patch version, not a moving tag');
  t.equal(image, KURRENTDB_IMAGE, 'the image the adapter test starts');
  const ci = parse(read('.github/workflows/ci.yml')) as { jobs: { test: { services: { kurrentdb: { image: string } }; strategy: { matrix: { node: string[] } } } } };
  t.equal(ci.jobs.test.services.kurrentdb.image, image, 'and the GitHub Actions service');
  t.same(ci.jobs.test.strategy.matrix.node, ['22', '24'], 'CI runs on Node 22 and 24');
  const esdb = String(compose.services.oms!.environment!.ESDB_CONNECTION_STRING);
  t.equal(esdbConnectionStringProblem(esdb), null, 'the service accepts the connection string');
});

t.test('docker-compose.yml: volumes where the images write', async (t) => {
  const mounts = (name: string) => (compose.services[name]!.volumes ?? []).map((v) => v.split(':') as [string, string]);
  const mountedAt = (name: string, path: string) => mounts(name).some(([, target]) => target === path);
  const kafka = compose.services.kafka!.environment!;
  t.ok(kafka.KAFKA_LOG_DIRS, 'Kafka log dirs are set (the image default is under /tmp)');
  for (const dir of String(kafka.KAFKA_LOG_DIRS).split(',')) t.ok(mountedAt('kafka', dir), `Kafka's ${dir} is a volume`);
  t.ok(mountedAt('kurrentdb', '/var/lib/kurrentdb'), 'KurrentDB data');
  t.ok(mountedAt('postgres', '/var/lib/postgresql/data'), 'PostgreSQL data');
  for (const name of Object.keys(compose.services)) {
    for (const [source] of mounts(name)) t.ok(source in (compose.volumes ?? {}), `${name}: volume ${source} is declared`);
  }
  t.same(Object.keys(compose.services).sort(), ['kafka', 'kurrentdb', 'oms', 'postgres']);
  for (const [name, service] of Object.entries(compose.services)) t.ok(service.healthcheck, `${name} has a health check`);
});

/** docker-compose.yml is also checked by `docker compose config` wherever the client has the compose plugin. */
const composeAvailable = (): string | null => {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'the docker client here has no compose plugin (no Docker engine either); the GitHub workflow checks it';
  }
};

const reason = composeAvailable();
t.test('docker-compose.yml is valid for docker compose', { skip: reason ?? false }, async (t) => {
  const out = execFileSync('docker', ['compose', '-f', `${repoRoot}docker-compose.yml`, 'config', '--format', 'json'], {
    env: { ...process.env, OMS_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), OMS_ADMIN_TOKEN: 'x'.repeat(24) },
  }).toString();
  const config = JSON.parse(out) as { services: Record<string, { healthcheck?: unknown }> };
  t.same(Object.keys(config.services).sort(), ['kafka', 'kurrentdb', 'oms', 'postgres']);
});
