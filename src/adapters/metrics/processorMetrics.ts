import { Counter, Histogram, type Registry } from 'prom-client';
import type { ProcessorMetrics } from '../processing/processor.js';

/**
 * The event-processing runtime's hooks (src/adapters/processing) as Prometheus metrics, labelled by
 * processor: one object handed to every factory that builds processors (projections, reactors, the
 * Kafka feed), on the service's registry.
 */
export const processorMetrics = (registry: Registry): ProcessorMetrics => {
  const batches = new Counter({
    name: 'oms_processor_batches_total',
    help: 'Batches handed to a processor sink and stored (projections, reactors, the Kafka feed)',
    labelNames: ['processor'] as const,
    registers: [registry],
  });
  const events = new Counter({
    name: 'oms_processor_events_total',
    help: 'Events in the batches a processor handled',
    labelNames: ['processor'] as const,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'oms_processor_batch_seconds',
    help: "How long a processor's sink took for one batch (statements and checkpoint, reactions, or send and ack)",
    labelNames: ['processor'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'oms_processor_retries_total',
    help: 'Failed processor attempts retried after a back-off, by error code (SQLSTATE, node or domain code; never the message)',
    labelNames: ['processor', 'code'] as const,
    registers: [registry],
  });
  return {
    onBatch: (processor, n, ms) => {
      batches.labels(processor).inc();
      events.labels(processor).inc(n);
      batchSeconds.labels(processor).observe(ms / 1000);
    },
    onRetry: (processor, code) => retries.labels(processor, code).inc(),
  };
};
