import type { Config } from './config.js';
import { buildHttpApp } from './http/app.js';
import { authorizationsModule } from './modules/authorizations.js';
import { catalogModule } from './modules/catalog.js';
import { consoleModule } from './modules/console.js';
import { handoffModule } from './modules/handoff.js';
import type { Module, Processor } from './modules/module.js';
import { orderLoopModule } from './modules/orderLoop.js';
import { ordersModule } from './modules/orders.js';
import { openPlatform, type PlatformOptions } from './modules/platform.js';
import { pullsModule } from './modules/pulls.js';
import { retentionModule } from './modules/retention.js';
import { tenantsModule } from './modules/tenants.js';
import { usersModule } from './modules/users.js';
import { singleFlight } from './shared/singleFlight.js';

export { FIRST_OPERATOR_EMAIL } from './modules/users.js';

/**
 * The composition root: lists the capability modules (src/modules/) and runs their lifecycle. Each
 * module builds its adapters and use cases and says what it contributes (routes, readiness checks,
 * gauges, background work); nothing else constructs infrastructure or reads the environment.
 */
export type ServiceOptions = PlatformOptions &
  Readonly<{
    /** The built web console (src/console/build.ts), served under `/`; without it only the API is served. */
    consoleDir?: string;
  }>;

export const createService = async (config: Config, opts: ServiceOptions) => {
  const core = await openPlatform(config, opts);
  const { platform: p, projections } = core;
  const tenants = tenantsModule(p, core.adminToken);
  const users = usersModule(p, tenants.tenantExists);
  const catalog = catalogModule(p);
  const authorizations = authorizationsModule(p, opts.consoleDir);
  const handoff = handoffModule(p, () => projections.caughtUp(['orders']));
  const pulls = pullsModule(p, authorizations.tokens);
  const orderLoop = orderLoopModule(p, authorizations.tokens);
  const retention = retentionModule(p);

  // In this order: the routes' (and so the OpenAPI document's), the readiness checks' and the gauges'.
  const modules: readonly Module[] = [
    core.module,
    tenants.module,
    pulls.module,
    catalog.products,
    catalog.mappingsModule,
    authorizations.module,
    handoff.module,
    ordersModule(p),
    users.module,
    orderLoop.module,
    retention.module,
    consoleModule(opts.consoleDir),
  ];
  // Started in this order, stopped all at once.
  const background: readonly Processor[] = [
    core.processor,
    handoff.policyProcessor,
    orderLoop.syncProcessor,
    handoff.feedProcessor,
    orderLoop.warehouseProcessor,
    pulls.processor,
    retention.processor,
  ];

  const app = await buildHttpApp({
    logger: p.log,
    metrics: p.metrics,
    checks: modules.flatMap((m) => m.checks ?? []),
    beforeScrape: singleFlight(async () => void (await Promise.all(modules.map((m) => m.refreshGauges?.())))),
    auth: {
      authenticate: tenants.tenants.authenticate,
      rateLimitPerMinute: config.rateLimitPerMinute,
      failedAuthPerMinute: config.authFailuresPerMinute,
      session: users.session,
    },
    routes: modules.flatMap((m) => m.routes ?? []),
  });

  let started = false;
  return {
    app,
    db: p.db,
    store: p.store,
    projections,
    config,
    vault: p.vault,
    tenants: tenants.tenants,
    users: users.users,
    firstOperator: users.firstOperator,
    catalog: catalog.catalog,
    mappings: catalog.mappings,
    /** Bulk imports running in this instance (IMPORT_CONCURRENCY slots). */
    imports: catalog.imports,
    authorizations: authorizations.authorizations,
    appDeps: p.appDeps,
    pulls: pulls.pulls,
    policyRunner: handoff.policyRunner,
    /** The marketplace sender (issue #15) and its reactor. */
    marketplaceSync: orderLoop.sync,
    syncRunner: orderLoop.syncRunner,
    syncQueries: orderLoop.syncQueries,
    feed: handoff.feed,
    feedSource: handoff.feedSource,
    warehouseEvents: orderLoop.warehouseEvents,
    warehouseConsumer: orderLoop.warehouseConsumer,
    scheduler: pulls.scheduler,
    schedule: pulls.schedule,
    retention: retention.retention,
    /** Start background work: projections first, then what reads them. */
    start: async () => {
      for (const processor of background) await processor.start();
      started = true;
    },
    /** Stop accepting requests, stop background work, close connections — in that order. */
    stop: async () => {
      await app.close();
      for (const processor of background) processor.interrupt?.();
      if (started) await Promise.all(background.map((processor) => processor.stop()));
      await core.infrastructure.close();
    },
  };
};

export type Service = Awaited<ReturnType<typeof createService>>;
