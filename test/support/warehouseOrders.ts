// Released orders for the warehouse-events tests: an OrderPulled and a FulfillmentOrderReleased
// appended to the order's stream, as a pull and the release policy would write them.
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/domain/ports/eventStore.js';
import type { WarehouseEventMessageInput } from '../../src/domain/warehouse/warehouseEventMessage.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

export type SeedLine = Readonly<{ platformLineId: string; platformSku: string; platformQuantity: number; sku: string; factor: number }>;

/** Two platform lines: a 6-pack (factor 6) and a plain unit; warehouse lines `L1:0` and `L2:0`. */
export const DEFAULT_LINES: readonly SeedLine[] = [
  { platformLineId: 'L1', platformSku: 'AMZ-6PK', platformQuantity: 2, sku: 'WIDGET', factor: 6 },
  { platformLineId: 'L2', platformSku: 'AMZ-CUP', platformQuantity: 1, sku: 'CUP', factor: 1 },
];

export const seedReleasedOrder = async (
  store: EventStore,
  o: { tenantId: string; storeId: string; orderId?: string; lines?: readonly SeedLine[]; cancelled?: boolean; released?: boolean },
) => {
  const orderId = o.orderId ?? randomUUID();
  const at = new Date().toISOString();
  const lines = o.lines ?? DEFAULT_LINES;
  const base = { orderId, tenantId: o.tenantId, storeId: o.storeId };
  const events = [
    {
      id: randomUUID(),
      type: 'OrderPulled',
      metadata: { schemaVersion: 1, actor: 'test' },
      data: {
        ...base,
        pullId: randomUUID(),
        contentHash: randomUUID(),
        pulledAt: at,
        order: {
          platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', platformOrderId: `113-${orderId.slice(0, 8)}`, createdAt: at, updatedAt: at,
          status: 'unshipped', platformStatus: 'Unshipped', fulfillmentChannel: 'merchant', shipBy: at, deliverBy: null, serviceLevel: 'Standard',
          shipToCountry: 'US', shipToRegion: 'WA', personalData: null, orderTotal: null,
          lines: lines.map((l) => ({ lineId: l.platformLineId, platformSku: l.platformSku, quantityOrdered: l.platformQuantity, quantityShipped: 0, quantityCancelled: 0, lineStatus: null, unitPrice: null, title: null })),
        },
      },
    },
    ...(o.released === false
      ? []
      : [
          {
            id: randomUUID(),
            type: 'FulfillmentOrderReleased',
            metadata: { schemaVersion: 1, actor: 'test' },
            data: {
              ...base,
              lines: lines.map((l) => ({
                lineId: `${l.platformLineId}:0`, sku: l.sku, quantity: l.platformQuantity * l.factor,
                source: { platformSku: l.platformSku, platformLineId: l.platformLineId, platformQuantity: l.platformQuantity, factor: l.factor, mappingVersion: 1 },
              })),
              mappingVersions: Object.fromEntries(lines.map((l) => [l.platformSku, 1])),
              orderVersion: 1,
              releasedAt: at,
            },
          },
        ]),
    ...(o.cancelled
      ? [{ id: randomUUID(), type: 'FulfillmentOrderCancelled', metadata: { schemaVersion: 1, actor: 'test' }, data: { ...base, reason: 'cancelled on the marketplace', orderVersion: 2, cancelledAt: at } }]
      : []),
  ];
  await store.append(orderStreamId(orderId), events, 'no_stream');
  return orderId;
};

/** A ShipmentConfirmed for the given warehouse lines. */
export const shipment = (tenantId: string, orderId: string, lines: { lineId: string; quantity: number }[], extra: Partial<WarehouseEventMessageInput> = {}): WarehouseEventMessageInput =>
  ({
    messageId: randomUUID(),
    type: 'ShipmentConfirmed',
    schemaVersion: 1,
    occurredAt: '2026-03-02T09:00:00Z',
    tenantId,
    orderId,
    shipment: { shipmentId: `SHP-${randomUUID().slice(0, 8)}`, carrier: 'UPS', trackingNumber: '1Z999AA10123456784', shipMethod: 'Ground', shippedAt: '2026-03-02T08:55:00Z', lines },
    ...extra,
  }) as WarehouseEventMessageInput;

export const stop = (type: 'FulfillmentRejected' | 'FulfillmentCancelled', tenantId: string, orderId: string, lines?: { lineId: string; quantity: number }[]): WarehouseEventMessageInput => ({
  messageId: randomUUID(),
  type,
  schemaVersion: 1,
  occurredAt: '2026-03-02T09:00:00Z',
  tenantId,
  orderId,
  reason: type === 'FulfillmentRejected' ? 'out of stock' : 'stopped on request',
  ...(lines ? { lines } : {}),
});
