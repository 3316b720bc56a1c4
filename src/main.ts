import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { ensureConsoleBuilt } from './console/build.js';
import { createService } from './service.js';

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

closeWithGrace({ delay: config.shutdownGraceMs }, async ({ err, signal }) => {
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
