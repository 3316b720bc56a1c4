/**
 * The demo's small WMS: it reads the warehouse feed over HTTP (as a WMS without Kafka would),
 * keeps the latest line set of every order still to ship, and reports back over
 * POST /v1/warehouse/events — most orders shipped with a carrier, a tracking number and its tracking page (one in two
 * parcels), one rejected for lack of stock, and every fourth left on the shelf (still released).
 * Deterministic: the same feed gives the same reports.
 */
import { createHash } from 'node:crypto';
import type { Api } from './api.js';

type FeedLine = { lineId: string; quantity: number };
type FeedMessage = { messageId: string; type: string; occurredAt: string; tenantId: string; order: { orderId: string; lines: FeedLine[] } };
type FeedPage = { messages: FeedMessage[]; nextCursor: string | null; caughtUp: boolean };

export type WmsResult = Readonly<{
  /** Orders the WMS shipped, and the shipment messages it sent for them. */
  shippedOrders: number;
  shipments: number;
  /** Orders it could not ship (FulfillmentRejected). */
  rejectedOrders: number;
  /** Released orders it left for later (still `released`). */
  waiting: number;
}>;

// Speedy Freight is a regional carrier on no marketplace's list: Amazon takes it as "Others",
// Walmart as otherCarrier with the parcel's tracking page, which this WMS sends with every parcel.
const CARRIERS = ['UPS', 'FedEx', 'DHL', 'USPS', 'Royal Mail', 'Speedy Freight'] as const;

/** A stable id from text (message ids, tracking numbers): the same order gives the same reports. */
const digest = (text: string) => createHash('sha256').update(text).digest('hex');
const messageIdOf = (text: string) => {
  const h = digest(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export const runWms = async (api: Api, apiKey: string, now: () => string = () => new Date().toISOString()): Promise<WmsResult> => {
  // The order's latest line set (a release, then updates); a cancellation takes it off the list.
  const toShip = new Map<string, { tenantId: string; lines: FeedLine[] }>();
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const page: FeedPage = await api.get(`/v1/warehouse/feed?limit=1000${query}`, apiKey);
    for (const m of page.messages) {
      if (m.type === 'FulfillmentOrderCancelled') toShip.delete(m.order.orderId);
      else if (m.type === 'FulfillmentOrderReleased' || m.type === 'FulfillmentOrderUpdated') toShip.set(m.order.orderId, { tenantId: m.tenantId, lines: m.order.lines });
    }
    if (page.caughtUp || page.nextCursor === null) break;
    after = page.nextCursor;
  }

  let shippedOrders = 0;
  let shipments = 0;
  let rejectedOrders = 0;
  let waiting = 0;
  const report = (body: Record<string, unknown>) => api.post('/v1/warehouse/events', apiKey, { schemaVersion: 1, occurredAt: now(), ...body });
  let i = 0;
  let splitDone = false;
  for (const [orderId, o] of toShip) {
    const index = i++;
    const base = { tenantId: o.tenantId, orderId };
    if (index === 0) {
      await report({ ...base, messageId: messageIdOf(`reject/${orderId}`), type: 'FulfillmentRejected', reason: 'out of stock at the warehouse' });
      rejectedOrders += 1;
      continue;
    }
    if (index % 4 === 3) {
      waiting += 1;
      continue;
    }
    const carrier = CARRIERS[index % CARRIERS.length]!;
    // The first order with several lines goes out in two parcels (its lines split), the others in one.
    const split: boolean = !splitDone && o.lines.length > 1;
    splitDone ||= split;
    const parcels = split ? [o.lines.slice(0, 1), o.lines.slice(1)] : [o.lines];
    for (const [p, lines] of parcels.entries()) {
      const trackingNumber = `${carrier.replace(/\s/g, '').slice(0, 3).toUpperCase()}${BigInt(`0x${digest(`track/${orderId}/${p}`).slice(0, 14)}`).toString().padStart(17, '0')}`;
      await report({
        ...base,
        messageId: messageIdOf(`ship/${orderId}/${p}`),
        type: 'ShipmentConfirmed',
        shipment: {
          shipmentId: `SHP-${digest(`${orderId}/${p}`).slice(0, 10).toUpperCase()}`,
          carrier,
          trackingNumber,
          trackingUrl: `https://tracking.example.com/${carrier.toLowerCase().replace(/\s/g, '-')}/${trackingNumber}`,
          shipMethod: 'Standard',
          shippedAt: now(),
          lines: lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
        },
      });
      shipments += 1;
    }
    shippedOrders += 1;
  }
  return { shippedOrders, shipments, rejectedOrders, waiting };
};
