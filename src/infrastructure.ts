import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { sqlEventStore } from './adapters/eventStore/sqlEventStore.js';
import { migrate } from './adapters/sql/migrate.js';
import { postgresDatabase } from './adapters/sql/postgresDatabase.js';
import type { EventStore } from './domain/ports/eventStore.js';
import type { Database } from './domain/ports/sql.js';

/** Where the service and the CLI open the same infrastructure differently. */
export type InfrastructureOptions = Readonly<{
  /** An already-open database (a test seam): used as it is and left open by `close`. */
  database?: Database;
  /** Bring the schema up to date (the service does; the CLI works on a database the service set up). */
  migrate: boolean;
  /** At most this many PostgreSQL connections (the configuration's pool size otherwise). */
  maxPoolSize?: number;
  applicationName?: string;
  /** Work in this PostgreSQL schema (DATABASE_URL only). */
  schema?: string | null;
  /**
   * The embedded database must exist already: the error to throw when its directory is missing
   * (PGlite would create an empty database there). Without it the directory is created.
   */
  missingEmbedded?: (dir: string) => Error;
  /**
   * Serve the SQL event store's readAll from an in-process window of the newest events (the
   * service: several consumers read the same tail; docs/tail-window.md). Off for the CLI.
   */
  tailWindow?: boolean;
}>;

export type Infrastructure = Readonly<{
  db: Database;
  store: EventStore;
  /** Close the event store, then the database if it was opened here. */
  close: () => Promise<void>;
}>;

const openDatabase = async (config: Config, log: Logger, opts: InfrastructureOptions): Promise<Database> => {
  if (config.database.kind === 'postgres') {
    return postgresDatabase({
      url: config.database.url,
      poolSize: Math.min(config.database.poolSize, opts.maxPoolSize ?? Infinity),
      ...(opts.applicationName ? { applicationName: opts.applicationName } : {}),
      ...(opts.schema ? { schema: opts.schema } : {}),
    });
  }
  const dir = resolve(config.database.dataDir);
  const dataDir = join(dir, 'pgdata');
  if (opts.missingEmbedded) {
    if (!existsSync(dataDir)) throw opts.missingEmbedded(dataDir);
  } else {
    await mkdir(dir, { recursive: true });
    log.info({ dataDir: dir }, 'using embedded PGlite (set DATABASE_URL for a PostgreSQL server)');
  }
  const { pgliteDatabase } = await import('./adapters/sql/pgliteDatabase.js');
  return pgliteDatabase({ dataDir });
};

/**
 * The database (embedded PGlite or PostgreSQL) and the event store (SQL or EventStoreDB) the configuration names.
 * PGlite and the KurrentDB client are imported only when configured: loaded for nothing, they held
 * ~5 and ~33 MiB of the service's memory (docs/platform.md, "Memory").
 */
export const openInfrastructure = async (config: Config, log: Logger, opts: InfrastructureOptions): Promise<Infrastructure> => {
  const db = opts.database ?? (await openDatabase(config, log, opts));
  if (opts.migrate) await migrate(db);
  const store =
    config.eventStore.kind === 'esdb'
      ? (await import('./adapters/eventStore/esdbEventStore.js')).esdbEventStore({ connectionString: config.eventStore.connectionString })
      : sqlEventStore(db, opts.tailWindow ? { tailWindow: {} } : {});
  return {
    db,
    store,
    close: async () => {
      try {
        await store.close();
      } finally {
        if (!opts.database) await db.close();
      }
    },
  };
};
