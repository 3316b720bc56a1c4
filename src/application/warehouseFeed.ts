import { OrderPulled } from '../domain/order/events.js';
import { FEED_EVENT_TYPES, FulfillmentEvent, type WarehouseLine } from '../domain/order/fulfillmentEvents.js';
import type { ShipTo } from '../domain/order/platformOrder.js';
import type { EventStore, RecordedEvent } from '../domain/ports/eventStore.js';
import type { Sealed, Vault } from '../domain/ports/vault.js';
import { SecretDestroyedError } from '../domain/ports/vault.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import type { FeedMessage, FeedMessageType, FeedShipTo, FeedSource } from '../domain/warehouse/feedMessage.js';
import { OPERATOR_FEED_EVENT_TYPES, ShipToCorrected } from '../domain/order/operatorEvents.js';
import { batchLoader } from '../shared/batchLoader.js';
import { ORDER_STREAM_PREFIX, orderStreamId } from '../domain/order/streams.js';

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);
const decodeCorrection = decodeWith(ShipToCorrected);

const NO_SHIP_TO: FeedShipTo = { name: null, addressLine1: null, addressLine2: null, addressLine3: null, city: null, stateOrRegion: null, postalCode: null, countryCode: null, phone: null };

const toFeedShipTo = (s: ShipTo | null, countryFallback: string | null): FeedShipTo =>
  s
    ? {
        name: s.name,
        addressLine1: s.addressLines[0] ?? null,
        addressLine2: s.addressLines[1] ?? null,
        addressLine3: s.addressLines.slice(2).join(', ') || null,
        city: s.city,
        stateOrRegion: s.stateOrRegion,
        postalCode: s.postalCode,
        countryCode: s.countryCode && /^[A-Z]{2}$/.test(s.countryCode) ? s.countryCode : countryFallback,
        phone: s.phone,
      }
    : { ...NO_SHIP_TO, countryCode: countryFallback };

const feedLines = (lines: readonly WarehouseLine[]) =>
  lines.map((l) => ({
    lineId: l.lineId,
    sku: l.sku,
    quantity: l.quantity,
    source: { platformSku: l.source.platformSku, platformLineId: l.source.platformLineId, platformQuantity: l.source.platformQuantity, factor: l.source.factor },
  }));

/**
 * Which message an order event makes (none: the warehouse need not hear of it). A person's actions
 * reuse the three message types (docs/order-actions.md): a hold or cancellation of a released order
 * is a cancellation, a re-send is the release again, an address correction of a released order an update.
 */
const messageOf = (e: FulfillmentEvent): { type: FeedMessageType; occurredAt: string } | null => {
  switch (e.type) {
    case 'FulfillmentOrderReleased':
      return { type: e.type, occurredAt: e.data.releasedAt };
    case 'FulfillmentOrderUpdated':
      return { type: e.type, occurredAt: e.data.updatedAt };
    case 'FulfillmentOrderCancelled':
      return { type: e.type, occurredAt: e.data.cancelledAt };
    case 'FulfillmentOrderCancellationRequested':
      return { type: e.type, occurredAt: e.data.requestedAt };
    case 'OrderHeldByOperator':
      return e.data.wasReleased ? { type: 'FulfillmentOrderCancelled', occurredAt: e.data.heldAt } : null;
    case 'OrderCancelledByOperator':
      return e.data.wasReleased ? { type: 'FulfillmentOrderCancelled', occurredAt: e.data.cancelledAt } : null;
    case 'FulfillmentOrderResent':
      return { type: 'FulfillmentOrderReleased', occurredAt: e.data.resentAt };
    case 'ShipToCorrected':
      return e.data.wasReleased ? { type: 'FulfillmentOrderUpdated', occurredAt: e.data.correctedAt } : null;
    default:
      return null;
  }
};

const ERASED = 'BuyerDataErased';
const isErasure = (e: RecordedEvent) => e.type === ERASED;

/** An order stream's events from revision 0 (all of them, or as far as memory held them), and whether its buyer data was erased by now. */
type OrderStream = Readonly<{ events: readonly RecordedEvent[]; erased: boolean }>;
const streamFrom = (events: readonly RecordedEvent[]): OrderStream => ({ events, erased: events.some(isErasure) });

/**
 * The warehouse feed's source: each release, update and cancellation in an order stream becomes one
 * contract message (messageId = the event id). The order's platform data comes from the versions
 * pulled before that event (never later ones, so a re-delivery is identical), and the ship-to is
 * opened from the vault here — the only place buyer data leaves its seal, on its way to the WMS.
 */
