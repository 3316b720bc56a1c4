import { retentionJob } from '../adapters/scheduler/retentionJob.js';
import { retentionStore } from '../adapters/scheduler/retentionStore.js';
import { retentionService } from '../application/retention.js';
import type { Module, Platform, Processor } from './module.js';

/** Buyer-data retention (docs/retention.md): shred each terminal order's key after the retention period. */
export const retentionModule = (p: Platform) => {
  const { config, metrics } = p;
  const retention = retentionService({
    store: p.store,
    vault: p.vault,
    clock: p.clock,
    due: retentionStore(p.db),
    retentionDays: config.retention.days,
    onErased: (n) => metrics.buyerDataErased.inc(n),
  });
  const job = retentionJob({ runOnce: retention.runOnce, intervalMs: config.retention.intervalMs, log: p.log.child({ component: 'retention' }) });
  const module: Module = {
    refreshGauges: async () => {
      const r = await retention.counts();
      for (const state of ['due', 'waiting', 'erased'] as const) metrics.retentionOrders.labels(state).set(r[state]);
      if (r.lastRun) metrics.retentionLastRun.set(Date.parse(r.lastRun.at) / 1000);
    },
  };
  const processor: Processor = {
    start: () => {
      if (config.retention.jobEnabled) job.start();
    },
    stop: () => job.stop(),
  };
  return { retention, module, processor };
};
