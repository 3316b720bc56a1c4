import { amazonOrderSource } from '../adapters/marketplaces/amazonOrderSource.js';
import { walmartOrderSource } from '../adapters/marketplaces/walmartOrderSource.js';
import { backlogGate } from '../adapters/projections/backlogGate.js';
import { orderLookups } from '../adapters/readModels/orderLookups.js';
import { pullScheduler } from '../adapters/scheduler/pullScheduler.js';
import { scheduleStore } from '../adapters/scheduler/scheduleStore.js';
import { pullLog } from '../application/pullLog.js';
import { pullService } from '../application/pulls.js';
import { RELEASE_POLICY_FILTER } from '../application/releasePolicy.js';
import { storeSettingsService } from '../application/storeSettings.js';
import type { AccessTokens } from '../domain/ports/orderSource.js';
import { routeGroup } from '../http/app.js';
import { storeRoutes } from '../http/stores.routes.js';
import { POLICY_RUNNER_NAME } from './handoff.js';
import type { Module, Platform, Processor } from './module.js';

/** Order pulling: the marketplaces' order sources, the schedule and its scheduler, the gate that paces pulls. */
export const pullsModule = (p: Platform, tokens: AccessTokens) => {
  const { config, metrics, timing } = p;
  const schedule = scheduleStore(p.db);
  // Pulls keep pace with the release policy: what it has not decided yet stays bounded (see backlogGate.ts).
  const pullGate = backlogGate({
    db: p.db,
    store: p.store,
    consumers: [{ name: POLICY_RUNNER_NAME, filter: RELEASE_POLICY_FILTER }],
    maxBacklog: config.pull.maxBacklog,
    maxWaitMs: config.pull.backlogMaxWaitMs,
    log: p.log.child({ component: 'pull-gate' }),
    onWaited: (ms, outcome) => {
      metrics.pullBackpressureWait.inc(ms / 1000);
      metrics.pullBackpressurePages.labels(outcome).inc();
    },
  });
  const pulls = pullService({
    ...p.appDeps,
    orders: orderLookups(p.db),
    vault: p.vault,
    schedule,
    sources: {
      amazon: amazonOrderSource({ spApiUrl: config.amazon.spApiUrl, tokens, timing, retry: config.marketplaceRetry }),
      walmart: walmartOrderSource({ apiUrl: config.walmart.apiUrl, tokens, timing, retry: config.marketplaceRetry, log: p.log.child({ component: 'walmart' }) }),
    },
    hashKey: p.derivedKey('oms/order-content-hash'),
    windowHours: config.pull.windowHours,
    sweepEveryHours: config.pull.sweepEveryHours,
    admitPage: pullGate.admit,
    onRejected: (platform, count) => metrics.ordersRejected.labels(platform).inc(count),
  });
  const scheduler = pullScheduler({
    schedule,
    pullGroup: (stores, signal) => pulls.pullGroup(stores, signal),
    log: p.log.child({ component: 'scheduler' }),
    intervalMinutes: config.pull.intervalMinutes,
    concurrency: config.pull.concurrency,
    leaseMs: config.pull.claimLeaseMs,
    onPull: (_storeId, outcome, ms) => {
      metrics.pulls.labels(outcome.ok ? 'ok' : outcome.reason).inc();
      metrics.pullDuration.observe(ms / 1000);
      if (outcome.ok) metrics.ordersPulled.inc(outcome.ordersNew + outcome.ordersChanged);
    },
  });
  const requestSync = async (storeId: string) => {
    const result = await schedule.requestNow(storeId);
    scheduler.wake();
    return result;
  };
  const module: Module = {
    routes: [
      routeGroup(
        storeRoutes,
        { queries: p.appDeps.queries, requestSync, changeSettings: storeSettingsService(p.appDeps).change, pullLog: pullLog(p.store) },
        '/v1',
      ),
    ],
    refreshGauges: async () => {
      metrics.pullStoresFailing.reset();
      for (const f of await schedule.failingByReason()) metrics.pullStoresFailing.labels(f.reason).set(f.stores);
    },
  };
  const processor: Processor = {
    start: () => {
      if (config.pull.schedulerEnabled) scheduler.start();
    },
    stop: () => scheduler.stop(),
  };
  return { pulls, schedule, scheduler, module, processor };
};