export const warehouseFeedSource = (deps: { store: EventStore; vault: Vault }): FeedSource => {
  // The events of one feed batch are mapped together: their order streams are read with one query
  // (readStreams) rather than one each, and their ship-tos opened with one key lookup (the vault
  // batches concurrent opens). Streams the event store still holds in memory from their first event
  // (a release follows its pull within a second or so) are not read again: of those, only whether
  // the buyer data was erased since is asked, which reads no event data.
  const streamOf = batchLoader<OrderStream>(async (ids) => {
    const held = deps.store.heldStreams?.(ids) ?? new Map<string, readonly RecordedEvent[]>();
    const unheld = ids.filter((id) => !held.has(id));
    const read = unheld.length ? await deps.store.readStreams(unheld) : new Map<string, readonly RecordedEvent[]>();
    const erasures = held.size ? await deps.store.readStreams([...held.keys()], { eventTypes: [ERASED] }) : new Map<string, readonly RecordedEvent[]>();
    return (id) => {
      const events = held.get(id);
      if (!events) return streamFrom(read.get(id) ?? []);
      return { events, erased: events.some(isErasure) || (erasures.get(id)?.length ?? 0) > 0 };
    };
  });
  return {
    name: 'warehouse',
    filter: { streamPrefixes: [ORDER_STREAM_PREFIX], eventTypes: [...FEED_EVENT_TYPES, ...OPERATOR_FEED_EVENT_TYPES] },
    toMessages: async (event: RecordedEvent): Promise<FeedMessage[]> => {
      const decision = decodeFulfillment(event);
      const message = messageOf(decision);
      if (!message) return [];
      let stream = await streamOf(event.streamId);
      // Held events short of this one (the event came from a read ahead of the store's window): read the stream.
      if (stream.events.length < event.revision) stream = streamFrom(await deps.store.readStream(event.streamId));
      // Only the events before this one: a later version never alters a re-delivered message —
      // except erasure: once the buyer data was erased, no message carries it again (even while
      // another instance's vault may still hold the shredded key in its cache).
      const earlier = stream.events.filter((e) => e.revision < event.revision);
      const erased = stream.erased;
      // Decoded (validated) only where used: the last pulled version, and for a cancellation the last lines sent.
      const lastPulled = earlier.findLast((e) => e.type === 'OrderPulled');
      const pulled = lastPulled ? decodePulled(lastPulled) : undefined;
      if (!pulled) throw new Error(`order stream ${event.streamId} has no pulled version before revision ${event.revision}`);
      const o = pulled.data.order;
      let lines: readonly WarehouseLine[];
      if (decision.type === 'FulfillmentOrderReleased' || decision.type === 'FulfillmentOrderUpdated') {
        lines = decision.data.lines;
      } else {
        // A cancellation repeats, a re-send and an address correction carry, the lines last sent.
        const lastSent = earlier.findLast((e) => e.type === 'FulfillmentOrderReleased' || e.type === 'FulfillmentOrderUpdated');
        const sent = lastSent ? decodeFulfillment(lastSent) : undefined;
        lines = sent && (sent.type === 'FulfillmentOrderReleased' || sent.type === 'FulfillmentOrderUpdated') ? sent.data.lines : [];
        if (decision.type === 'FulfillmentOrderCancellationRequested') {
          // Only the warehouse lines expanded from the platform lines the buyer asked to cancel.
          const requested = new Set(decision.data.lines.map((l) => l.platformLineId));
          lines = lines.filter((l) => requested.has(l.source.platformLineId));
        }
      }
      // A person's correction (this event, or the last one before it) replaces the marketplace's ship-to.
      const correction = decision.type === 'ShipToCorrected' ? event : earlier.findLast((e) => e.type === 'ShipToCorrected');
      const sealed = correction ? decodeCorrection(correction).data.personalData : o.personalData;
      let shipTo: ShipTo | null = null;
      if (sealed && !erased) {
        try {
          shipTo = (JSON.parse(await deps.vault.open(orderStreamId(pulled.data.orderId), sealed as Sealed)) as { shipTo: ShipTo | null }).shipTo;
        } catch (error) {
          // Erased (crypto-shredded) buyer data: the message still goes out, without an address.
          if (!(error instanceof SecretDestroyedError)) throw error;
        }
      }
      const { type, occurredAt } = message;
      return [
        {
          messageId: event.id,
          type,
          schemaVersion: 1,
          occurredAt,
          tenantId: decision.data.tenantId,
          order: {
            orderId: decision.data.orderId,
            storeId: decision.data.storeId,
            platform: o.platform,
            marketplaceId: o.marketplaceId,
            platformOrderId: o.platformOrderId,
            purchasedAt: o.createdAt,
            shipBy: o.shipBy,
            serviceLevel: o.serviceLevel,
            shipTo: toFeedShipTo(shipTo, o.shipToCountry),
            lines: feedLines(lines),
          },
          ...(decision.type === 'FulfillmentOrderCancellationRequested'
            ? { cancellationRequest: { requestedBy: 'buyer' as const, lines: decision.data.lines.map((l) => ({ platformLineId: l.platformLineId, reason: l.reason })) } }
            : {}),
        },
      ];
    },
  };
};
