// Is dist/ older than the sources it was compiled from? Shared by scripts/build.mjs (npm's prestart)
// and bin/oms.mjs (the CLI runs the compiled build only when it is current). Plain JavaScript.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const stampFile = join(root, 'dist', '.build-stamp');

const newestMtime = (path) => {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
};

/** True when dist/ (under `dir`, the repository by default) was never built completely, or a source or build-config file changed since. */
export const isStale = (dir = root) => {
  const stamp = join(dir, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return true;
  const inputs = Math.max(newestMtime(join(dir, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => newestMtime(join(dir, f))));
  return statSync(stamp).mtimeMs < inputs;
};
