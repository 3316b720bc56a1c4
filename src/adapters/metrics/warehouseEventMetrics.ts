import { Counter, type Registry } from 'prom-client';
import type { WarehouseEventsService } from '../../application/warehouseEvents.js';
import { DomainError } from '../../domain/shared/errors.js';

/** Warehouse events in (Kafka and HTTP): on the service's registry, beside the other metrics. */
export const warehouseEventMetrics = (registry: Registry) => ({
  messages: new Counter({
    name: 'oms_warehouse_messages_total',
    help: 'Warehouse messages handled, by source (kafka, http) and outcome (recorded, duplicate, rejected)',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  }),
  rejected: new Counter({
    name: 'oms_warehouse_messages_rejected_total',
    help: 'Warehouse messages refused, by reason (invalid_json, invalid_message, order_not_found, line_not_released, …); Kafka ones are listed at GET /v1/warehouse/events/rejected',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
});
export type WarehouseEventMetrics = ReturnType<typeof warehouseEventMetrics>;

/**
 * The warehouse-event use cases with their HTTP outcomes counted like the Kafka ones (a refusal is the
 * HTTP 4xx, counted by its code).
 */
export const countedOverHttp = (service: WarehouseEventsService, metrics: WarehouseEventMetrics): WarehouseEventsService => ({
  ...service,
  record: async (...args) => {
    try {
      const result = await service.record(...args);
      metrics.messages.labels('http', result.outcome).inc();
      return result;
    } catch (error) {
      if (error instanceof DomainError) {
        metrics.messages.labels('http', 'rejected').inc();
        metrics.rejected.labels(error.code).inc();
      }
      throw error;
    }
  },
});
