import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvalidCursorError } from '../domain/ports/cursors.js';
import type { OrderQueries, TenantOrderQueries } from '../domain/ports/orderQueries.js';
import type { HandoffState } from '../domain/order/fulfillment.js';
import type { WarehouseHandoffState } from '../domain/warehouse/warehouseDecision.js';
import { WarehouseLine, type HoldReason } from '../domain/order/fulfillmentEvents.js';
import { Money, OrderStatus, PlatformOrderLine } from '../domain/order/platformOrder.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { requireTenant } from './auth.js';
import { callerOf } from './caller.js';
import { HttpError, registerErrorStatuses } from './problem.js';
import type { AppDeps } from '../application/context.js';
import type { OrderActions } from '../application/orderActions.js';
import { mayDo, type ActorKind, type OrderPermission } from '../domain/order/operatorActions.js';
import { ShipTo } from '../domain/order/platformOrder.js';
import { userOf } from './session.js';

export type OrderRoutesDeps = Readonly<{ orders: OrderQueries; app: AppDeps; actions: OrderActions }>;

/** Refusals of the order actions for the caller's role (403). */
export const orderRoleErrorStatuses = {
  order_action_forbidden: 403,
  buyer_data_forbidden: 403,
} as const;

/** The caller as the permission table knows it: a console user's role, or a tenant API key. */
const actorKindOf = (request: FastifyRequest): ActorKind => userOf(request)?.role ?? 'api_key';

const requirePermission = (request: FastifyRequest, what: OrderPermission) => {
  requireTenant(request);
  const who = actorKindOf(request);
  if (mayDo(who, what)) return;
  if (what === 'view_buyer_data') throw new HttpError(403, 'buyer_data_forbidden', `The buyer's data is shown to operators and seller admins only, not to ${who}`);
  throw new HttpError(403, 'order_action_forbidden', `${who} may not ${what.replaceAll('_', ' ')} an order`);
};

const Reason = z.string().trim().min(3).max(500);
const ActionResult = z.object({ orderId: z.string(), events: z.array(z.string()).describe('the events recorded'), at: z.string() });

const HANDOFF_STATES = [
  'none', 'held', 'released', 'cancelled', 'marketplace', 'dropped', 'withdrawn',
  // after release, from the warehouse's reports (docs/warehouse-events.md)
  'partially_shipped', 'shipped', 'rejected',
] as const satisfies readonly (HandoffState | WarehouseHandoffState)[];

const Cursor = z.string().min(1).max(400).meta({ pattern: '^[A-Za-z0-9_-]+$' }).describe('nextCursor of the previous page (opaque)');
const Limit = z.coerce.number().int().min(1).max(500).default(50);
const OrderParams = z.strictObject({ orderId: z.uuid() });
const nullableTime = z.string().nullable();

/**
 * An ISO 8601 instant PostgreSQL 15 can compare with: years 0001–9999 (it refuses year 0000) and
 * offsets within ±15:59 (it refuses larger displacements). The date part is zod's (real calendar
 * days); a pattern rather than a refinement, so the OpenAPI document states exactly this.
 */
const YEAR = '(?!0000)\\d{4}';
const LEAP_DAY = '(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29';
const DAY = `${YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))`;
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?';
const OFFSET = '(?:Z|[+-](?:0\\d|1[0-5]):[0-5]\\d)';
const Instant = z
  .string()
  .regex(new RegExp(`^(?:(?!0000)${LEAP_DAY}|${DAY})T${TIME}${OFFSET}$`), 'an ISO 8601 date-time with seconds and an offset (Z or ±hh:mm up to ±15:59), years 0001–9999');

const HandoffView = z.object({
  state: z.string(),
  holdSkus: z.array(z.string()),
  heldSince: nullableTime,
  releasedAt: nullableTime,
  lastMessageType: z.string().nullable(),
  lastMessageAt: nullableTime,
});

const OrderSummaryView = z.object({
  orderId: z.string(),
  storeId: z.string(),
  platform: z.string(),
  marketplaceId: z.string(),
  platformOrderId: z.string(),
  status: z.string(),
  platformStatus: z.string(),
  fulfillmentChannel: z.string(),
  purchasedAt: z.string(),
  updatedAt: z.string(),
  shipBy: nullableTime,
  serviceLevel: z.string().nullable(),
  handoff: HandoffView,
  lineCount: z.number(),
});

/** GET /v1/orders: one page. */
export const OrderListView = z.object({ items: z.array(OrderSummaryView), nextCursor: z.string().nullable() });

