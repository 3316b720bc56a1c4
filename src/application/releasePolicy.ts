import { MappingEvent } from '../domain/mapping/events.js';
import { mappingDecider } from '../domain/mapping/decider.js';
import { mappingStreamId } from '../domain/mapping/streams.js';
import type { MappingLookup } from '../domain/mapping/lookups.js';
import { OrderPulled } from '../domain/order/events.js';
import { fulfillmentDecider, platformSkusOf, type OrderStreamEvent } from '../domain/order/fulfillment.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import type { EventFilter, RecordedEvent } from '../domain/ports/eventStore.js';
import type { Sql } from '../domain/ports/sql.js';
import { decodeWith, toNewEvents } from '../domain/shared/commandHandler.js';
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

  /** Decisions are folded from streams: one order's, and the mapping streams of its platform SKUs. */
  const foldOrder = (recorded: readonly RecordedEvent[]) => ({
    state: recorded.map(decodeOrderEvent).reduce(fulfillmentDecider.evolve, fulfillmentDecider.initialState()),
    revision: recorded.length - 1,
  });
  const mappingOf = (recorded: readonly RecordedEvent[]) => {
    const state = recorded.map(decodeMapping).reduce(mappingDecider.evolve, mappingDecider.initialState());
    return state.status === 'mapped' ? { version: state.version, components: state.components } : null;
  };
  const lookupFrom = (skus: readonly string[], storeId: string, streams: ReadonlyMap<string, readonly RecordedEvent[]>): MappingLookup =>
    new Map(
      skus.flatMap((sku) => {
        const mapping = mappingOf(streams.get(mappingStreamId(storeId, sku)) ?? []);
        return mapping ? [[sku, mapping] as const] : [];
      }),
    );
  const metadataFor = (cause: RecordedEvent) => ({
    actor: 'system:release-policy',
    correlationId: typeof cause.metadata.correlationId === 'string' ? cause.metadata.correlationId : cause.id,
    causationId: cause.id,
  });

  /** The mappings in force now, read from their own streams (consistent with the write that woke us). */
  const mappingsFor = async (storeId: string, platformSkus: readonly string[]): Promise<MappingLookup> => {
    const streams = await Promise.all(platformSkus.map((sku) => deps.store.readStream(mappingStreamId(storeId, sku))));
    return lookupFrom(platformSkus, storeId, new Map(platformSkus.map((sku, i) => [mappingStreamId(storeId, sku), streams[i]!])));
  };

  /** One order, with retries when a pull appends a newer version between read and append. */
  const evaluate = async (orderId: string, cause: RecordedEvent) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, revision } = foldOrder(await deps.store.readStream(`order-${orderId}`));
      if (!state.pulled) return;
      const mappings = await mappingsFor(state.pulled.storeId, platformSkusOf(state));
      const events = fulfillmentDecider.decide({ type: 'Evaluate', data: { mappings, now: now() } }, state);
      if (!events.length) return;
      try {
        await deps.store.append(`order-${orderId}`, toNewEvents(events, metadataFor(cause), deps.ids), revision);
        for (const e of events) deps.onDecided?.(e.type);
        return;
      } catch (error) {
        // A pull appended a newer version meanwhile: decide again on it.
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  };

  /**
   * Many orders at once (a page of pulled orders, a mapping's held orders): their streams in one
   * read, their mappings in one read, their decisions in one multi-stream append — three round
   * trips for the lot instead of several per order. The same decisions as `evaluate` one by one
   * (each order's are folded from its own stream and the mappings in force); when a pull appended
   * to one of them meanwhile, the whole append is refused and each order is evaluated on its own.
   */
  const evaluateMany = async (causes: ReadonlyMap<string, RecordedEvent>) => {
    if (causes.size < 2) {
      for (const [orderId, cause] of causes) await evaluate(orderId, cause);
      return;
    }
    const orderStreams = await deps.store.readStreams([...causes.keys()].map((id) => `order-${id}`));
    const orders = [...causes].flatMap(([orderId, cause]) => {
      const { state, revision } = foldOrder(orderStreams.get(`order-${orderId}`) ?? []);
      return state.pulled ? [{ orderId, cause, state, revision, storeId: state.pulled.storeId, skus: platformSkusOf(state) }] : [];
    });
    const mappingStreams = await deps.store.readStreams([...new Set(orders.flatMap((o) => o.skus.map((sku) => mappingStreamId(o.storeId, sku))))]);
    const decided = orders.flatMap((o) => {
      const events = fulfillmentDecider.decide({ type: 'Evaluate', data: { mappings: lookupFrom(o.skus, o.storeId, mappingStreams), now: now() } }, o.state);
      return events.length ? [{ ...o, events }] : [];
    });
    if (!decided.length) return;
    try {
      await deps.store.appendMany(decided.map((o) => ({ streamId: `order-${o.orderId}`, events: toNewEvents(o.events, metadataFor(o.cause), deps.ids), expected: o.revision })));
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      for (const o of decided) await evaluate(o.orderId, o.cause);
      return;
    }
    for (const o of decided) for (const e of o.events) deps.onDecided?.(e.type);
  };

  /**
   * Mapping changes: the store's orders held on those platform SKUs may now be complete. The order
   * read model must first show every hold decided so far (one wait for all the changes at hand).
   */
  const reactToMappings = async (events: readonly RecordedEvent[]) => {
    const changes = events.map(decodeMapping).filter((e) => e.type === 'MappingSet');
    if (!changes.length) return;
    await deps.ordersCaughtUp();
    const held = new Map<string, RecordedEvent>();
    for (const [i, change] of changes.entries()) {
      const { rows } = await deps.db.query<{ order_id: string }>(
        `SELECT order_id FROM rm_orders WHERE store_id = $1 AND handoff_state = 'held' AND hold_skus @> $2::jsonb`,
        [change.data.storeId, JSON.stringify([change.data.platformSku])],
      );
      for (const { order_id } of rows) if (!held.has(order_id)) held.set(order_id, events[i]!);
    }
    await evaluateMany(held);
  };

  return {
    react: async (event: RecordedEvent) => {
      if (event.type === 'OrderPulled') return evaluate(decodePulled(event).data.orderId, event);
      await reactToMappings([event]);
    },
    /**
     * A batch: its pulled orders are evaluated together, then its mapping changes. The order does
     * not change any decision: each is made on the order's stream and the mappings as they are now
     * (so an order pulled before a mapping in this batch already sees it), and an order pulled twice
     * is evaluated once, on its newest version — which is also what one-by-one evaluation reads.
     */
    reactBatch: async (events: readonly RecordedEvent[]) => {
      const pulled = new Map<string, RecordedEvent>();
      for (const event of events) if (event.type === 'OrderPulled') pulled.set(decodePulled(event).data.orderId, event);
      await evaluateMany(pulled);
      await reactToMappings(events.filter((e) => e.type !== 'OrderPulled'));
    },
  };
};
