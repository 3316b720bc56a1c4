import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isStale } from '../scripts/buildStamp.mjs';
import { repoRoot } from './support/process.js';

/**
 * The compiled build (issue #19): `npm start` runs dist/ (built first by prestart when missing or
 * stale), tsx is a development dependency only, the supported Node lines are declared, and the CLI
 * prefers a current build. The build itself runs in .ci/run and the GitHub workflow (`npm run build`).
 */
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

t.test('npm start runs compiled JavaScript, building first when needed', async (t) => {
  t.match(pkg.scripts.start, /^node [^]*dist\/main\.js$/);
  t.notMatch(pkg.scripts.start, /tsx/, 'no TypeScript loader in production');
  t.equal(pkg.scripts.prestart, 'node scripts/build.mjs --if-stale');
  t.equal(pkg.scripts.build, 'node scripts/build.mjs');
  const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
    extends: string;
    compilerOptions: { rootDir: string; outDir: string; noEmit: boolean };
    include: string[];
  };
  t.same([build.compilerOptions.rootDir, build.compilerOptions.outDir, build.compilerOptions.noEmit, build.include], ['src', 'dist', false, ['src']]);
});

t.test('tsx is for development only; engines name Node 20.19+, 22 and 24', async (t) => {
  t.notOk(pkg.dependencies.tsx, 'not a runtime dependency');
  t.ok(pkg.devDependencies.tsx, 'a development dependency (tests, scripts, the demo)');
  t.ok(pkg.dependencies['@kurrent/kurrentdb-client'], 'the maintained KurrentDB client');
  t.notOk(pkg.dependencies['@eventstore/db-client'], 'the frozen client is gone');
  t.equal(pkg.engines.node, '^20.19.0 || ^22.12.0 || >=24.0.0');
});

t.test('staleness: dist is rebuilt when missing or older than a source', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oms-build-'));
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src', 'main.ts'), 'export {};\n');
  writeFileSync(join(dir, 'tsconfig.json'), '{}');
  t.ok(isStale(dir), 'never built');
  mkdirSync(join(dir, 'dist'));
  const stamp = join(dir, 'dist', '.build-stamp');
  writeFileSync(stamp, 'built\n');
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(dir, 'src', 'main.ts'), past, past);
  utimesSync(join(dir, 'tsconfig.json'), past, past);
  t.notOk(isStale(dir), 'built after the last change');
  mkdirSync(join(dir, 'src', 'deep'));
  writeFileSync(join(dir, 'src', 'deep', 'new.ts'), 'export {};\n');
  utimesSync(stamp, past, past);
  t.ok(isStale(dir), 'a nested source changed since');
});

t.test('the CLI runs the compiled build when it is current, else the sources', async (t) => {
  const bin = readFileSync(join(repoRoot, 'bin', 'oms.mjs'), 'utf8');
  t.match(bin, /dist\/cli\/main\.js/);
  t.match(bin, /isStale\(\)/, 'never a build older than the sources beside it');
  t.match(bin, /tsx\/esm\/api/, 'tsx only on the development path');
});
