import { execFileSync } from 'node:child_process';
import t from 'tap';
import { repoRoot } from './support/process.js';

/** docker-compose.yml is checked by `docker compose config` wherever the client has the compose plugin. */
const composeAvailable = (): string | null => {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'the docker client here has no compose plugin (no Docker engine either); the GitHub workflow checks it';
  }
};

const reason = composeAvailable();
t.test('docker-compose.yml is valid and wires the four services with health checks', { skip: reason ?? false }, async (t) => {
  const out = execFileSync('docker', ['compose', '-f', `${repoRoot}docker-compose.yml`, 'config', '--format', 'json'], {
    env: { ...process.env, OMS_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), OMS_ADMIN_TOKEN: 'x'.repeat(24) },
  }).toString();
  const config = JSON.parse(out) as { services: Record<string, { healthcheck?: unknown }> };
  t.same(Object.keys(config.services).sort(), ['kafka', 'kurrentdb', 'oms', 'postgres']);
  for (const [name, service] of Object.entries(config.services)) t.ok(service.healthcheck, `${name} has a health check`);
});
