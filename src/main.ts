import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
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
const service = await createService(config, { logger: log });

closeWithGrace({ delay: config.shutdownGraceMs }, async ({ err, signal }) => {
  if (err) log.error({ err }, 'shutting down after an error');
  else log.info({ signal }, 'shutting down');
  await service.stop();
});

await service.start();
await service.app.listen({ host: config.http.host, port: config.http.port });
