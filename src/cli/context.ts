import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { openInfrastructure } from '../infrastructure.js';
import type { EventStore } from '../domain/ports/eventStore.js';
import type { Database } from '../domain/ports/sql.js';
import type { Projection } from '../projections/projection.js';
import { PROJECTIONS } from '../projections/all.js';
import { CliFailure, UsageError, type CliIo } from './io.js';

export { PROJECTIONS };

/**
 * Tables a projection writes without owning them (the runner does not empty them on rebuild):
 * pull_schedule also holds the schedulers' operational columns. Listed for the replay's row counts.
 */
export const WRITTEN_TABLES: Readonly<Record<string, readonly string[]>> = { pull_schedule: ['pull_schedule'] };

/** Every read-model table the projections write, each once. */
export const readModelTables = (projections: readonly Projection[]): string[] => [
  ...new Set(projections.flatMap((p) => [...p.tables, ...(WRITTEN_TABLES[p.name] ?? [])])),
];

/** CLI-only: the PostgreSQL schema to work in on DATABASE_URL (tests use one schema per test). */
export const SCHEMA_ENV = 'OMS_DB_SCHEMA';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export const validSchemaName = (name: string) => IDENTIFIER.test(name) && !name.toLowerCase().startsWith('pg_');

/** The service's configuration, parsed from the same environment (a bad value is a usage error). */
export const cliConfig = (io: CliIo): { config: Config; schema: string | null } => {
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const schema = io.env[SCHEMA_ENV] || null;
  if (schema !== null) {
    if (!validSchemaName(schema)) throw new UsageError(`${SCHEMA_ENV}: expected a plain schema name (letters, digits, _)`);
    if (config.database.kind !== 'postgres') throw new UsageError(`${SCHEMA_ENV} applies to DATABASE_URL only (the embedded database has one schema)`);
  }
  return { config, schema };
};

export type CliContext = Readonly<{
  config: Config;
  db: Database;
  store: EventStore;
  projections: readonly Projection[];
  log: Logger;
  close: () => Promise<void>;
}>;

/**
 * The database and event store the service would use, opened by the same function (src/infrastructure.ts).
 * The schema is not migrated here: the CLI works on a database the service has set up.
 */
export const openContext = async (io: CliIo): Promise<CliContext> => {
  const { config, schema } = cliConfig(io);
  const level = io.env.LOG_LEVEL ? config.log.level : 'warn';
  const log = createLogger({ level }, { write: (s: string) => void io.stderr.write(s) });
  const { db, store, close } = await openInfrastructure(config, log, {
    migrate: false,
    maxPoolSize: 4,
    applicationName: 'oms-cli',
    schema,
    missingEmbedded: (dir) => new CliFailure(`no embedded database in ${dir}: start the service once, set OMS_DATA_DIR, or set DATABASE_URL`),
  });
  return {
    config,
    db,
    store,
    projections: PROJECTIONS,
    log,
    // Closing is best effort: the command's own outcome is what the operator needs to see.
    close: () => close().catch(() => undefined),
  };
};
