import { z } from 'zod';

/**
 * What people (operators, seller admins) did to an order, each with who (`actor`) and why
 * (`reason`, required). They live in the order's stream beside the release policy's decisions;
 * the warehouse hears of those that change what it must do (see docs/order-actions.md):
 * - OrderHeldByOperator with wasReleased → a FulfillmentOrderCancelled message (the warehouse stops;
 *   the later release sends FulfillmentOrderReleased again),
 * - OrderCancelledByOperator with wasReleased → FulfillmentOrderCancelled,
 * - FulfillmentOrderResent → FulfillmentOrderReleased with the lines last sent (a new message id),
 * - ShipToCorrected with wasReleased → FulfillmentOrderUpdated with the new ship-to.
 */
const Base = { orderId: z.string(), tenantId: z.string(), storeId: z.string() };
const Actor = z.string().min(1);
const Reason = z.string().min(1).max(500);

/** Held by a person: the release policy does not release the order until a person releases it. */
export const OrderHeldByOperator = z.object({
  type: z.literal('OrderHeldByOperator'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    actor: Actor,
    reason: Reason,
    /** The warehouse had the order (it was released): it is told to stop. */
    wasReleased: z.boolean(),
    /** Held since (the earlier hold's start when the order was held already). */
    heldSince: z.iso.datetime(),
    heldAt: z.iso.datetime(),
  }),
});

/**
 * A person released the order: their own hold is lifted, or an order held for its address (corrected
 * since) is let go. `handoff` is where the order stands right after: `none` when it was held only by
 * the person before any decision, else `held` until the release policy decides again (and releases it).
 */
export const OrderReleasedByOperator = z.object({
  type: z.literal('OrderReleasedByOperator'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, actor: Actor, reason: Reason, handoff: z.enum(['none', 'held']), releasedAt: z.iso.datetime() }),
});

/** Cancelled by a person (terminal). The warehouse is told when it had the order. */
export const OrderCancelledByOperator = z.object({
  type: z.literal('OrderCancelledByOperator'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, actor: Actor, reason: Reason, wasReleased: z.boolean(), cancelledAt: z.iso.datetime() }),
});

/** The release the warehouse has is sent again (it lost it, or asks): the same lines under a new message id. */
export const FulfillmentOrderResent = z.object({
  type: z.literal('FulfillmentOrderResent'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, actor: Actor, reason: Reason, resentAt: z.iso.datetime() }),
});

/**
 * A person corrected the ship-to. The address is buyer data: `personalData` is sealed JSON
 * `{ shipTo }` (vault owner `order-<orderId>`, so erasing the order erases it too); only the
 * non-identifying country and region, and the label fields still missing (none), are readable.
 * It replaces the marketplace's ship-to for the order from now on.
 */
export const ShipToCorrected = z.object({
  type: z.literal('ShipToCorrected'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    actor: Actor,
    reason: Reason,
    personalData: z.string(),
    shipToCountry: z.string().nullable(),
    shipToRegion: z.string().nullable(),
    shipToMissing: z.array(z.string()),
    wasReleased: z.boolean(),
    correctedAt: z.iso.datetime(),
  }),
});

/** Someone opened the order's buyer data (address, buyer fields): who, when, which order. */
export const BuyerDataViewed = z.object({
  type: z.literal('BuyerDataViewed'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, actor: Actor, viewedAt: z.iso.datetime() }),
});

export const OPERATOR_EVENTS = [OrderHeldByOperator, OrderReleasedByOperator, OrderCancelledByOperator, FulfillmentOrderResent, ShipToCorrected, BuyerDataViewed] as const;

/** Operator events the warehouse feed maps to messages (some only when `wasReleased`). */
export const OPERATOR_FEED_EVENT_TYPES = ['OrderHeldByOperator', 'OrderCancelledByOperator', 'FulfillmentOrderResent', 'ShipToCorrected'] as const;
