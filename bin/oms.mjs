#!/usr/bin/env node
// `npx oms …`: the operator CLI. Runs the TypeScript entry point through tsx (as `npm start` does).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
