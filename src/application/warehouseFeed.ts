import { OrderPulled } from '../domain/order/events.js';
import { FEED_EVENT_TYPES, FulfillmentEvent, type WarehouseLine } from '../domain/order/fulfillmentEvents.js';
import type { ShipTo } from '../domain/order/platformOrder.js';
import type { EventStore, RecordedEvent } from '../domain/ports/eventStore.js';
import type { Sealed, Vault } from '../domain/ports/vault.js';
import { SecretDestroyedError } from '../domain/ports/vault.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import type { FeedMessage, FeedShipTo, FeedSource } from '../domain/warehouse/feedMessage.js';
import { batchLoader } from '../shared/batchLoader.js';

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);

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
 * The warehouse feed's source: each release, update and cancellation in an order stream becomes one
 * contract message (messageId = the event id). The order's platform data comes from the versions
 * pulled before that event (never later ones, so a re-delivery is identical), and the ship-to is
 * opened from the vault here — the only place buyer data leaves its seal, on its way to the WMS.
 */
export const warehouseFeedSource = (deps: { store: EventStore; vault: Vault }): FeedSource => {
  // The events of one feed batch are mapped together: their order streams are read with one query
  // (readStreams) rather than one each, and their ship-tos opened with one key lookup (the vault
  // batches concurrent opens).
  const streamOf = batchLoader<readonly RecordedEvent[]>(async (ids) => {
    const streams = await deps.store.readStreams(ids);
    return (id) => streams.get(id) ?? [];
  });
  return {
    name: 'warehouse',
    filter: { streamPrefixes: ['order-'], eventTypes: [...FEED_EVENT_TYPES] },
    toMessages: async (event: RecordedEvent): Promise<FeedMessage[]> => {
      const decision = decodeFulfillment(event);
      if (
        decision.type !== 'FulfillmentOrderReleased' &&
        decision.type !== 'FulfillmentOrderUpdated' &&
        decision.type !== 'FulfillmentOrderCancelled' &&
        decision.type !== 'FulfillmentOrderCancellationRequested'
      ) {
        return [];
      }
      const stream = await streamOf(event.streamId);
      // Only the events before this one: a later version never alters a re-delivered message —
      // except erasure: once the buyer data was erased, no message carries it again (even while
      // another instance's vault may still hold the shredded key in its cache).
      const earlier = stream.filter((e) => e.revision < event.revision);
      const erased = stream.some((e) => e.type === 'BuyerDataErased');
      // Decoded (validated) only where used: the last pulled version, and for a cancellation the last lines sent.
      const lastPulled = earlier.findLast((e) => e.type === 'OrderPulled');
      const pulled = lastPulled ? decodePulled(lastPulled) : undefined;
      if (!pulled) throw new Error(`order stream ${event.streamId} has no pulled version before revision ${event.revision}`);
      const o = pulled.data.order;
      let lines: readonly WarehouseLine[];
      if (decision.type === 'FulfillmentOrderCancelled' || decision.type === 'FulfillmentOrderCancellationRequested') {
        const lastSent = earlier.findLast((e) => e.type === 'FulfillmentOrderReleased' || e.type === 'FulfillmentOrderUpdated');
        const sent = lastSent ? decodeFulfillment(lastSent) : undefined;
        lines = sent && (sent.type === 'FulfillmentOrderReleased' || sent.type === 'FulfillmentOrderUpdated') ? sent.data.lines : [];
        if (decision.type === 'FulfillmentOrderCancellationRequested') {
          // Only the warehouse lines expanded from the platform lines the buyer asked to cancel.
          const requested = new Set(decision.data.lines.map((l) => l.platformLineId));
          lines = lines.filter((l) => requested.has(l.source.platformLineId));
        }
      } else {
        lines = decision.data.lines;
      }
      let shipTo: ShipTo | null = null;
      if (o.personalData && !erased) {
        try {
          shipTo = (JSON.parse(await deps.vault.open(`order-${pulled.data.orderId}`, o.personalData as Sealed)) as { shipTo: ShipTo | null }).shipTo;
        } catch (error) {
          // Erased (crypto-shredded) buyer data: the message still goes out, without an address.
          if (!(error instanceof SecretDestroyedError)) throw error;
        }
      }
      const occurredAt =
        decision.type === 'FulfillmentOrderReleased'
          ? decision.data.releasedAt
          : decision.type === 'FulfillmentOrderUpdated'
            ? decision.data.updatedAt
            : decision.type === 'FulfillmentOrderCancelled'
              ? decision.data.cancelledAt
              : decision.data.requestedAt;
      return [
        {
          messageId: event.id,
          type: decision.type,
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
