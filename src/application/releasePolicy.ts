import { MappingEvent } from '../domain/mapping/events.js';
import { mappingDecider } from '../domain/mapping/decider.js';
import { mappingStreamId } from '../domain/mapping/streams.js';
import type { MappingLookup } from '../domain/mapping/lookups.js';
import { OrderPulled } from '../domain/order/events.js';
import { fulfillmentDecider, platformSkusOf, type FulfillmentCommand, type MarketplaceOrderOwner, type OrderFulfillment, type OrderStreamEvent } from '../domain/order/fulfillment.js';
import { claimStreamId, MarketplaceOrderClaimed } from '../domain/order/claim.js';
import { StoreStatusChanged } from '../domain/store/events.js';
import type { AppendRequest } from '../domain/ports/eventStore.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { isHandoffStreamEvent } from '../domain/order/streamEvents.js';
import type { EventFilter, RecordedEvent } from '../domain/ports/eventStore.js';
import type { OrderLookups } from '../domain/ports/orderQueries.js';
import { decodeWith, toNewEvents } from '../domain/shared/commandHandler.js';
import { ConcurrencyError } from '../domain/shared/errors.js';
import type { AppDeps } from './context.js';
import { orderStreamId } from '../domain/order/streams.js';

const decodeMapping = decodeWith(MappingEvent);
const decodePulledEvent = decodeWith(OrderPulled);
// A pulled order is decoded (validated) once per recorded event: a batch names its order by it and
// then folds the very same event as the order's stream.
const decodedPulled = new WeakMap<RecordedEvent, ReturnType<typeof decodePulledEvent>>();
const decodePulled = (r: RecordedEvent) => {
  let decoded = decodedPulled.get(r);
  if (!decoded) decodedPulled.set(r, (decoded = decodePulledEvent(r)));
  return decoded;
};
const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeOrderEvent = (r: RecordedEvent): OrderStreamEvent => (r.type === 'OrderPulled' ? decodePulled(r) : decodeFulfillment(r));
const decodeClaim = decodeWith(MarketplaceOrderClaimed);
const decodeStoreStatus = decodeWith(StoreStatusChanged);

/**
 * What wakes the policy: a pulled order version, an operator's release of a held duplicate, a
 * mapping change (which may release held orders), a store's revocation (which withdraws them).
 */
export const RELEASE_POLICY_FILTER: EventFilter = { eventTypes: ['OrderPulled', 'OrderReleaseAuthorized', 'MappingSet', 'StoreStatusChanged', 'OrderReleasedByOperator'] };

/** Events that name one order to evaluate (a person's release lifts their hold: the order is decided again). */
const ORDER_EVENTS = new Set(['OrderPulled', 'OrderReleaseAuthorized', 'OrderReleasedByOperator']);
const orderIdOf = (event: RecordedEvent): string =>
  event.type === 'OrderPulled' ? decodePulled(event).data.orderId : (decodeFulfillment(event).data as { orderId: string }).orderId;

/** The owner recorded in a claim stream (its first event), or null when nobody claimed the order yet. */
const ownerIn = (claim: readonly RecordedEvent[] | undefined): MarketplaceOrderOwner | null => {
  const first = claim?.[0];
  if (!first) return null;
  const { data } = decodeClaim(first);
  return { orderId: data.orderId, storeId: data.storeId };
};

/**
 * The release policy (a process manager): it turns events into Evaluate commands; the decisions are
 * the fulfillment decider's. A new or changed order is evaluated; a mapping change re-evaluates the
 * store's orders held on that platform SKU.
 */
