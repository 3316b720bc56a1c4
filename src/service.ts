import { storeSettingsService } from './application/storeSettings.js';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { esdbEventStore } from './adapters/eventStore/esdbEventStore.js';
import { sqlEventStore } from './adapters/eventStore/sqlEventStore.js';
import { createMetrics } from './adapters/metrics/metrics.js';
import { projectionRunner } from './adapters/projections/projectionRunner.js';
import { migrate } from './adapters/sql/migrate.js';
import { pgliteDatabase } from './adapters/sql/pgliteDatabase.js';
import { postgresDatabase } from './adapters/sql/postgresDatabase.js';
import type { EventStore } from './domain/ports/eventStore.js';
import type { Database } from './domain/ports/sql.js';
import type { Clock } from './domain/ports/ids.js';
import { MarketplaceError } from './domain/ports/marketplaces.js';
import { DomainError, NotFoundError, UnavailableError } from './domain/shared/errors.js';
import { issueKeyMaterial, parseApiKey, safeEqual, secretMatches } from './adapters/auth/apiKeys.js';
import { systemClock, uuidIds } from './adapters/system.js';
import { loadOrCreateKeyFile, newAdminToken, newMasterKey } from './adapters/vault/keyFiles.js';
import { sqlVault } from './adapters/vault/sqlVault.js';
import { tenantService } from './application/tenants.js';
import { buildHttpApp, routeGroup, type RouteGroup } from './http/app.js';
import { registerErrorStatuses } from './http/problem.js';
import { tenantRoutes } from './http/tenants.routes.js';
import { PROJECTIONS } from './projections/all.js';
import { catalogQueries } from './adapters/readModels/catalogQueries.js';
import { catalogService } from './application/catalog.js';
import type { AppDeps } from './application/context.js';
import { mappingService } from './application/mappings.js';
import { chunkedAppend } from './adapters/eventStore/chunkedAppend.js';
import { importGate } from './application/importGate.js';
import { mappingRoutes } from './http/mappings.routes.js';
import { productRoutes } from './http/products.routes.js';
import { storeRoutes } from './http/stores.routes.js';
import { amazonAuthApi } from './adapters/marketplaces/amazonAuth.js';
import { walmartAuthApi, walmartConnectApi } from './adapters/marketplaces/walmartAuth.js';
import { authorizationService } from './application/authorizations.js';
import { RENEWAL_DUE_DAYS } from './domain/authorization/decider.js';
import { authorizationRoutes } from './http/authorizations.routes.js';
import { createHash } from 'node:crypto';
import { accessTokenCache } from './adapters/marketplaces/accessTokenCache.js';
import { systemTiming, type Timing } from './adapters/marketplaces/timing.js';
import { amazonOrderSource } from './adapters/marketplaces/amazonOrderSource.js';
import { walmartOrderSource } from './adapters/marketplaces/walmartOrderSource.js';
import { pullScheduler } from './adapters/scheduler/pullScheduler.js';
import { scheduleStore } from './adapters/scheduler/scheduleStore.js';
import { pullService } from './application/pulls.js';
import { authorizationDecider, authorizationStreamId } from './domain/authorization/decider.js';
import { AuthorizationEvent } from './domain/authorization/events.js';
import { pullStreamId } from './domain/pull/events.js';
import { decodeWith, loadState } from './domain/shared/commandHandler.js';
import { eventReactor } from './adapters/projections/reactor.js';
import { backlogGate } from './adapters/projections/backlogGate.js';
import { RELEASE_POLICY_FILTER, releasePolicy } from './application/releasePolicy.js';
import { feedCursorKey, httpFeedReader } from './adapters/feed/httpFeed.js';
import { kafkaFeedPublisher } from './adapters/kafka/feedPublisher.js';
import { warehouseFeedSource } from './application/warehouseFeed.js';
import { warehouseFeedRoutes } from './http/warehouseFeed.routes.js';
import { orderQueries } from './adapters/readModels/orderQueries.js';
import { orderLookups } from './adapters/readModels/orderLookups.js';
import { orderRoutes } from './http/orders.routes.js';
import { orderActions } from './application/orderActions.js';
import { hashPassword, newOneTimePassword, verifyPassword } from './adapters/auth/passwords.js';
import { sessionStore } from './adapters/auth/sessionStore.js';
import { userErrorStatusesExtra, userService } from './application/users.js';
import { sessionAuthenticator } from './http/session.js';
import { userListRoutes, userRoutes } from './http/users.routes.js';
import { consoleRoutes } from './console/serve.js';
import { amazonFulfillment } from './adapters/marketplaces/amazonFulfillment.js';
import { walmartFulfillment } from './adapters/marketplaces/walmartFulfillment.js';
import { MARKETPLACE_SYNC_FILTER, marketplaceSync } from './application/marketplaceSync.js';
import { marketplaceSyncQueries } from './adapters/readModels/marketplaceSyncQueries.js';
import { sleep as sleepOrAbort } from './adapters/shared/timers.js';
import { warehouseEvents as warehouseEventsService } from './application/warehouseEvents.js';
import { warehouseEventConsumer } from './adapters/kafka/warehouseEventConsumer.js';
import { warehouseEventMetrics } from './adapters/metrics/warehouseEventMetrics.js';
import { warehouseEventRoutes } from './http/warehouseEvents.routes.js';
import { warehouseRejections } from './adapters/readModels/warehouseRejections.js';
import { retentionStore } from './adapters/scheduler/retentionStore.js';
import { retentionJob } from './adapters/scheduler/retentionJob.js';
import { retentionService } from './application/retention.js';

