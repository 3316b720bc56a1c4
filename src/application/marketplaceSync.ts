import { authorizationDecider, authorizationStreamId } from '../domain/authorization/decider.js';
import { AuthorizationEvent } from '../domain/authorization/events.js';
import { OrderPulled } from '../domain/order/events.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { WarehouseEvent } from '../domain/order/warehouseEvents.js';
import { MarketplaceSyncEvent, type PlatformUnits, type SyncAction } from '../domain/marketplaceSync/events.js';
import { evolveSync, initialSync, nextAction, type NextAction, type OrderStreamFact, type OrderSync } from '../domain/marketplaceSync/orderSync.js';
import type { EventFilter, RecordedEvent } from '../domain/ports/eventStore.js';
import { isTransientFailure, type FulfillmentTarget, type MarketplaceFulfillment } from '../domain/ports/marketplaceFulfillment.js';
import { MarketplaceError } from '../domain/ports/marketplaces.js';
import { decodeWith, loadState } from '../domain/shared/commandHandler.js';
import { storeDecider, storeStreamId } from '../domain/store/decider.js';
import { decodeStore, type AppDeps } from './context.js';
import { nameUuid } from './ids.js';
import { forEachBounded, keyedLimiter, serialPerKey } from './sendLanes.js';
import { orderStreamId } from '../domain/order/streams.js';

/**
 * The marketplace sender (a process manager on the reactor, like the release policy): when an
 * order is released, or the warehouse reports a shipment, a rejection or a cancellation, it folds
 * the order's stream, asks the pure `nextAction` what the marketplace still has to hear, calls it,
 * and records the outcome on the order's stream — until nothing is left. At least once and
 * idempotent: what to send is decided from the stream (a recorded outcome is never sent again),
 * outcome events have ids derived from the order and the warehouse fact, and the marketplace calls
 * are safe to repeat. Transient failures (after the adapter's own retries within the rate limits)
 * are recorded and retried by `retryDue` with growing pauses; permanent ones are recorded as failed.
 *
 * Concurrency: the orders of a batch (or of a retry sweep) are worked on at once, at most
 * `concurrency.orders` of them, with at most `concurrency.perAccount` calls in flight per seller
 * account (authorization); the adapters' token buckets, one per account and operation, keep them
 * within the marketplace's rate limits. One order's calls never overlap: its actions are sent one
 * after the other in `nextAction`'s order (acknowledge, then shipments, then cancellations), and a
 * second sync of the same order in this process waits for the first.
 */
export const DEFAULT_SYNC_CONCURRENCY = { orders: 32, perAccount: 8 } as const;

export const MARKETPLACE_SYNC_FILTER: EventFilter = {
  eventTypes: ['FulfillmentOrderReleased', 'WarehouseShipmentRecorded', 'WarehouseFulfillmentRejected', 'WarehouseFulfillmentCancelled'],
};

const decoders: Readonly<Record<string, (r: RecordedEvent) => OrderStreamFact>> = (() => {
  const pulled = decodeWith(OrderPulled);
  const fulfillment = decodeWith(FulfillmentEvent);
  const warehouse = decodeWith(WarehouseEvent);
  const sync = decodeWith(MarketplaceSyncEvent);
  const map: Record<string, (r: RecordedEvent) => OrderStreamFact> = { OrderPulled: pulled };
  for (const o of FulfillmentEvent.options) map[o.shape.type.value] = fulfillment;
  for (const o of WarehouseEvent.options) map[o.shape.type.value] = warehouse;
  for (const o of MarketplaceSyncEvent.options) map[o.shape.type.value] = sync;
  return map;
})();

/** The order stream folded for the sender; events of other kinds on the stream are passed over. */
export const foldSync = (recorded: readonly RecordedEvent[]): OrderSync =>
  recorded.reduce((state, r) => {
    const decode = decoders[r.type];
    return decode === undefined ? state : evolveSync(state, decode(r));
  }, initialSync());

const decodeAuthorization = decodeWith(AuthorizationEvent);

export type SyncOutcome = Readonly<{ platform: 'amazon' | 'walmart'; action: SyncAction; outcome: 'confirmed' | 'failed' | 'retrying' }>;

