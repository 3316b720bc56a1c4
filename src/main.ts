import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { ensureConsoleBuilt } from './console/build.js';
import { createService } from './service.js';
import { isTransientError } from './adapters/sql/transientErrors.js';

// The process entry point: the only reader of process.env. Everything else is built in service.ts.
const config = (() => {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
})();

const log = createLogger(config.log);
// The web console is built on first start (its assets are not committed). Its UI library and bundler
// are dev dependencies: where they are missing (a production image) only the API is served.
const consoleDir = await ensureConsoleBuilt().catch((error: unknown) => {
  log.warn({ err: error }, 'the web console could not be built: serving the API only (npm run build:console)');
  return undefined;
});
const service = await createService(config, { logger: log, ...(consoleDir ? { consoleDir } : {}) });

// An error nobody handled ends the process gracefully (exit 1) — except a transient database or
// network error that escaped its listener (a pg client's 'error' event, a rejected read-ahead): every
// loop here retries those, so the service keeps running and logs the error that went unheard.
let fatal = false;
const onUnhandled = (kind: string) => (error: unknown) => {
  if (isTransientError(error)) {
    log.error({ err: error }, `unhandled transient error (${kind}; a missing listener): the service keeps running`);
    return;
  }
  if (fatal) process.exit(1);
  fatal = true;
  log.error({ err: error }, `shutting down after an error (${kind})`);
  const timeout = new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
  void Promise.race([service.stop(), timeout]).finally(() => process.exit(1));
};
process.on('uncaughtException', onUnhandled('uncaught exception'));
process.on('unhandledRejection', onUnhandled('unhandled rejection'));

closeWithGrace({ delay: config.shutdownGraceMs, skip: ['uncaughtException', 'unhandledRejection'] }, async ({ err, signal }) => {
  if (err) log.error({ err }, 'shutting down after an error');
  else log.info({ signal }, 'shutting down');
  await service.stop();
});

await service.start();
const consoleUrl = await service.app.listen({ host: config.http.host, port: config.http.port });
// Embedded mode: how to sign in to the console (the one-time password only on the start that made it).
const firstOperator = await service.firstOperator();
if (firstOperator) {
  process.stdout.write(`CONSOLE_URL=${consoleUrl}/\nCONSOLE_USER=${firstOperator.email}\n`);
  if (firstOperator.oneTimePassword) process.stdout.write(`CONSOLE_PASSWORD=${firstOperator.oneTimePassword}\n`);
}