/**
 * The composition root: the one place that turns configuration into clients, adapters, runners
 * and the HTTP app. Nothing else constructs infrastructure or reads the environment.
 */
export type ServiceOptions = Readonly<{
  logger: Logger;
  /** Test seam: run against an already-open database (its schema is migrated here). */
  database?: Database;
  /** Test seam: the time (e.g. to let a consent state expire). */
  clock?: Clock;
  /** Test seam: how the marketplace clients read time and wait (virtual time in tests). */
  timing?: Timing;
  /** The built web console (src/console/build.ts), served under `/`; without it only the API is served. */
  consoleDir?: string;
}>;

/** The console's first operator in embedded mode (and the demo). */
export const FIRST_OPERATOR_EMAIL = 'operator@oms.local';


/** The release policy's checkpoint row (projection_checkpoints). */
const POLICY_RUNNER_NAME = 'policy:release';
/** The marketplace sender's checkpoint row, and how often it looks for failed sends due again. */
const SYNC_RUNNER_NAME = 'policy:marketplace-sync';
const SYNC_RETRY_CHECK_MS = 15_000;

const openDatabase = async (config: Config, log: Logger): Promise<Database> => {
  if (config.database.kind === 'postgres') {
    return postgresDatabase({ url: config.database.url, poolSize: config.database.poolSize });
  }
  const dir = resolve(config.database.dataDir);
  await mkdir(dir, { recursive: true });
  log.info({ dataDir: dir }, 'using embedded PGlite (set DATABASE_URL for a PostgreSQL server)');
  return pgliteDatabase({ dataDir: join(dir, 'pgdata') });
};

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

const openEventStore = (config: Config, db: Database): EventStore =>
  config.eventStore.kind === 'esdb'
    ? esdbEventStore({ connectionString: config.eventStore.connectionString })
    : sqlEventStore(db);