const HandoffStepView = z.object({
  type: z.string(),
  revision: z.number(),
  at: z.string(),
  recordedAt: z.string(),
  unmappedSkus: z.array(z.string()).optional(),
  reason: z.string().optional(),
  mappingVersions: z.record(z.string(), z.number()).optional(),
  lineCount: z.number().optional(),
  holdReasons: z.array(z.string()).optional(),
  actor: z.string().optional(),
  platformLineIds: z.array(z.string()).optional(),
});

/** Why an order is held (domain/order/fulfillmentEvents.ts HoldReason). */
const HOLD_REASONS = [
  'unmapped_sku', 'address_incomplete', 'unknown_status', 'unknown_fulfillment', 'duplicate_order', 'cancellation_requested', 'operator_hold',
] as const satisfies readonly HoldReason['code'][];

/** rm_marketplace_sync.state (domain/marketplaceSync/orderSync.ts ConfirmationState). */
const CONFIRMATION_STATES = ['none', 'pending', 'confirmed', 'failed'] as const;

const OrderDetailView = OrderSummaryView.extend({
  deliverBy: nullableTime,
  shipToCountry: z.string().nullable(),
  shipToRegion: z.string().nullable(),
  orderTotal: Money.nullable(),
  versions: z.number(),
  firstPulledAt: z.string(),
  lastPulledAt: z.string(),
  lines: z.array(PlatformOrderLine),
  warehouseLines: z.array(WarehouseLine),
  holdReasons: z.array(
    z.object({
      code: z.enum(HOLD_REASONS),
      since: nullableTime,
      platformSku: z.string().optional(),
      missingFields: z.array(z.string()).optional(),
      ownerStoreId: z.string().optional(),
      ownerOrderId: z.string().optional(),
      platformStatus: z.string().optional(),
      platformLineIds: z.array(z.string()).optional(),
      reason: z.string().optional().describe('operator_hold: why'),
      actor: z.string().optional().describe('operator_hold: who held it'),
    }),
  ),
  mappingVersions: z.record(z.string(), z.number()),
  handoffHistory: z.array(HandoffStepView),
  /** What the marketplace has heard about the order (issue #15); null before the release. */
  marketplaceSync: z
    .object({
      state: z.enum(CONFIRMATION_STATES),
      acknowledgedAt: nullableTime,
      confirmedLines: z.record(z.string(), z.number()),
      cancelledLines: z.record(z.string(), z.number()),
      pending: z.array(z.string()),
      failed: z.array(z.string()),
      lastError: z
        .object({ action: z.string(), key: z.string(), code: z.string(), status: z.number().nullable(), message: z.string(), permanent: z.boolean(), attempt: z.number(), at: z.string() })
        .nullable(),
      nextRetryAt: nullableTime,
    })
    .nullable(),
  warehouse: z
    .object({
      lines: z.array(z.object({ lineId: z.string(), released: z.number(), shipped: z.number(), stopped: z.number() })),
      shipments: z.array(
        z.object({
          messageId: z.string(),
          shipmentId: z.string(),
          carrier: z.string(),
          trackingNumber: z.string(),
          trackingUrl: z.string().nullable().describe('The carrier’s tracking page, when the warehouse gave one'),
          shipMethod: z.string().nullable(),
          shippedAt: z.string(),
          lines: z.array(z.object({ lineId: z.string(), quantity: z.number() })),
          recordedAt: z.string(),
        }),
      ),
      stops: z.array(
        z.object({
          type: z.enum(['rejected', 'cancelled']),
          messageId: z.string(),
          reason: z.string(),
          lines: z.array(z.object({ lineId: z.string(), quantity: z.number() })),
          occurredAt: z.string(),
          recordedAt: z.string(),
        }),
      ),
    })
    .describe('What the warehouse reported (POST /v1/warehouse/events or Kafka): units shipped and stopped per warehouse line, shipments with carrier and tracking, rejections and cancellations'),
  buyerData: z
    .object({ state: z.enum(['sealed', 'erased', 'none']), erasedAt: nullableTime })
    .describe('The buyer data (never shown here): sealed in the vault, erased after the retention period (docs/retention.md), or none given'),
});

const HistoryEntryView = z.object({
  revision: z.number(),
  type: z.string(),
  recordedAt: z.string(),
  actor: z.string().nullable(),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable(),
  schemaVersion: z.number(),
  data: z.record(z.string(), z.unknown()),
});

const WarehouseLineRowView = z.object({
  orderId: z.string(),
  storeId: z.string(),
  platformOrderId: z.string(),
  handoffState: z.string(),
  releasedAt: nullableTime,
  lineId: z.string(),
  sku: z.string(),
  quantity: z.number(),
  source: WarehouseLine.shape.source,
});

