import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/domain/ports/sql.js';
import { migrate } from '../../src/adapters/sql/migrate.js';
import { pgliteDatabase } from '../../src/adapters/sql/pgliteDatabase.js';
import { postgresDatabase } from '../../src/adapters/sql/postgresDatabase.js';
import { dockerAvailable } from './docker.js';

type Teardown = { teardown: (fn: () => unknown) => void };

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';
let found: Promise<string> | null = null;

const answers = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * A real PostgreSQL server for tests, found in this order: TEST_DATABASE_URL or DATABASE_URL,
 * the local server on 127.0.0.1:5432, a container started through testcontainers.
 */
export const findPostgresUrl = (): Promise<string> => {
  found ??= (async () => {
    const explicit = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (explicit) return explicit;
    if (await answers(LOCAL_URL)) return LOCAL_URL;
    if (await dockerAvailable()) {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer('postgres:15')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`;
    }
    throw new Error(
      'No PostgreSQL for tests: set TEST_DATABASE_URL, start the local server ' +
        '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or provide Docker.',
    );
  })();
  return found;
};

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

/** A migrated database in a schema of its own on the server, dropped when the test ends. */
export const serverDatabase = async (t: Teardown, opts: { poolSize?: number; migrate?: boolean } = {}) => {
  const url = await findPostgresUrl();
  const schema = uniqueName('t');
  const db = await postgresDatabase({ url, schema, poolSize: opts.poolSize ?? 8 });
  if (opts.migrate !== false) await migrate(db);
  t.teardown(async () => {
    await db.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  return Object.assign(db, { schema, url }) as Database & { schema: string; url: string };
};

/** A migrated in-memory PGlite database, closed when the test ends. */
export const embeddedDatabase = async (t: Teardown, opts: { migrate?: boolean } = {}): Promise<Database> => {
  const db = await pgliteDatabase();
  if (opts.migrate !== false) await migrate(db);
  t.teardown(() => db.close());
  return db;
};