export const createService = async (config: Config, opts: ServiceOptions) => {
  const log = opts.logger;
  const db = opts.database ?? (await openDatabase(config, log));
  await migrate(db);
  const store = openEventStore(config, db);
  const metrics = createMetrics();
  const keys = await resolveKeys(config, log);
  const vault = sqlVault({
    db,
    masterKey: keys.masterKey,
    previousMasterKeys: config.previousMasterKeys.map((k) => Buffer.from(k, 'base64')),
  });
  if (config.previousMasterKeys.length) {
    // A rotation is under way: re-wrap every data key with the current master key (events untouched).
    const { rewrapped } = await vault.rotate();
    log.info({ rewrapped }, 'vault data keys re-wrapped with the current master key');
  }
  const tenants = tenantService({
    store,
    ids: uuidIds,
    clock: opts.clock ?? systemClock,
    keys: {
      issue: issueKeyMaterial,
      parse: parseApiKey,
      matches: secretMatches,
      adminMatches: (token) => keys.adminToken !== null && safeEqual(token, keys.adminToken),
    },
  });
  const queries = catalogQueries(db);
  const appDeps: AppDeps = {
    store,
    ids: uuidIds,
    clock: opts.clock ?? systemClock,
    queries: (tenantId) => queries.forTenant(tenantId),
    caughtUp: (names) => projections.caughtUp(names),
    // Embedded PGlite shares the event loop: bulk imports go in chunks with yields (#14.7).
    bulkAppend: chunkedAppend(store, db.kind === 'pglite' && config.eventStore.kind === 'sql' ? db : null),
  };
  const catalog = catalogService(appDeps);
  const mappings = mappingService(appDeps, catalog);
  const a = config.amazon;
  const amazonApi =
    a.appId && a.lwaClientId && a.lwaClientSecret
      ? amazonAuthApi({ appId: a.appId, clientId: a.lwaClientId, clientSecret: a.lwaClientSecret, redirectUri: a.redirectUri, appIsDraft: a.appIsDraft, lwaUrl: a.lwaUrl, spApiUrl: a.spApiUrl, sellerCentralUrl: a.sellerCentralUrl, sellerCentralUrlTemplate: a.sellerCentralUrlTemplate })
      : null;
  const walmartApi = walmartAuthApi({ apiUrl: config.walmart.apiUrl });
  const wc = config.walmart.connect;
  const walmartConnect = wc ? walmartConnectApi({ apiUrl: config.walmart.apiUrl, ...wc }) : null;
  const authorizations = authorizationService({
    ...appDeps,
    vault,
    amazon: amazonApi,
    walmart: walmartApi,
    defaultLookbackDays: config.pull.defaultLookbackDays,
    // Consent links point at the host of the callback, so the binding cookie is sent back to it.
    consentLinkBase: a.redirectUri ? new URL(a.redirectUri).origin : null,
    log: log.child({ component: 'authorizations' }),
    walmartConnect,
    walmartConsentLinkBase: wc ? new URL(wc.redirectUri).origin : null,
  });

  // Order pulling: access tokens minted from the vault's secrets, one refresh in flight per authorization.
  const decodeAuthorization = decodeWith(AuthorizationEvent);
  const timing = opts.timing ?? systemTiming;
  const tokens = accessTokenCache({
    now: timing.now,
    fetch: async (authorizationId) => {
      const { state } = await loadState(authorizationDecider, decodeAuthorization, store, authorizationStreamId(authorizationId));
      if (state.status === 'absent' || !state.secretRef) throw new UnavailableError('authorization', 'the authorization has no credentials');
      const secret = await vault.readSecret(state.secretRef);
      if (state.platform === 'amazon') {
        if (!amazonApi) throw new UnavailableError('amazon', 'Amazon is not configured');
        return amazonApi.accessToken(secret).catch(async (error: unknown) => {
          // invalid_grant: the seller revoked OMS (or the grant lapsed) — no retry brings it back (#16.4).
          if (error instanceof MarketplaceError && error.code === 'invalid_grant') {
            await authorizations.requireReauthorization(authorizationId, 'lwa_invalid_grant', 'Login with Amazon refused the refresh token (consent revoked or expired); the seller must authorize OMS again');
          }
          throw error;
        });
      }
      const walmart = JSON.parse(secret) as { clientId: string; clientSecret: string } | { refreshToken: string; sellerId: string; market: 'us' | 'ca' | 'mx' };
      if ('refreshToken' in walmart) {
        // Walmart Connect: the app refreshes for the seller; a refused refresh token is MarketplaceError('invalid_grant').
        if (!walmartConnect) throw new UnavailableError('walmart', 'Walmart Connect is not configured (WALMART_APP_CLIENT_ID, WALMART_APP_CLIENT_SECRET, WALMART_REDIRECT_URI)');
        return walmartConnect.refreshAccessToken(walmart.refreshToken, { sellerId: walmart.sellerId, market: walmart.market }).catch(async (error: unknown) => {
          // The seller withdrew the app (or the year is over): only a new Connect consent helps (#16.4).
          if (error instanceof MarketplaceError && error.code === 'invalid_grant') {
            await authorizations.requireReauthorization(authorizationId, 'walmart_invalid_grant', 'Walmart refused the refresh token (the app was removed or the grant expired); the seller must connect OMS again through Walmart Connect');
          }
          throw error;
        });
      }
      return walmartApi.token(walmart.clientId, walmart.clientSecret);
    },
  });
  const schedule = scheduleStore(db);
  // Pulls keep pace with the release policy: what it has not decided yet stays bounded (see backlogGate.ts).
  const pullGate = backlogGate({
    db,
    store,
    consumers: [{ name: POLICY_RUNNER_NAME, filter: RELEASE_POLICY_FILTER }],
    maxBacklog: config.pull.maxBacklog,
    maxWaitMs: config.pull.backlogMaxWaitMs,
    log: log.child({ component: 'pull-gate' }),
    onWaited: (ms, outcome) => {
      metrics.pullBackpressureWait.inc(ms / 1000);
      metrics.pullBackpressurePages.labels(outcome).inc();
    },
  });
  const pulls = pullService({
    ...appDeps,
    orders: orderLookups(db),
    vault,
    schedule,
    sources: {
      amazon: amazonOrderSource({ spApiUrl: a.spApiUrl, tokens, timing, retry: config.marketplaceRetry }),
      walmart: walmartOrderSource({ apiUrl: config.walmart.apiUrl, tokens, timing, retry: config.marketplaceRetry, log: log.child({ component: 'walmart' }) }),
    },
    hashKey: createHash('sha256').update(keys.masterKey).update('oms/order-content-hash').digest(),
    windowHours: config.pull.windowHours,
    sweepEveryHours: config.pull.sweepEveryHours,
    admitPage: pullGate.admit,
    onRejected: (platform, count) => metrics.ordersRejected.labels(platform).inc(count),
  });
  const policy = releasePolicy({
    ...appDeps,
    orders: orderLookups(db),
    ordersCaughtUp: () => projections.caughtUp(['orders']),
    onDecided: (type) => metrics.handoffDecisions.labels(type).inc(),
  });
  const policyRunner = eventReactor({
    name: POLICY_RUNNER_NAME,
    db,
    store,
    filter: RELEASE_POLICY_FILTER,
    react: policy.react,
    reactBatch: policy.reactBatch,
    log: log.child({ component: 'release-policy' }),
  });
  // Issue #15: acknowledgements, shipment confirmations and cancellations back to the marketplaces.
  const syncAbort = new AbortController();
  const syncQueries = marketplaceSyncQueries(db);
  const sync = marketplaceSync({
    ...appDeps,
    marketplaces: {
      amazon: amazonFulfillment({ spApiUrl: a.spApiUrl, tokens, timing, retry: config.marketplaceRetry }),
      walmart: walmartFulfillment({ apiUrl: config.walmart.apiUrl, tokens, timing, retry: config.marketplaceRetry }),
    },
    onOutcome: (o) => metrics.marketplaceConfirmations.labels(o.platform, o.outcome).inc(),
    signal: syncAbort.signal,
  });
  const syncRunner = eventReactor({ name: SYNC_RUNNER_NAME, db, store, filter: MARKETPLACE_SYNC_FILTER, react: sync.react, reactBatch: sync.reactBatch, log: log.child({ component: 'marketplace-sync' }) });
  let syncRetryLoop: Promise<void> | null = null;
  const retrySyncs = async () => {
    while (!syncAbort.signal.aborted) {
      await sleepOrAbort(SYNC_RETRY_CHECK_MS, syncAbort.signal);
      if (syncAbort.signal.aborted) return;
      await sync.retryDue(() => syncQueries.dueForRetry(appDeps.clock.now())).catch((err: unknown) => log.warn({ err }, 'marketplace sync retry failed'));
    }
  };
  const feedSource = warehouseFeedSource({ store, vault });
  const feed = config.kafka
    ? kafkaFeedPublisher({
        db,
        store,
        source: feedSource,
        kafka: config.kafka,
        log: log.child({ component: 'feed' }),
        onPublished: (ms, n) => {
          for (let i = 0; i < n; i++) metrics.feedLatency.observe(ms / 1000);
        },
      })
    : null;
  // Warehouse events in (issue #15 item 1): over HTTP always, from Kafka when KAFKA_BROKERS is set.
  const warehouseEvents = warehouseEventsService(appDeps);
  const warehouseMetrics = warehouseEventMetrics(metrics.registry);
  const warehouseConsumer = config.warehouseEvents
    ? warehouseEventConsumer({
        warehouseEvents,
        kafka: config.warehouseEvents,
        log: log.child({ component: 'warehouse-events' }),
        onHandled: (outcome, reason) => {
          warehouseMetrics.messages.labels('kafka', outcome).inc();
          if (reason) warehouseMetrics.rejected.labels(reason).inc();
        },
      })
    : null;
  const scheduler = pullScheduler({
    schedule,
    pullGroup: (stores, signal) => pulls.pullGroup(stores, signal),
    log: log.child({ component: 'scheduler' }),
    intervalMinutes: config.pull.intervalMinutes,
    concurrency: config.pull.concurrency,
    leaseMs: config.pull.claimLeaseMs,
    onPull: (_storeId, outcome, ms) => {
      metrics.pulls.labels(outcome.ok ? 'ok' : outcome.reason).inc();
      metrics.pullDuration.observe(ms / 1000);
      if (outcome.ok) metrics.ordersPulled.inc(outcome.ordersNew + outcome.ordersChanged);
    },
  });
  // Buyer-data retention (docs/retention.md): shred each terminal order's key after the retention period.
  const retention = retentionService({
    store,
    vault,
    clock: opts.clock ?? systemClock,
    due: retentionStore(db),
    retentionDays: config.retention.days,
    onErased: (n) => metrics.buyerDataErased.inc(n),
  });
  const retentionRunner = retentionJob({ runOnce: retention.runOnce, intervalMs: config.retention.intervalMs, log: log.child({ component: 'retention' }) });
  // Console users and sessions (the CSRF key is derived from the master key, like the content hashes).
  registerErrorStatuses(userErrorStatusesExtra);
  const users = userService({
    ...appDeps,
    passwords: { hash: (p) => hashPassword(p), verify: verifyPassword, oneTime: newOneTimePassword },
    sessions: sessionStore(db, createHash('sha256').update(keys.masterKey).update('oms/console-csrf').digest()),
  });
  /**
   * Embedded mode: a first operator, so a newcomer can sign in (main.ts and the demo print it; called
   * after listening, so the KDF does not delay start-up). Null with a PostgreSQL server (`oms users create`).
   */
  const firstOperator = async () => (config.database.kind === 'pglite' ? users.ensureFirstOperator(FIRST_OPERATOR_EMAIL, { actor: 'system' }) : null);
  const tenantExists = (id: string) =>
    tenants.get(id).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFoundError) return false;
        throw error;
      },
    );
  const imports = importGate(config.importConcurrency);
  const importLimits = { importMaxBytes: 5 * 1024 * 1024, importMaxRows: 50_000, importGate: imports };
  const routes: RouteGroup[] = [
    routeGroup(tenantRoutes, { tenants }, '/v1'),
    routeGroup(storeRoutes, {
        queries: appDeps.queries,
        requestSync: async (storeId: string) => {
          const result = await schedule.requestNow(storeId);
          scheduler.wake();
          return result;
        },
        changeSettings: storeSettingsService(appDeps).change,
        pullLog: async (storeId: string, limit: number) =>
          (await store.readStream(pullStreamId(storeId))).slice(-limit).reverse().map((e) => ({ type: e.type, at: e.recordedAt, data: e.data as Record<string, unknown> })),
      }, '/v1'),
    routeGroup(productRoutes, { catalog, queries: appDeps.queries, ...importLimits }, '/v1'),
    routeGroup(mappingRoutes, { mappings, ...importLimits }, '/v1'),
    // CONSOLE_URL, else the console this process serves (same origin), else pages.
    routeGroup(authorizationRoutes, { authorizations, queries: appDeps.queries, consoleUrl: config.consoleUrl ?? (opts.consoleDir ? '' : null) }, '/v1'),
    routeGroup(warehouseFeedRoutes, { feed: httpFeedReader({ store, source: feedSource, cursorKeys: [keys.masterKey, ...config.previousMasterKeys.map((k) => Buffer.from(k, 'base64'))].map(feedCursorKey) }) }, '/v1'),
    routeGroup(orderRoutes, { orders: orderQueries({ db, store }), app: appDeps, actions: orderActions({ ...appDeps, vault }) }, '/v1'),
    routeGroup(userRoutes, { users }, '/v1'),
    routeGroup(userListRoutes, { users }, '/v1'),
    routeGroup(warehouseEventRoutes, {
        warehouseEvents: {
          ...warehouseEvents,
          // HTTP outcomes counted like Kafka ones (a refusal is the HTTP 4xx, by its code).
          record: async (...args: Parameters<typeof warehouseEvents.record>) => {
            try {
              const result = await warehouseEvents.record(...args);
              warehouseMetrics.messages.labels('http', result.outcome).inc();
              return result;
            } catch (error) {
              if (error instanceof DomainError) {
                warehouseMetrics.messages.labels('http', 'rejected').inc();
                warehouseMetrics.rejected.labels(error.code).inc();
              }
              throw error;
            }
          },
        },
        rejections: warehouseRejections(store),
      }, '/v1'),
    ...(opts.consoleDir ? [routeGroup(consoleRoutes, { dir: opts.consoleDir }, '')] : []),
  ];
  const projections = projectionRunner({ db, store, projections: PROJECTIONS, log: log.child({ component: 'projections' }) });

  const refreshProjectionGauges = async () => {
    if (feed) {
      const f = await feed.status();
      metrics.feedLag.set(f.lagMs / 1000);
      metrics.feedBrokerUp.set(f.brokerUp ? 1 : 0);
    }
    metrics.pullStoresFailing.reset();
    for (const f of await schedule.failingByReason()) metrics.pullStoresFailing.labels(f.reason).set(f.stores);
    const r = await retention.counts();
    for (const state of ['due', 'waiting', 'erased'] as const) metrics.retentionOrders.labels(state).set(r[state]);
    if (r.lastRun) metrics.retentionLastRun.set(Date.parse(r.lastRun.at) / 1000);
    // Authorizations needing the seller (#16.4): counted from the read model, per platform.
    const due = new Date((opts.clock ?? systemClock).now().getTime() + RENEWAL_DUE_DAYS * 86_400_000);
    const { rows: auths } = await db.query<{ platform: string; required: number; renewal: number }>(
      `SELECT platform, count(*) FILTER (WHERE status = 'reauthorization_required')::int AS required,
              count(*) FILTER (WHERE status IN ('active', 'paused') AND renew_by <= $1)::int AS renewal
         FROM rm_authorizations GROUP BY platform`,
      [due],
    );
    for (const platform of ['amazon', 'walmart']) {
      const row = auths.find((r) => r.platform === platform);
      metrics.authorizationsReauthorizationRequired.labels(platform).set(row?.required ?? 0);
      metrics.authorizationsRenewalDue.labels(platform).set(row?.renewal ?? 0);
    }
    for (const s of await projections.status()) {
      metrics.projectionLag.labels(s.name).set(s.lagMs / 1000);
      if (s.eventsBehind !== null) metrics.projectionBehind.labels(s.name).set(s.eventsBehind);
      metrics.projectionFailed.labels(s.name).set(s.status === 'failed' ? 1 : 0);
    }
    metrics.walmartUnacknowledgedNearDeadline.set(await syncQueries.walmartUnacknowledgedNearDeadline(appDeps.clock.now()));
  };

  const app = await buildHttpApp({
    logger: log,
    metrics,
    checks: [
      { name: 'database', check: async () => void (await db.query('SELECT 1')) },
      { name: 'eventStore', check: async () => void (await store.headCheckpoint()) },
      ...(feed
        ? [
            {
              name: 'kafka',
              check: async () => {
                if (!(await feed.status()).brokerUp) throw new UnavailableError('kafka', 'broker unreachable');
              },
            },
          ]
        : []),
    ],
    beforeScrape: refreshProjectionGauges,
    auth: {
      authenticate: tenants.authenticate,
      rateLimitPerMinute: config.rateLimitPerMinute,
      failedAuthPerMinute: config.authFailuresPerMinute,
      session: sessionAuthenticator(users, tenantExists),
    },
    routes,
  });

  let started = false;
  return {
    app,
    db,
    store,
    projections,
    config,
    vault,
    tenants,
    users,
    firstOperator,
    catalog,
    mappings,
    /** Bulk imports running in this instance (IMPORT_CONCURRENCY slots). */
    imports,
    authorizations,
    appDeps,
    pulls,
    policyRunner,
    /** The marketplace sender (issue #15) and its reactor. */
    marketplaceSync: sync,
    syncRunner,
    syncQueries,
    feed,
    feedSource,
    warehouseEvents,
    warehouseConsumer,
    scheduler,
    schedule,
    retention,
    /** Start background work (projections; later the scheduler and the warehouse feed). */
    start: async () => {
      await projections.start();
      policyRunner.start();
      if (config.marketplaceSync.enabled) {
        syncRunner.start();
        syncRetryLoop ??= retrySyncs();
      }
      await feed?.start();
      await warehouseConsumer?.start();
      if (config.pull.schedulerEnabled) scheduler.start();
      if (config.retention.jobEnabled) retentionRunner.start();
      started = true;
    },
    /** Stop accepting requests, stop background work, close connections — in that order. */
    stop: async () => {
      await app.close();
      syncAbort.abort();
      if (started) await Promise.all([scheduler.stop(), projections.stop(), policyRunner.stop(), syncRunner.stop(), syncRetryLoop, feed?.stop(), warehouseConsumer?.stop(), retentionRunner.stop()]);
      await store.close();
      if (!opts.database) await db.close();
    },
  };
};

export type Service = Awaited<ReturnType<typeof createService>>;
