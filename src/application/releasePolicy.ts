import { MappingEvent } from '../domain/mapping/events.js';
import { mappingDecider } from '../domain/mapping/decider.js';
import { mappingStreamId } from '../domain/mapping/streams.js';
import type { MappingLookup } from '../domain/mapping/lookups.js';
import { OrderPulled } from '../domain/order/events.js';
import { fulfillmentDecider, platformSkusOf, type OrderStreamEvent } from '../domain/order/fulfillment.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import type { EventFilter, RecordedEvent } from '../domain/ports/eventStore.js';
import type { Sql } from '../domain/ports/sql.js';
import { decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import { ConcurrencyError } from '../domain/shared/errors.js';
import type { AppDeps } from './context.js';

const decodeMapping = decodeWith(MappingEvent);
const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeOrderEvent = (r: RecordedEvent): OrderStreamEvent => (r.type === 'OrderPulled' ? decodePulled(r) : decodeFulfillment(r));

/** What wakes the policy: a pulled order version, or a mapping change (which may release held orders). */
export const RELEASE_POLICY_FILTER: EventFilter = { eventTypes: ['OrderPulled', 'MappingSet'] };

/**
 * The release policy (a process manager): it turns events into Evaluate commands; the decisions are
 * the fulfillment decider's. A new or changed order is evaluated; a mapping change re-evaluates the
 * store's orders held on that platform SKU.
 */
export const releasePolicy = (
  deps: AppDeps & Readonly<{ db: Sql; ordersCaughtUp: () => Promise<void>; onDecided?: (eventType: string) => void }>,
) => {
  const now = () => deps.clock.now().toISOString();

  /** The mappings in force now, read from their own streams (consistent with the write that woke us). */
  const mappingsFor = async (storeId: string, platformSkus: readonly string[]): Promise<MappingLookup> => {
    const entries = await Promise.all(
      platformSkus.map(async (sku) => {
        const { state } = await loadState(mappingDecider, decodeMapping, deps.store, mappingStreamId(storeId, sku));
        return state.status === 'mapped' ? ([sku, { version: state.version, components: state.components }] as const) : null;
      }),
    );
    return new Map(entries.filter((e) => e !== null));
  };

  const evaluate = async (orderId: string, cause: RecordedEvent) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, revision } = await loadState(fulfillmentDecider, decodeOrderEvent, deps.store, `order-${orderId}`);
      if (!state.pulled) return;
      const mappings = await mappingsFor(state.pulled.storeId, platformSkusOf(state));
      const events = fulfillmentDecider.decide({ type: 'Evaluate', data: { mappings, now: now() } }, state);
      if (!events.length) return;
      const metadata = {
        actor: 'system:release-policy',
        correlationId: typeof cause.metadata.correlationId === 'string' ? cause.metadata.correlationId : cause.id,
        causationId: cause.id,
      };
      try {
        await deps.store.append(`order-${orderId}`, toNewEvents(events, metadata, deps.ids), revision);
        for (const e of events) deps.onDecided?.(e.type);
        return;
      } catch (error) {
        // A pull appended a newer version meanwhile: decide again on it.
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  };

  return {
    react: async (event: RecordedEvent) => {
      if (event.type === 'OrderPulled') return evaluate(decodePulled(event).data.orderId, event);
      const mapping = decodeMapping(event);
      if (mapping.type !== 'MappingSet') return;
      await deps.ordersCaughtUp();
      const { rows } = await deps.db.query<{ order_id: string }>(
        `SELECT order_id FROM rm_orders WHERE store_id = $1 AND handoff_state = 'held' AND hold_skus @> $2::jsonb`,
        [mapping.data.storeId, JSON.stringify([mapping.data.platformSku])],
      );
      for (const { order_id } of rows) await evaluate(order_id, event);
    },
  };
};
