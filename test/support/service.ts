import { Writable } from 'node:stream';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createService, type Service } from '../../src/service.js';
import { testKafkaClient } from './kafka.js';
import { serverDatabase } from './postgres.js';
import type { Clock } from '../../src/domain/ports/ids.js';
import type { Timing } from '../../src/adapters/marketplaces/timing.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export type TestService = Service & {
  url: string;
  /** Every log line the service wrote. */
  logs: () => string;
  call: (method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;
};

/** A response body as loosely-typed JSON: tests assert its shape themselves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();

/** The whole service over real HTTP on a free port, on a schema of its own in the real PostgreSQL. */
export const startTestService = async (t: Test, env: Record<string, string> = {}, opts: { clock?: Clock; timing?: Timing; consoleDir?: string; port?: number } = {}): Promise<TestService> => {
  const db = await serverDatabase(t);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    OMS_ADMIN_TOKEN: ADMIN_TOKEN,
    OMS_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'info',
    // Tests drive pulls themselves unless they ask for the scheduler.
    PULL_SCHEDULER: 'off',
    KAFKA_CLIENT: testKafkaClient(),
    ...env,
  });
  const service = await createService(config, { logger: createLogger({ level: 'info' }, sink), database: db, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.timing ? { timing: opts.timing } : {}), ...(opts.consoleDir ? { consoleDir: opts.consoleDir } : {}) });
  await service.start();
  await service.app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = service.app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  t.teardown(() => service.stop());
  const call: TestService['call'] = (method, path, opts = {}) => {
    const raw = typeof opts.body === 'string' || opts.body instanceof Uint8Array;
    return fetch(`${url}${path}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { body: raw ? (opts.body as string) : JSON.stringify(opts.body) } : {}),
    });
  };
  return Object.assign(service, { url, logs: () => lines.join(''), call });
};
