import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics, on a registry of its own (several apps can live in one test
 * process). Components record through the typed handles; collectors that need I/O (lag) are
 * registered by the composition root and run at scrape time.
 */
export const createMetrics = () => {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'oms' });
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'oms_http_request_duration_seconds',
    help: 'HTTP request latency by route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const projectionLag = new Gauge({
    name: 'oms_projection_lag_seconds',
    help: 'Age of the oldest event a projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [registry],
  });
  const projectionBehind = new Gauge({
    name: 'oms_projection_events_behind',
    help: 'Events a projection has not applied yet (capped at 100000)',
    labelNames: ['projection'] as const,
    registers: [registry],
  });
  const reactorBehind = new Gauge({
    name: 'oms_reactor_events_behind',
    help: 'Matching events a reactor (release policy, marketplace sync) has not reacted to yet (capped at 100000)',
    labelNames: ['reactor'] as const,
    registers: [registry],
  });
  const projectionFailed = new Gauge({
    name: 'oms_projection_failed',
    help: '1 when a projection stopped on an event it cannot apply',
    labelNames: ['projection'] as const,
    registers: [registry],
  });
  const projectionEvents = new Counter({
    name: 'oms_projection_events_applied_total',
    help: 'Events applied by projections since start',
    labelNames: ['projection'] as const,
    registers: [registry],
  });

  const pulls = new Counter({
    name: 'oms_pulls_total',
    help: 'Store pulls by outcome (ok, or the failure reason)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const pullDuration = new Histogram({
    name: 'oms_pull_duration_seconds',
    help: 'Duration of store pulls',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const pullStoresFailing = new Gauge({
    name: 'oms_pull_stores_failing',
    help: 'Active stores whose pulls keep failing (3+ in a row), by the last failure reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const authorizationsReauthorizationRequired = new Gauge({
    name: 'oms_authorizations_reauthorization_required',
    help: 'Authorizations whose consent was revoked (refresh token refused): their pulls stop until the seller authorizes again',
    labelNames: ['platform'],
    registers: [registry],
  });
  const authorizationsRenewalDue = new Gauge({
    name: 'oms_authorizations_renewal_due',
    help: 'Active or paused authorizations within 30 days of their renewal date',
    labelNames: ['platform'],
    registers: [registry],
  });
  const ordersPulled = new Counter({ name: 'oms_orders_pulled_total', help: 'New or changed orders recorded by pulls', registers: [registry] });
  const pullBackpressureWait = new Counter({
    name: 'oms_pull_backpressure_wait_seconds_total',
    help: 'Time pulled pages waited for the release policy to catch up (PULL_MAX_BACKLOG)',
    registers: [registry],
  });
  const pullBackpressurePages = new Counter({
    name: 'oms_pull_backpressure_pages_total',
    help: 'Pages that waited for the release policy, by how the wait ended (caught_up, stalled, max_wait)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const feedLatency = new Histogram({
    name: 'oms_feed_publish_latency_seconds',
    help: 'From the hand-off event to the broker acknowledgement',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const feedLag = new Gauge({ name: 'oms_feed_lag_seconds', help: 'Age of the oldest hand-off event not yet acknowledged by Kafka', registers: [registry] });
  const feedBrokerUp = new Gauge({ name: 'oms_feed_broker_up', help: '1 when the Kafka broker answers the publisher', registers: [registry] });

  const ordersRejected = new Counter({
    name: 'oms_orders_rejected_total',
    help: 'Orders pulls could not read (recorded as OrderRejected, listed at GET /v1/orders/rejected); counted each time a pull meets one',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const handoffDecisions = new Counter({
    name: 'oms_orders_handoff_total',
    help: 'Hand-off decisions: released, updated, cancelled, held, hold dropped, marketplace-fulfilled',
    labelNames: ['decision'] as const,
    registers: [registry],
  });

  const buyerDataErased = new Counter({ name: 'oms_buyer_data_erased_total', help: 'Orders whose buyer data key was shredded by this instance (retention)', registers: [registry] });
  const retentionOrders = new Gauge({
    name: 'oms_retention_orders',
    help: 'Terminal orders by retention state: due (past the retention period, not erased), waiting, erased',
    labelNames: ['state'],
    registers: [registry],
  });
  const retentionLastRun = new Gauge({ name: 'oms_retention_last_run_timestamp_seconds', help: 'When the retention job last ran (any instance)', registers: [registry] });
  const marketplaceConfirmations = new Counter({
    name: 'oms_marketplace_confirmations_total',
    help: 'Acknowledgements, shipment confirmations and cancellations sent to the marketplaces, by outcome (confirmed, retrying, failed)',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  const walmartUnacknowledgedNearDeadline = new Gauge({
    name: 'oms_walmart_unacknowledged_near_deadline',
    help: 'Released seller-fulfilled Walmart orders not acknowledged 3 h or more after they were created (Walmart expects 4 h)',
    registers: [registry],
  });

  return { registry, buyerDataErased, retentionOrders, retentionLastRun, marketplaceConfirmations, walmartUnacknowledgedNearDeadline, authorizationsReauthorizationRequired, authorizationsRenewalDue, ordersRejected, handoffDecisions, feedLatency, feedLag, feedBrokerUp, pulls, pullDuration, ordersPulled, pullBackpressureWait, pullBackpressurePages, pullStoresFailing, httpDuration, projectionLag, projectionBehind, reactorBehind, projectionFailed, projectionEvents };
};

export type Metrics = ReturnType<typeof createMetrics>;
