import { feedCursorKey, httpFeedReader } from '../adapters/feed/httpFeed.js';
import { kafkaFeedPublisher } from '../adapters/kafka/feedPublisher.js';
import { eventReactor } from '../adapters/projections/reactor.js';
import { orderLookups } from '../adapters/readModels/orderLookups.js';
import { RELEASE_POLICY_FILTER, releasePolicy } from '../application/releasePolicy.js';
import { warehouseFeedSource } from '../application/warehouseFeed.js';
import { UnavailableError } from '../domain/shared/errors.js';
import { routeGroup } from '../http/app.js';
import { warehouseFeedRoutes } from '../http/warehouseFeed.routes.js';
import type { Module, Platform, Processor } from './module.js';

/** The release policy's checkpoint row (projection_checkpoints). */
export const POLICY_RUNNER_NAME = 'policy:release';

/**
 * Hand-off to the warehouse: the release policy deciding each order, and the warehouse feed — to
 * Kafka when KAFKA_BROKERS is set, over HTTP always.
 */
export const handoffModule = (p: Platform, ordersCaughtUp: () => Promise<void>) => {
  const { db, store, metrics } = p;
  const policy = releasePolicy({
    ...p.appDeps,
    orders: orderLookups(db),
    ordersCaughtUp,
    onDecided: (type) => metrics.handoffDecisions.labels(type).inc(),
  });
  const policyRunner = eventReactor({
    name: POLICY_RUNNER_NAME,
    db,
    store,
    filter: RELEASE_POLICY_FILTER,
    react: policy.react,
    reactBatch: policy.reactBatch,
    log: p.log.child({ component: 'release-policy' }),
    metrics: p.processingMetrics,
  });
  const feedSource = warehouseFeedSource({ store, vault: p.vault });
  const feed = p.config.kafka
    ? kafkaFeedPublisher({
        db,
        store,
        source: feedSource,
        kafka: p.config.kafka,
        log: p.log.child({ component: 'feed' }),
        metrics: p.processingMetrics,
        onPublished: (ms, n) => {
          for (let i = 0; i < n; i++) metrics.feedLatency.observe(ms / 1000);
        },
      })
    : null;
  const module: Module = {
    routes: [routeGroup(warehouseFeedRoutes, { feed: httpFeedReader({ store, source: feedSource, cursorKeys: p.masterKeys.map(feedCursorKey) }) }, '/v1')],
    checks: feed
      ? [
          {
            name: 'kafka',
            check: async () => {
              if (!(await feed.status()).brokerUp) throw new UnavailableError('kafka', 'broker unreachable');
            },
          },
        ]
      : [],
    refreshGauges: async () => {
      const behind = await policyRunner.eventsBehind();
      if (behind !== null) metrics.reactorBehind.labels(POLICY_RUNNER_NAME).set(behind);
      if (!feed) return;
      const f = await feed.status();
      metrics.feedLag.set(f.lagMs / 1000);
      metrics.feedBrokerUp.set(f.brokerUp ? 1 : 0);
    },
  };
  const policyProcessor: Processor = { start: () => policyRunner.start(), stop: () => policyRunner.stop() };
  const feedProcessor: Processor = { start: async () => feed?.start(), stop: async () => feed?.stop() };
  return { policyRunner, feedSource, feed, module, policyProcessor, feedProcessor };
};