const RejectedOrderView = z.object({
  storeId: z.string(),
  platform: z.string(),
  platformOrderId: z.string().nullable(),
  reason: z.string(),
  payloadHash: z.string().describe('HMAC-SHA256 of the payload: equal payloads, equal hashes; no buyer data'),
  lastPullId: z.string(),
  firstRejectedAt: z.string(),
  lastRejectedAt: z.string(),
  rejections: z.number().describe('distinct payloads of this order that could not be read'),
  state: z.enum(['open', 'resolved']),
  orderId: z.string().nullable().describe('the order as recorded by a later pull (resolved)'),
});

/** Drop the optional query values that were not given (the query layer adds a condition per key). */
const given = <T extends Record<string, unknown>>(query: T) =>
  Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

/** A page query with a cursor the client may have mangled: a bad cursor is the client's error. */
const paged = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_cursor', error.message);
    throw error;
  }
};

/**
 * The calling tenant's orders: the list with filters, one order with its lines and hand-off, its
 * audit history, the SKUs holding a store's orders, and the SKU-expansion table. Another tenant's
 * order or store answers 404, as a missing one does.
 */
export const orderRoutes: FastifyPluginAsyncZod<OrderRoutesDeps> = async (app, deps) => {
  const queriesOf = (request: FastifyRequest): TenantOrderQueries => deps.orders.forTenant(requireTenant(request).tenantId);
  registerErrorStatuses(orderRoleErrorStatuses);

  app.post(
    '/orders/:orderId/release',
    {
      schema: {
        tags: ['orders'],
        summary:
          'Release an order held by a person, held as a duplicate (duplicate_order) on purpose, or held for an address corrected since; recorded with the caller and the reason',
        params: OrderParams,
        body: z.strictObject({ reason: Reason.describe('why it may go to the warehouse') }),
        response: { 202: ActionResult.extend({ authorizedAt: z.string() }) },
      },
    },
    async (request, reply) => {
      requirePermission(request, 'release');
      const result = await deps.actions.release(callerOf(request), request.params.orderId, request.body.reason);
      return reply.code(202).send({ ...result, authorizedAt: result.at });
    },
  );

  /** hold, cancel and re-send: the same shape (a reason), each its own permission and summary. */
  const simpleActions = [
    ['hold', 'Hold an order (before or after its release: a released order is withdrawn from the warehouse) until a person releases it', deps.actions.hold],
    ['cancel', 'Cancel an order toward the warehouse (terminal; the warehouse gets FulfillmentOrderCancelled when it had the order)', deps.actions.cancel],
    ['resend', 'Send the current release to the warehouse again (FulfillmentOrderReleased with a new message id)', deps.actions.resend],
  ] as const;
  for (const [action, summary, run] of simpleActions) {
    app.post(
      `/orders/:orderId/${action}`,
      {
        schema: {
          tags: ['orders'],
          summary,
          params: OrderParams,
          body: z.strictObject({ reason: Reason.describe('why (recorded with the caller)') }),
          response: { 202: ActionResult },
        },
      },
      async (request, reply) => {
        requirePermission(request, action);
        return reply.code(202).send(await run(callerOf(request), request.params.orderId, request.body.reason));
      },
    );
  }

  app.put(
    '/orders/:orderId/ship-to',
    {
      schema: {
        tags: ['orders'],
        summary: "Correct the order's ship-to (sealed like all buyer data; a released order's warehouse gets FulfillmentOrderUpdated)",
        params: OrderParams,
        body: z.strictObject({
          reason: Reason.describe('why (recorded with the caller)'),
          shipTo: z.strictObject({
            name: z.string().trim().min(1).max(200),
            addressLines: z.array(z.string().trim().min(1).max(200)).min(1).max(3),
            city: z.string().trim().min(1).max(200),
            stateOrRegion: z.string().trim().max(200).nullable().default(null),
            postalCode: z.string().trim().max(40).nullable().default(null),
            countryCode: z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code'),
            phone: z.string().trim().max(100).nullable().default(null),
          }),
        }),
        response: { 202: ActionResult },
      },
    },
    async (request, reply) => {
      requirePermission(request, 'correct_ship_to');
      const shipTo = ShipTo.parse({ ...request.body.shipTo, postalCode: request.body.shipTo.postalCode || null });
      return reply.code(202).send(await deps.actions.correctShipTo(callerOf(request), request.params.orderId, shipTo, request.body.reason));
    },
  );

  app.get(
    '/orders/:orderId/buyer',
    {
      schema: {
        tags: ['orders'],
        summary: "The order's buyer data (ship-to, buyer): operators and seller admins only; every view is recorded (BuyerDataViewed)",
        params: OrderParams,
        response: {
          200: z.object({
            orderId: z.string(),
            erased: z.boolean().describe('the buyer data was erased: nothing can be shown'),
            shipTo: ShipTo.nullable(),
            buyer: z.object({ name: z.string().nullable(), email: z.string().nullable() }).nullable(),
            shipToSource: z.enum(['marketplace', 'corrected']).nullable(),
            viewedAt: z.string(),
          }),
        },
      },
    },
    async (request, reply) => {
      requirePermission(request, 'view_buyer_data');
      const view = await deps.actions.buyerData(callerOf(request), request.params.orderId);
      return reply.header('cache-control', 'no-store').send(view);
    },
  );

  app.get(
    '/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Orders, newest purchase first, with filters and a keyset cursor',
        querystring: z.strictObject({
          storeId: z.uuid().optional(),
          platform: z.enum(['amazon', 'walmart']).optional(),
          status: OrderStatus.optional().describe('the normalized order status'),
          handoff: z.enum(HANDOFF_STATES).optional().describe('hand-off to the warehouse'),
          holdReason: z
            .enum(HOLD_REASONS)
            .optional()
            .describe('held orders with this reason among their current ones (as the detail’s holdReasons); implies handoff=held'),
          confirmation: z.enum(CONFIRMATION_STATES).optional().describe('what the marketplace has heard: none, pending, confirmed, failed'),
          from: Instant.optional().describe('purchased at or after'),
          to: Instant.optional().describe('purchased before'),
          sku: z.string().min(1).max(256).optional().describe('platform SKU on an order line, or system SKU on a warehouse line'),
          q: z.string().trim().min(1).max(100).optional().describe('part of the platform order id (case-insensitive)'),
          after: Cursor.optional(),
          limit: Limit,
        }),
        response: { 200: OrderListView },
      },
    },
    async (request, reply) => {
      const { after, limit, ...filters } = request.query;
      const page = await paged(() => queriesOf(request).list({ ...given(filters), after: after ?? null, limit }));
      // JSON.stringify alone: the rows are built field by field in the schema's order (toSummary in
      // adapters/readModels/orderQueries.ts), so zod's encoding of every item added nothing but CPU;
      // test/http/ordersListBody.test.ts holds the body to what the schema's encoding gives.
      return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(page);
    },
  );

  app.get(
    '/orders/rejected',
    {
      schema: {
        tags: ['orders'],
        summary: 'Marketplace orders a pull could not read (reason, payload hash), latest first; a later pull that reads one resolves it',
        querystring: z.strictObject({
          storeId: z.uuid().optional(),
          state: z.enum(['open', 'resolved']).optional(),
          after: Cursor.optional(),
          limit: Limit,
        }),
        response: { 200: z.object({ items: z.array(RejectedOrderView), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { after, limit, ...filters } = request.query;
      return paged(() => queriesOf(request).rejected({ ...given(filters), after: after ?? null, limit }));
    },
  );

  app.get(
    '/orders/:orderId',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order: platform data (no buyer data), lines, warehouse lines, hold reasons, hand-off history',
        params: OrderParams,
        response: { 200: OrderDetailView },
      },
    },
    async (request) => {
      const order = await queriesOf(request).get(request.params.orderId);
      if (!order) throw new NotFoundError('Order');
      return order;
    },
  );

  app.get(
    '/orders/:orderId/history',
    {
      schema: {
        tags: ['orders'],
        summary: "The order's events for audit, oldest first (sealed buyer data shown as a marker)",
        params: OrderParams,
        response: { 200: z.object({ items: z.array(HistoryEntryView) }) },
      },
    },
    async (request) => {
      const items = await queriesOf(request).history(request.params.orderId);
      if (!items) throw new NotFoundError('Order');
      return { items };
    },
  );

  app.get(
    '/stores/:storeId/unmapped-skus',
    {
      schema: {
        tags: ['mappings'],
        summary: "Platform SKUs without a mapping that hold this store's orders",
        params: z.strictObject({ storeId: z.uuid() }),
        response: {
          200: z.object({ items: z.array(z.object({ platformSku: z.string(), heldOrders: z.number(), oldestHeldSince: nullableTime })) }),
        },
      },
    },
    async (request) => {
      const items = await queriesOf(request).unmappedSkus(request.params.storeId);
      if (!items) throw new NotFoundError('Store');
      return { items };
    },
  );

  app.get(
    '/warehouse-lines',
    {
      schema: {
        tags: ['orders'],
        summary: 'The SKU-expansion table: one row per warehouse line of released orders',
        querystring: z.strictObject({
          storeId: z.uuid().optional(),
          orderId: z.uuid().optional(),
          sku: z.string().min(1).max(256).optional().describe('system SKU, or the platform SKU a line was expanded from'),
          after: Cursor.optional(),
          limit: Limit,
        }),
        response: { 200: z.object({ items: z.array(WarehouseLineRowView), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { after, limit, ...filters } = request.query;
      return paged(() => queriesOf(request).warehouseLines({ ...given(filters), after: after ?? null, limit }));
    },
  );
};
