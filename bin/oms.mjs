#!/usr/bin/env node
// `npx oms …`: the operator CLI. Runs the compiled build (dist/) when it is present and current —
// always in the Docker image, which ships no sources — else the TypeScript sources through tsx
// (a development install), so a CLI never runs code older than the sources beside it.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const sources = new URL('../src/cli/main.ts', import.meta.url);

const useCompiled = existsSync(compiled) && (!existsSync(sources) || !(await import('../scripts/buildStamp.mjs')).isStale());
if (useCompiled) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
}
