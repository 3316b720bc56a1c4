import { OrderPulled } from '../domain/order/events.js';
import { fulfillmentDecider, type OrderStreamEvent } from '../domain/order/fulfillment.js';
import { FulfillmentEvent, OrderReleaseAuthorized } from '../domain/order/fulfillmentEvents.js';
import { isHandoffStreamEvent } from '../domain/order/streamEvents.js';
import type { RecordedEvent } from '../domain/ports/eventStore.js';
import { decodeWith, toNewEvents } from '../domain/shared/commandHandler.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import type { AppDeps, Caller } from './context.js';

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeOrderEvent = (r: RecordedEvent): OrderStreamEvent => (r.type === 'OrderPulled' ? decodePulled(r) : decodeFulfillment(r));

/** Refusal codes of POST /v1/orders/:id/release (HTTP 409). */
export const RELEASE_ERRORS = { release_not_allowed: 409 } as const;

/**
 * An operator releases an order held as `duplicate_order` on purpose (the seller really sold it
 * twice, under two stores): recorded as OrderReleaseAuthorized with the actor and the reason; the
 * release policy then decides, as for any order (other holds, such as an unmapped SKU, still apply).
 * Refused with `release_not_allowed` unless the order is held for being a duplicate.
 */
export const authorizeRelease = async (deps: AppDeps, caller: Caller, orderId: string, reason: string) => {
  const streamId = `order-${orderId}`;
  const recorded = await deps.store.readStream(streamId);
  const state = recorded.filter(isHandoffStreamEvent).map(decodeOrderEvent).reduce(fulfillmentDecider.evolve, fulfillmentDecider.initialState());
  if (!state.pulled || state.pulled.tenantId !== caller.tenantId) throw new NotFoundError('Order');
  const duplicate = state.handoff === 'held' && state.holdReasons.some((r) => r.code === 'duplicate_order');
  if (!duplicate) {
    throw new DomainError('release_not_allowed', 'Only an order held as a duplicate (duplicate_order) can be released by an operator', {
      handoffState: state.handoff,
      holdReasons: state.holdReasons.map((r) => r.code),
    });
  }
  const { tenantId, storeId } = state.pulled;
  const event = OrderReleaseAuthorized.parse({
    type: 'OrderReleaseAuthorized',
    schemaVersion: 1,
    data: { orderId, tenantId, storeId, actor: caller.metadata.actor ?? 'unknown', reason, authorizedAt: deps.clock.now().toISOString() },
  });
  // Expected revision: a decision recorded meanwhile (released, withdrawn) answers 409 concurrency_conflict.
  await deps.store.append(streamId, toNewEvents([event], caller.metadata, deps.ids), recorded.length - 1);
  return { orderId, authorizedAt: event.data.authorizedAt };
};
