import { warehouseEventConsumer } from '../adapters/kafka/warehouseEventConsumer.js';
import { amazonFulfillment } from '../adapters/marketplaces/amazonFulfillment.js';
import { walmartFulfillment } from '../adapters/marketplaces/walmartFulfillment.js';
import { countedOverHttp, warehouseEventMetrics } from '../adapters/metrics/warehouseEventMetrics.js';
import { eventReactor } from '../adapters/projections/reactor.js';
import { marketplaceSyncQueries } from '../adapters/readModels/marketplaceSyncQueries.js';
import { warehouseRejections } from '../adapters/readModels/warehouseRejections.js';
import { sleep as sleepOrAbort } from '../adapters/shared/timers.js';
import { MARKETPLACE_SYNC_FILTER, marketplaceSync } from '../application/marketplaceSync.js';
import { warehouseEvents as warehouseEventsService } from '../application/warehouseEvents.js';
import type { AccessTokens } from '../domain/ports/orderSource.js';
import { routeGroup } from '../http/app.js';
import { warehouseEventRoutes } from '../http/warehouseEvents.routes.js';
import type { Module, Platform, Processor } from './module.js';

/** The marketplace sender's checkpoint row, and how often it looks for failed sends due again. */
const SYNC_RUNNER_NAME = 'policy:marketplace-sync';
const SYNC_RETRY_CHECK_MS = 15_000;

/**
 * The order loop (issue #15): warehouse events in — over HTTP always, from Kafka when KAFKA_BROKERS
 * is set — and acknowledgements, shipment confirmations and cancellations back to the marketplaces.
 */
export const orderLoopModule = (p: Platform, tokens: AccessTokens) => {
  const { config, metrics, timing, appDeps, log } = p;
  const syncAbort = new AbortController();
  const syncQueries = marketplaceSyncQueries(p.db);
  const sync = marketplaceSync({
    ...appDeps,
    marketplaces: {
      amazon: amazonFulfillment({ spApiUrl: config.amazon.spApiUrl, tokens, timing, retry: config.marketplaceRetry }),
      walmart: walmartFulfillment({ apiUrl: config.walmart.apiUrl, tokens, timing, retry: config.marketplaceRetry }),
    },
    onOutcome: (o) => metrics.marketplaceConfirmations.labels(o.platform, o.outcome).inc(),
    signal: syncAbort.signal,
  });
  const syncRunner = eventReactor({ name: SYNC_RUNNER_NAME, db: p.db, store: p.store, filter: MARKETPLACE_SYNC_FILTER, react: sync.react, reactBatch: sync.reactBatch, log: log.child({ component: 'marketplace-sync' }), metrics: p.processingMetrics });
  let syncRetryLoop: Promise<void> | null = null;
  const retrySyncs = async () => {
    while (!syncAbort.signal.aborted) {
      await sleepOrAbort(SYNC_RETRY_CHECK_MS, syncAbort.signal);
      if (syncAbort.signal.aborted) return;
      await sync.retryDue(() => syncQueries.dueForRetry(appDeps.clock.now())).catch((err: unknown) => log.warn({ err }, 'marketplace sync retry failed'));
    }
  };

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

  const module: Module = {
    routes: [routeGroup(warehouseEventRoutes, { warehouseEvents: countedOverHttp(warehouseEvents, warehouseMetrics), rejections: warehouseRejections(p.store) }, '/v1')],
    refreshGauges: async () => {
      metrics.walmartUnacknowledgedNearDeadline.set(await syncQueries.walmartUnacknowledgedNearDeadline(appDeps.clock.now()));
      const behind = config.marketplaceSync.enabled ? await syncRunner.eventsBehind() : null;
      if (behind !== null) metrics.reactorBehind.labels(SYNC_RUNNER_NAME).set(behind);
    },
  };
  const syncProcessor: Processor = {
    start: () => {
      if (!config.marketplaceSync.enabled) return;
      syncRunner.start();
      syncRetryLoop ??= retrySyncs();
    },
    // Marketplace calls in flight end at once instead of running out their retries.
    interrupt: () => syncAbort.abort(),
    stop: () => Promise.all([syncRunner.stop(), syncRetryLoop]),
  };
  const warehouseProcessor: Processor = { start: async () => warehouseConsumer?.start(), stop: async () => warehouseConsumer?.stop() };
  return { sync, syncRunner, syncQueries, warehouseEvents, warehouseConsumer, module, syncProcessor, warehouseProcessor };
};
