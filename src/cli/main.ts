import { run } from './run.js';

// The CLI's process entry point (bin/oms.mjs): like src/main.ts, the only place that reads process.env.
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  // First Ctrl-C: stop at the next batch and clean up; the second one ends the process at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// Connections are closed by now; should a client library keep a handle open, do not hang on it.
setTimeout(() => process.exit(code), 2000).unref();
