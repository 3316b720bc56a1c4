import { missingLabelFields } from '../domain/order/address.js';
import { OrderPulled } from '../domain/order/events.js';
import type { OrderStreamEvent } from '../domain/order/fulfillment.js';
import { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { ShipToCorrected } from '../domain/order/operatorEvents.js';
import { isHandoffStreamEvent } from '../domain/order/streamEvents.js';
import { operatorActionDecider, type OperatorCommand } from '../domain/order/operatorActions.js';
import type { Buyer, ShipTo } from '../domain/order/platformOrder.js';
import type { RecordedEvent } from '../domain/ports/eventStore.js';
import { SecretDestroyedError, type Sealed, type Vault } from '../domain/ports/vault.js';
import { commandHandler, decodeWith } from '../domain/shared/commandHandler.js';
import { NotFoundError } from '../domain/shared/errors.js';
import type { AppDeps, Caller } from './context.js';
import { orderStreamId } from '../domain/order/streams.js';

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeCorrection = decodeWith(ShipToCorrected);
// Order streams also hold other subsystems' facts (warehouse reports, marketplace confirmations): skipped.
const decodeOrderEvent = (r: RecordedEvent): OrderStreamEvent | null =>
  !isHandoffStreamEvent(r) ? null : r.type === 'OrderPulled' ? decodePulled(r) : decodeFulfillment(r);

export type BuyerDataView = Readonly<{
  orderId: string;
  /** true when the buyer data was erased (crypto-shredded): nothing can be shown any more. */
  erased: boolean;
  shipTo: ShipTo | null;
  buyer: Buyer | null;
  /** Where the ship-to comes from: the marketplace, or a person's correction. */
  shipToSource: 'marketplace' | 'corrected' | null;
  viewedAt: string;
}>;

/**
 * People's actions on an order (docs/order-actions.md): hold, release, cancel, re-send, correct the
 * ship-to, and opening its buyer data (recorded). Each reads the order's stream, lets the decider
 * refuse or decide, and appends with the expected revision (deciding again on a concurrent change).
 * Another tenant's order answers 404 like a missing one.
 */
export const orderActions = (deps: AppDeps & Readonly<{ vault: Vault }>) => {
  const handle = commandHandler(operatorActionDecider, decodeOrderEvent, deps.store, deps.ids);
  const now = () => deps.clock.now().toISOString();
  const actorOf = (caller: Caller) => caller.metadata.actor ?? 'unknown';
  const owned = (caller: Caller) => (state: { pulled: { tenantId: string } | null }) => {
    if (!state.pulled || state.pulled.tenantId !== caller.tenantId) throw new NotFoundError('Order');
  };
  const run = async (caller: Caller, orderId: string, command: OperatorCommand) => {
    const { events } = await handle(orderStreamId(orderId), command, { metadata: caller.metadata, authorize: owned(caller) });
    return { orderId, events: events.map((e) => e.type), at: command.data.now };
  };
  const who = (caller: Caller, reason: string) => ({ actor: actorOf(caller), reason, now: now() });

  return {
    hold: (caller: Caller, orderId: string, reason: string) => run(caller, orderId, { type: 'HoldOrder', data: who(caller, reason) }),
    release: (caller: Caller, orderId: string, reason: string) => run(caller, orderId, { type: 'ReleaseOrder', data: who(caller, reason) }),
    cancel: (caller: Caller, orderId: string, reason: string) => run(caller, orderId, { type: 'CancelOrder', data: who(caller, reason) }),
    resend: (caller: Caller, orderId: string, reason: string) => run(caller, orderId, { type: 'ResendOrder', data: who(caller, reason) }),

    /** The new ship-to is sealed here (the order's own data key) before anything is decided or written. */
    correctShipTo: async (caller: Caller, orderId: string, shipTo: ShipTo, reason: string) => {
      const normalized: ShipTo = { ...shipTo, countryCode: shipTo.countryCode?.trim().toUpperCase() || null };
      const shipToMissing = missingLabelFields(normalized);
      // Check ownership before sealing: no data key is made for another tenant's (or no) order.
      const recorded = await deps.store.readStream(orderStreamId(orderId), { maxCount: 1 });
      const first = recorded[0]?.data as { tenantId?: string } | undefined;
      if (first?.tenantId !== caller.tenantId) throw new NotFoundError('Order');
      const personalData = shipToMissing.length ? '' : await deps.vault.seal(orderStreamId(orderId), JSON.stringify({ shipTo: normalized }));
      return run(caller, orderId, {
        type: 'CorrectShipTo',
        data: { ...who(caller, reason), personalData, shipToCountry: normalized.countryCode, shipToRegion: normalized.stateOrRegion, shipToMissing },
      });
    },

    /**
     * The order's buyer data, opened from the vault; the view is recorded first (BuyerDataViewed:
     * who, when, which order), so nothing is shown that was not recorded. Erased data reads as erased.
     */
    buyerData: async (caller: Caller, orderId: string): Promise<BuyerDataView> => {
      const viewedAt = now();
      await handle(orderStreamId(orderId), { type: 'RecordBuyerDataView', data: { actor: actorOf(caller), now: viewedAt } }, { metadata: caller.metadata, authorize: owned(caller) });
      const events = await deps.store.readStream(orderStreamId(orderId));
      const pulled = events.filter((e) => e.type === 'OrderPulled').at(-1);
      const corrected = events.filter((e) => e.type === 'ShipToCorrected').at(-1);
      const order = pulled ? decodePulled(pulled).data.order : null;
      const owner = orderStreamId(orderId);
      try {
        const original = order?.personalData ? (JSON.parse(await deps.vault.open(owner, order.personalData as Sealed)) as { shipTo: ShipTo | null; buyer: Buyer | null }) : null;
        let shipTo = original?.shipTo ?? null;
        let source: BuyerDataView['shipToSource'] = shipTo ? 'marketplace' : null;
        if (corrected) {
          const sealed = decodeCorrection(corrected).data.personalData;
          shipTo = (JSON.parse(await deps.vault.open(owner, sealed as Sealed)) as { shipTo: ShipTo }).shipTo;
          source = 'corrected';
        }
        return { orderId, erased: false, shipTo, buyer: original?.buyer ?? null, shipToSource: source, viewedAt };
      } catch (error) {
        if (!(error instanceof SecretDestroyedError)) throw error;
        return { orderId, erased: true, shipTo: null, buyer: null, shipToSource: null, viewedAt };
      }
    },
  };
};

export type OrderActions = ReturnType<typeof orderActions>;