export const marketplaceSync = (
  deps: AppDeps &
    Readonly<{
      marketplaces: Readonly<Record<'amazon' | 'walmart', MarketplaceFulfillment>>;
      onOutcome?: (outcome: SyncOutcome) => void;
      signal?: AbortSignal;
      concurrency?: Readonly<{ orders?: number; perAccount?: number }>;
    }>,
) => {
  const now = () => deps.clock.now().toISOString();
  const ordersAtOnce = deps.concurrency?.orders ?? DEFAULT_SYNC_CONCURRENCY.orders;
  const accountLanes = keyedLimiter(deps.concurrency?.perAccount ?? DEFAULT_SYNC_CONCURRENCY.perAccount);
  const orderQueue = serialPerKey();

  type Account = Readonly<{ authorizationId: string; region: FulfillmentTarget['region'] }>;
  const accountOf = async (storeId: string): Promise<Account | MarketplaceError> => {
    const { state: store } = await loadState(storeDecider, decodeStore, deps.store, storeStreamId(storeId));
    if (store.status === 'absent') return new MarketplaceError('unauthorized', null, 'the store of this order does not exist');
    const { state: auth } = await loadState(authorizationDecider, decodeAuthorization, deps.store, authorizationStreamId(store.authorizationId));
    if (auth.status === 'absent') return new MarketplaceError('unauthorized', null, 'the store has no authorization');
    return { authorizationId: store.authorizationId, region: auth.region };
  };
  /** Store → account lookups shared by the orders of one batch (most orders of a batch share a store). */
  type Accounts = Map<string, Promise<Account | MarketplaceError>>;
  const targetFor = async (order: NonNullable<OrderSync['order']>, accounts: Accounts): Promise<FulfillmentTarget | MarketplaceError> => {
    let account = accounts.get(order.storeId);
    if (account === undefined) {
      account = accountOf(order.storeId);
      accounts.set(order.storeId, account);
    }
    const found = await account;
    if (found instanceof MarketplaceError) return found;
    return { authorizationId: found.authorizationId, platform: order.platform, region: found.region, marketplaceId: order.marketplaceId, platformOrderId: order.platformOrderId };
  };

  const send = async (target: FulfillmentTarget, action: NextAction, state: OrderSync): Promise<{ reason?: string }> => {
    const api = deps.marketplaces[target.platform];
    switch (action.kind) {
      case 'acknowledge':
        await api.acknowledge(target, deps.signal);
        return {};
      case 'confirm': {
        // Amazon's packageReferenceId: the shipment's ordinal in the order (a positive number, stable on repeat).
        const ordinal = state.shipments.findIndex((s) => s.shipmentId === action.shipmentId) + 1;
        const { carrier, trackingNumber, shipMethod, trackingUrl, shippedAt, lines, cancelRequestedLines } = action;
        await api.confirmShipment(target, { packageReferenceId: String(ordinal), carrier, trackingNumber, shipMethod, trackingUrl, shippedAt, lines, cancelRequestedLines }, deps.signal);
        return {};
      }
      case 'cancel': {
        const reason = await api.cancelLines(target, { cause: action.reason.startsWith('warehouse rejected') ? 'rejected' : 'cancelled', buyerRequested: action.buyerRequested, wholeOrder: action.wholeOrder, lines: action.lines }, deps.signal);
        return { reason };
      }
    }
  };

  const successEvent = (order: NonNullable<OrderSync['order']>, action: NextAction, reason: string | undefined) => {
    const base = { orderId: order.orderId, tenantId: order.tenantId, storeId: order.storeId, platform: order.platform, platformOrderId: order.platformOrderId };
    switch (action.kind) {
      case 'acknowledge':
        return { type: 'MarketplaceOrderAcknowledged', data: { ...base, acknowledgedAt: now() } };
      case 'confirm':
        return {
          type: 'MarketplaceShipmentConfirmed',
          data: {
            ...base,
            shipmentId: action.shipmentId,
            coveredShipmentIds: action.coveredShipmentIds,
            carrier: { name: action.carrier.name, marketplaceCode: action.carrier.code, other: action.carrier.other },
            trackingNumber: action.trackingNumber,
            ...(action.trackingUrl === null ? {} : { trackingUrl: action.trackingUrl }),
            shipMethod: action.shipMethod,
            shippedAt: action.shippedAt,
            lines: action.lines,
            confirmedAt: now(),
          },
        };
      case 'cancel':
        return { type: 'MarketplaceLinesCancelled', data: { ...base, messageId: action.messageId, marketplaceReason: reason ?? '', lines: action.lines, cancelledAt: now() } };
    }
  };

  const record = async (orderId: string, key: string, suffix: string, event: { type: string; data: unknown }, cause: RecordedEvent | null) => {
    const parsed = MarketplaceSyncEvent.parse({ ...event, schemaVersion: 1 });
    await deps.store.append(
      orderStreamId(orderId),
      [
        {
          id: nameUuid(`order/${orderId}/marketplace/${key}${suffix}`),
          type: parsed.type,
          data: parsed.data,
          metadata: {
            actor: 'system:marketplace-sync',
            schemaVersion: 1,
            ...(cause ? { causationId: cause.id, correlationId: typeof cause.metadata.correlationId === 'string' ? cause.metadata.correlationId : cause.id } : {}),
          },
        },
      ],
      'any',
    );
  };

  /**
   * Sends whatever the order's marketplace has not heard yet, one action at a time. Stops at the
   * first failure (recorded); `retrying` = only transient failures whose pause is over are retried.
   */
  const syncOrderNow = async (orderId: string, cause: RecordedEvent | null, retrying: boolean, accounts: Accounts) => {
    let target: FulfillmentTarget | MarketplaceError | null = null;
    for (let step = 0; step < 100; step++) {
      const state = foldSync(await deps.store.readStream(orderStreamId(orderId)));
      const action = nextAction(state);
      const order = state.order;
      if (action === null || order === null) return;
      const failure = state.failures.get(action.key);
      if (failure !== undefined && !failure.permanent && !retrying) return; // the retry sweep owns it now
      target ??= await targetFor(order, accounts);
      let outcome: { reason?: string } | MarketplaceError;
      try {
        const resolved = target;
        outcome = resolved instanceof MarketplaceError ? resolved : await accountLanes(resolved.authorizationId, () => send(resolved, action, state));
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        outcome = error;
      }
      if (outcome instanceof MarketplaceError) {
        const attempt = (failure?.attempts ?? 0) + 1;
        const permanent = !isTransientFailure(outcome.code);
        const lines: PlatformUnits[] = action.kind === 'acknowledge' ? [] : action.lines;
        const base = { orderId, tenantId: order.tenantId, storeId: order.storeId, platform: order.platform, platformOrderId: order.platformOrderId };
        await record(orderId, action.key, `/failed/${attempt}`, {
          type: 'MarketplaceSyncFailed',
          data: { ...base, action: action.kind, key: action.key, attempt, permanent, error: { code: outcome.code, status: outcome.status, message: outcome.message }, lines, failedAt: now() },
        }, cause);
        deps.onOutcome?.({ platform: order.platform, action: action.kind, outcome: permanent ? 'failed' : 'retrying' });
        return;
      }
      await record(orderId, action.key, '', successEvent(order, action, outcome.reason), cause);
      deps.onOutcome?.({ platform: order.platform, action: action.kind, outcome: 'confirmed' });
      retrying = true; // later actions of this order are new: a failure of one of them stops the loop
    }
  };
  const syncOrder = (orderId: string, cause: RecordedEvent | null, retrying = false, accounts: Accounts = new Map()) =>
    orderQueue(orderId, () => syncOrderNow(orderId, cause, retrying, accounts));

  const orderIdOf = (event: RecordedEvent) => {
    const orderId = (event.data as { orderId?: unknown }).orderId;
    return typeof orderId === 'string' ? orderId : null;
  };

  return {
    react: async (event: RecordedEvent) => {
      const orderId = orderIdOf(event);
      if (orderId !== null) await syncOrder(orderId, event);
    },
    /**
     * A batch: each order once (a sync sends everything its stream owes, so later events of the
     * same order in the batch have nothing left), the orders concurrently. The first event of an
     * order is the cause its outcomes name, as one-by-one reaction would. A failure is thrown once
     * every order has settled, and the reactor repeats the batch: what was sent is recorded and
     * not sent again.
     */
    reactBatch: async (events: readonly RecordedEvent[]) => {
      const first = new Map<string, RecordedEvent>();
      for (const event of events) {
        const orderId = orderIdOf(event);
        if (orderId !== null && !first.has(orderId)) first.set(orderId, event);
      }
      const accounts: Accounts = new Map();
      await forEachBounded([...first], ordersAtOnce, ([orderId, cause]) => syncOrder(orderId, cause, false, accounts));
    },
    syncOrder,
    /**
     * Orders whose last send failed transiently and whose pause is over (from the read model):
     * each is tried again. Safe with several instances: a repeat sends nothing twice.
     */
    retryDue: async (due: () => Promise<readonly string[]>) => {
      const accounts: Accounts = new Map();
      await forEachBounded(await due(), ordersAtOnce, (orderId) => syncOrder(orderId, null, true, accounts));
    },
  };
};

export type MarketplaceSync = ReturnType<typeof marketplaceSync>;
