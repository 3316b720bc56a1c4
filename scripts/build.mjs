#!/usr/bin/env node
// The production build: src/ → dist/ with tsc (tsconfig.build.json). `--if-stale` (npm's prestart)
// builds only when dist/ is missing or older than a source or build-config file, so `npm start` always
// runs JavaScript compiled from the current sources. Plain JavaScript: it runs before any build exists.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStale, root, stampFile } from './buildStamp.mjs';

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  process.stderr.write('dist/ is missing or stale and TypeScript is not installed: run `npm ci` (with dev dependencies) and `npm run build`\n');
  process.exit(1);
}
process.stderr.write('building dist/ (tsc -p tsconfig.build.json)…\n');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampFile, `${new Date().toISOString()}\n`);
