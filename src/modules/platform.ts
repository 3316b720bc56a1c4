import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { chunkedAppend } from '../adapters/eventStore/chunkedAppend.js';
import type { Timing } from '../adapters/marketplaces/timing.js';
import { systemTiming } from '../adapters/marketplaces/timing.js';
import { createMetrics } from '../adapters/metrics/metrics.js';
import { processorMetrics } from '../adapters/metrics/processorMetrics.js';
import { projectionRunner } from '../adapters/projections/projectionRunner.js';
import { catalogQueries } from '../adapters/readModels/catalogQueries.js';
import { systemClock, uuidIds } from '../adapters/system.js';
import { loadOrCreateKeyFile, newAdminToken, newMasterKey } from '../adapters/vault/keyFiles.js';
import { sqlVault } from '../adapters/vault/sqlVault.js';
import type { AppDeps } from '../application/context.js';
import type { Clock } from '../domain/ports/ids.js';
import type { Database } from '../domain/ports/sql.js';
import { openInfrastructure } from '../infrastructure.js';
import { PROJECTIONS } from '../projections/all.js';
import type { Module, Platform, Processor } from './module.js';

export type PlatformOptions = Readonly<{
  logger: Logger;
  /** Test seam: run against an already-open database (its schema is migrated here). */
  database?: Database;
  /** Test seam: the time (e.g. to let a consent state expire). */
  clock?: Clock;
  /** Test seam: how the marketplace clients read time and wait (virtual time in tests). */
  timing?: Timing;
}>;

/**
 * The master key and admin token: from the configuration, or — outside production, for a
 * newcomer's `npm start` — generated once into the data directory, with a warning naming the file.
 */
const resolveKeys = async (config: Config, log: Logger) => {
  const dir = resolve(config.dataDir);
  let masterKey = config.masterKey;
  if (!masterKey) {
    const file = await loadOrCreateKeyFile(join(dir, 'master.key'), newMasterKey);
    masterKey = file.value;
    log.warn({ file: join(dir, 'master.key'), created: file.created }, 'OMS_MASTER_KEY not set: using a generated key from the data directory (set OMS_MASTER_KEY in production)');
  }
  let adminToken = config.adminToken;
  if (!adminToken && config.database.kind === 'pglite') {
    const file = await loadOrCreateKeyFile(join(dir, 'admin-token'), newAdminToken);
    adminToken = file.value;
    log.warn({ file: join(dir, 'admin-token') }, 'OMS_ADMIN_TOKEN not set: the admin token is in this file');
  } else if (!adminToken) {
    log.warn('OMS_ADMIN_TOKEN not set: tenant administration is disabled');
  }
  return { masterKey: Buffer.from(masterKey, 'base64'), adminToken };
};

/**
 * The platform every module is built on: database and event store (migrated), keys and vault,
 * metrics, the projections (the read models' runner) and the use cases' common ports.
 */
export const openPlatform = async (config: Config, opts: PlatformOptions) => {
  const log = opts.logger;
  const infrastructure = await openInfrastructure(config, log, { migrate: true, tailWindow: true, ...(opts.database ? { database: opts.database } : {}) });
  const { db, store } = infrastructure;
  const keys = await resolveKeys(config, log);
  const masterKeys = [keys.masterKey, ...config.previousMasterKeys.map((k) => Buffer.from(k, 'base64'))];
  const vault = sqlVault({ db, masterKey: keys.masterKey, previousMasterKeys: masterKeys.slice(1) });
  if (config.previousMasterKeys.length) {
    // A rotation is under way: re-wrap every data key with the current master key (events untouched).
    const { rewrapped } = await vault.rotate();
    log.info({ rewrapped }, 'vault data keys re-wrapped with the current master key');
  }
  const metrics = createMetrics();
  // The event-processing runtime's batches, events and retries, per processor (docs/processing.md).
  const processingMetrics = processorMetrics(metrics.registry);
  const projections = projectionRunner({ db, store, projections: PROJECTIONS, log: log.child({ component: 'projections' }), metrics: processingMetrics });
  const clock = opts.clock ?? systemClock;
  const queries = catalogQueries(db);
  const appDeps: AppDeps = {
    store,
    ids: uuidIds,
    clock,
    queries: (tenantId) => queries.forTenant(tenantId),
    caughtUp: (names) => projections.caughtUp(names),
    // Embedded PGlite shares the event loop: bulk imports go in chunks with yields (#14.7).
    bulkAppend: chunkedAppend(store, db.kind === 'pglite' && config.eventStore.kind === 'sql' ? db : null),
  };
  const platform: Platform = {
    config,
    log,
    db,
    store,
    vault,
    metrics,
    processingMetrics,
    clock,
    timing: opts.timing ?? systemTiming,
    appDeps,
    masterKeys,
    derivedKey: (purpose) => createHash('sha256').update(keys.masterKey).update(purpose).digest(),
  };
  const module: Module = {
    checks: [
      { name: 'database', check: async () => void (await db.query('SELECT 1')) },
      { name: 'eventStore', check: async () => void (await store.headCheckpoint()) },
    ],
    refreshGauges: async () => {
      for (const s of await projections.status()) {
        metrics.projectionLag.labels(s.name).set(s.lagMs / 1000);
        if (s.eventsBehind !== null) metrics.projectionBehind.labels(s.name).set(s.eventsBehind);
        metrics.projectionFailed.labels(s.name).set(s.status === 'failed' ? 1 : 0);
      }
    },
  };
  const processor: Processor = { start: () => projections.start(), stop: () => projections.stop() };
  return { platform, infrastructure, projections, processor, module, adminToken: keys.adminToken };
};