export const releasePolicy = (
  deps: AppDeps & Readonly<{ orders: OrderLookups; ordersCaughtUp: () => Promise<void>; onDecided?: (eventType: string) => void }>,
) => {
  const now = () => deps.clock.now().toISOString();

  /** Decisions are folded from streams: one order's, and the mapping streams of its platform SKUs. */
  const foldOrder = (recorded: readonly RecordedEvent[]) => ({
    state: recorded.filter(isHandoffStreamEvent).map(decodeOrderEvent).reduce(fulfillmentDecider.evolve, fulfillmentDecider.initialState()),
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

  /**
   * The order streams a batch holds from their first event on, without a gap (revisions 0, 1, …):
   * a new order's whole stream is usually its one OrderPulled, so it needs no read. Anything
   * appended after the batch's last event (a newer version, a decision already recorded when a
   * batch is repeated) makes the append's expected revision fail, and the order is decided again
   * on its stream read then.
   */
  const streamsWholeIn = (events: readonly RecordedEvent[]): ReadonlyMap<string, readonly RecordedEvent[]> => {
    const byStream = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      if (!ORDER_EVENTS.has(e.type)) continue;
      const stream = byStream.get(e.streamId);
      if (stream) stream.push(e);
      else byStream.set(e.streamId, [e]);
    }
    return new Map([...byStream].filter(([, stream]) => stream.every((e, i) => e.revision === i)));
  };

  const releases = (events: readonly { type: string }[]) => events.some((e) => e.type === 'FulfillmentOrderReleased');

  /** The claim a release appends with it (`no_stream`: the first release of the marketplace order wins). */
  const claimRequest = (state: OrderFulfillment, cause: RecordedEvent): AppendRequest => {
    const { orderId, storeId, tenantId, order } = state.pulled!;
    const claim = MarketplaceOrderClaimed.parse({
      type: 'MarketplaceOrderClaimed',
      schemaVersion: 1,
      data: { orderId, storeId, tenantId, platform: order.platform, marketplaceId: order.marketplaceId, platformOrderId: order.platformOrderId, claimedAt: now() },
    });
    return { streamId: claimStreamId(order), events: toNewEvents([claim], metadataFor(cause), deps.ids), expected: 'no_stream' };
  };

  /**
   * One order, with retries when a pull appends a newer version between read and append, or another
   * store's copy of the same marketplace order claimed it first (then it is decided again, and held).
   */
  const evaluate = async (orderId: string, cause: RecordedEvent, command: 'Evaluate' | 'Withdraw' = 'Evaluate') => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, revision } = foldOrder(await deps.store.readStream(orderStreamId(orderId)));
      if (!state.pulled) return;
      let owner: MarketplaceOrderOwner | null = null;
      let events: ReturnType<typeof fulfillmentDecider.decide>;
      if (command === 'Withdraw') {
        events = fulfillmentDecider.decide({ type: 'Withdraw', data: { now: now() } }, state);
      } else {
        const mappings = await mappingsFor(state.pulled.storeId, platformSkusOf(state));
        const evaluation = (o: MarketplaceOrderOwner | null): FulfillmentCommand => ({ type: 'Evaluate', data: { mappings, now: now(), owner: o } });
        events = fulfillmentDecider.decide(evaluation(null), state);
        // Only a release needs the marketplace order's claim.
        if (releases(events)) {
          owner = ownerIn(await deps.store.readStream(claimStreamId(state.pulled.order)));
          if (owner !== null) events = fulfillmentDecider.decide(evaluation(owner), state);
        }
      }
      if (!events.length) return;
      const newEvents = toNewEvents(events, metadataFor(cause), deps.ids);
      try {
        if (releases(events) && owner === null) {
          // The claim first: on an event store without multi-stream transactions it is then never missing behind a release.
          await deps.store.appendMany([claimRequest(state, cause), { streamId: orderStreamId(orderId), events: newEvents, expected: revision }]);
        } else {
          await deps.store.append(orderStreamId(orderId), newEvents, revision);
        }
        for (const e of events) deps.onDecided?.(e.type);
        return;
      } catch (error) {
        // A pull appended a newer version, or another copy claimed the order, meanwhile: decide again.
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
  const evaluateMany = async (causes: ReadonlyMap<string, RecordedEvent>, whole: ReadonlyMap<string, readonly RecordedEvent[]> = new Map()) => {
    if (causes.size < 2) {
      for (const [orderId, cause] of causes) await evaluate(orderId, cause);
      return;
    }
    const unread = [...causes.keys()].map((id) => orderStreamId(id)).filter((streamId) => !whole.has(streamId));
    const read = unread.length ? await deps.store.readStreams(unread) : new Map<string, readonly RecordedEvent[]>();
    const orderStreams = new Map([...read, ...whole]);
    const orders = [...causes].flatMap(([orderId, cause]) => {
      const { state, revision } = foldOrder(orderStreams.get(orderStreamId(orderId)) ?? []);
      return state.pulled ? [{ orderId, cause, state, revision, storeId: state.pulled.storeId, skus: platformSkusOf(state) }] : [];
    });
    const mappingStreams = await deps.store.readStreams([...new Set(orders.flatMap((o) => o.skus.map((sku) => mappingStreamId(o.storeId, sku))))]);
    const decideWith = (o: (typeof orders)[number], owner: MarketplaceOrderOwner | null) =>
      fulfillmentDecider.decide({ type: 'Evaluate', data: { mappings: lookupFrom(o.skus, o.storeId, mappingStreams), now: now(), owner } }, o.state);
    const first = orders.map((o) => ({ ...o, events: decideWith(o, null) }));
    // Only orders about to be released need their marketplace order's claim: read those claims at once.
    const releasing = first.filter((o) => releases(o.events));
    const claimIds = [...new Set(releasing.map((o) => claimStreamId(o.state.pulled!.order)))];
    const claims = claimIds.length ? await deps.store.readStreams(claimIds) : new Map<string, readonly RecordedEvent[]>();
    const claimedNow = new Map<string, MarketplaceOrderOwner>();
    const requests: AppendRequest[] = [];
    const decided = first.flatMap((o) => {
      let events = o.events;
      if (releases(events)) {
        const claimId = claimStreamId(o.state.pulled!.order);
        // Two copies of one marketplace order in this batch: the first one claims it, the second sees that.
        const owner = ownerIn(claims.get(claimId)) ?? claimedNow.get(claimId) ?? null;
        if (owner === null) {
          claimedNow.set(claimId, { orderId: o.orderId, storeId: o.storeId });
          requests.push(claimRequest(o.state, o.cause));
        } else {
          events = decideWith(o, owner);
        }
      }
      if (!events.length) return [];
      requests.push({ streamId: orderStreamId(o.orderId), events: toNewEvents(events, metadataFor(o.cause), deps.ids), expected: o.revision });
      return [{ ...o, events }];
    });
    if (!decided.length) return;
    try {
      await deps.store.appendMany(requests);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      // A stream taken from the batch had grown past it (a newer version, a repeated batch whose
      // decision is already recorded): decide the lot again on streams read now.
      if (whole.size) return evaluateMany(causes);
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
      for (const orderId of await deps.orders.heldOnSku(change.data.storeId, change.data.platformSku)) if (!held.has(orderId)) held.set(orderId, events[i]!);
    }
    await evaluateMany(held);
  };

  /** A revoked store's held orders are withdrawn (terminal): the store will never pull or release again. */
  const reactToRevocations = async (events: readonly RecordedEvent[]) => {
    const revoked = events.filter((e) => e.type === 'StoreStatusChanged').filter((e) => decodeStoreStatus(e).data.status === 'revoked');
    if (!revoked.length) return;
    await deps.ordersCaughtUp();
    for (const event of revoked) {
      for (const orderId of await deps.orders.heldInStore(decodeStoreStatus(event).data.storeId)) await evaluate(orderId, event, 'Withdraw');
    }
  };

  return {
    react: async (event: RecordedEvent) => {
      if (ORDER_EVENTS.has(event.type)) return evaluate(orderIdOf(event), event);
      if (event.type === 'StoreStatusChanged') return reactToRevocations([event]);
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
      for (const event of events) if (ORDER_EVENTS.has(event.type)) pulled.set(orderIdOf(event), event);
      await evaluateMany(pulled, streamsWholeIn(events));
      await reactToMappings(events.filter((e) => e.type === 'MappingSet'));
      await reactToRevocations(events);
    },
  };
};
