import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the console (src/console/ui, Preact + TypeScript) with esbuild into one script, one
 * stylesheet and index.html. Built assets are not committed: `npm start`, `npm run demo` and the
 * browser tests build them when missing (`npm run build:console` rebuilds).
 */
// The same two levels up from src/console (tsx, tests) and from dist/console (the compiled build).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ui = join(root, 'src', 'console', 'ui');
/** Beside tsc's output, not inside dist/console, which holds the compiled server modules. */
export const DEFAULT_CONSOLE_DIR = join(root, 'dist', 'console-ui');
const FILES = ['index.html', 'app.js', 'app.css'];

export const buildConsole = async (outDir = DEFAULT_CONSOLE_DIR): Promise<string> => {
  // esbuild is a dev dependency: imported only when a build is needed.
  const esbuild = await import('esbuild');
  await mkdir(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: join(ui, 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: outDir,
    logLevel: 'warning',
  });
  await copyFile(join(ui, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(ui, 'app.css'), join(outDir, 'app.css'));
  return outDir;
};

/** The console's directory, built first if any file is missing. */
export const ensureConsoleBuilt = async (outDir = DEFAULT_CONSOLE_DIR): Promise<string> =>
  FILES.every((f) => existsSync(join(outDir, f))) ? outDir : buildConsole(outDir);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await buildConsole(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_CONSOLE_DIR);
  process.stdout.write(`console built into ${dir}\n`);
}
