import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { warehouseEventErrorStatuses, type WarehouseEventsService } from '../application/warehouseEvents.js';
import type { WarehouseRejections } from '../domain/ports/warehouseFeed.js';
import { WarehouseEventMessage } from '../domain/warehouse/warehouseEventMessage.js';
import { callerOf } from './caller.js';
import { HttpError, registerErrorStatuses } from './problem.js';

export type WarehouseEventRoutesDeps = Readonly<{ warehouseEvents: WarehouseEventsService; rejections: WarehouseRejections }>;

const Accepted = z.object({
  outcome: z.enum(['recorded', 'duplicate']).describe('recorded: applied now (202); duplicate: this messageId was applied before (200), nothing changed'),
  orderId: z.string(),
  messageId: z.string(),
});

const RejectedView = z.object({
  revision: z.number().int(),
  tenantId: z.string().nullable(),
  messageId: z.string().nullable(),
  messageType: z.string().nullable(),
  orderId: z.string().nullable(),
  reason: z.string(),
  detail: z.string(),
  payloadHash: z.string(),
  payloadBytes: z.number().int(),
  source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
  rejectedAt: z.string(),
});

/**
 * Warehouse events in over HTTP (the same JSON as Kafka topic oms.warehouse-events.v1), for a WMS
 * without Kafka; and the messages the Kafka consumer had to reject, for the tenant to follow up.
 */
export const warehouseEventRoutes: FastifyPluginAsyncZod<WarehouseEventRoutesDeps> = async (app, deps) => {
  registerErrorStatuses(warehouseEventErrorStatuses);

  app.post(
    '/warehouse/events',
    {
      schema: {
        tags: ['warehouse'],
        summary: 'Report what the warehouse did with a released order (shipment, rejection, cancellation); idempotent on messageId',
        description:
          'The same JSON as Kafka topic oms.warehouse-events.v1 (docs/warehouse-event.schema.json). 202 when recorded, 200 when ' +
          'this messageId was recorded before (nothing changes). Refusals record nothing: order_not_found, line_not_released, ' +
          'quantity_exceeds_released (422); order_not_released, order_cancelled, nothing_outstanding (409); tenant_mismatch (403).',
        body: WarehouseEventMessage,
        response: { 200: Accepted, 202: Accepted },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const message = request.body;
      if (message.tenantId !== caller.tenantId) {
        throw new HttpError(403, 'tenant_mismatch', 'The message names another tenant than the API key');
      }
      const result = await deps.warehouseEvents.record(message, { ...caller.metadata, source: 'http' });
      return reply.code(result.outcome === 'recorded' ? 202 : 200).send({ outcome: result.outcome, orderId: result.orderId, messageId: result.messageId });
    },
  );

  app.get(
    '/warehouse/events/rejected',
    {
      schema: {
        tags: ['warehouse'],
        summary: 'Warehouse messages from Kafka that could not be applied (reason, detail, payload hash), latest first',
        querystring: z.strictObject({
          after: z.string().max(100).meta({ pattern: '^[A-Za-z0-9_-]+$' }).optional().describe('nextCursor of the previous page (opaque)'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ items: z.array(RejectedView), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { tenantId } = callerOf(request);
      return deps.rejections.list(tenantId, { after: request.query.after ?? null, limit: request.query.limit });
    },
  );
};
