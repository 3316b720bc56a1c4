import type { FulfillmentEvent, HoldReason, WarehouseLine } from '../order/fulfillmentEvents.js';
import type { PlatformOrderLine } from '../order/platformOrder.js';
import type { Page } from './cursors.js';

/**
 * The order read model as HTTP and the application see it. Tenant queries are bound to one tenant
 * by construction (`forTenant`): another tenant's order is indistinguishable from a missing one.
 * Lists are paged with opaque cursors; a cursor the list did not issue throws InvalidCursorError
 * (ports/cursors.ts). The adapter is adapters/readModels/orderQueries.ts.
 */
export interface OrderQueries {
  forTenant(tenantId: string): TenantOrderQueries;
}

export interface TenantOrderQueries {
  list(filter: OrderListFilter): Promise<Page<OrderSummary>>;
  /** The order with its lines, hold reasons, hand-off history and warehouse reports; null when not this tenant's. */
  get(orderId: string): Promise<OrderDetail | null>;
  /** The order's events for audit (buyer data redacted), oldest first; null when not this tenant's. */
  history(orderId: string): Promise<HistoryEntry[] | null>;
  /** The platform SKUs holding a store's orders; null when the store is not this tenant's. */
  unmappedSkus(storeId: string): Promise<UnmappedSku[] | null>;
  /** Orders pulls could not read, latest first. */
  rejected(filter: RejectedFilter): Promise<Page<RejectedOrder>>;
  /** One row per warehouse line of every released order. */
  warehouseLines(filter: WarehouseLineFilter): Promise<Page<WarehouseLineRow>>;
}

/**
 * What the pull and the release policy ask the order read model across tenants (it may lag the
 * streams: callers either tolerate that or wait for the projection first).
 */
export interface OrderLookups {
  /** The content hash last recorded for each of these orders (absent: not recorded yet): which orders changed. */
  contentHashes(orderIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** The store's orders held on this platform SKU. */
  heldOnSku(storeId: string, platformSku: string): Promise<string[]>;
  /** Every held order of the store. */
  heldInStore(storeId: string): Promise<string[]>;
}

export type MarketplaceSyncView = Readonly<{
  state: 'none' | 'pending' | 'confirmed' | 'failed';
  acknowledgedAt: string | null;
  confirmedLines: Record<string, number>;
  cancelledLines: Record<string, number>;
  pending: string[];
  failed: string[];
  lastError: Readonly<{ action: string; key: string; code: string; status: number | null; message: string; permanent: boolean; attempt: number; at: string }> | null;
  nextRetryAt: string | null;
}>;

type WarehouseViewLine = { lineId: string; quantity: number };

/** An order's warehouse reports for its detail view: folded from its own stream (as the decision is). */
export type WarehouseView = Readonly<{
  lines: { lineId: string; released: number; shipped: number; stopped: number }[];
  shipments: {
    messageId: string;
    shipmentId: string;
    carrier: string;
    trackingNumber: string;
    /** The carrier's tracking page, when the warehouse gave one. */
    trackingUrl: string | null;
    shipMethod: string | null;
    shippedAt: string;
    lines: WarehouseViewLine[];
    recordedAt: string;
  }[];
  stops: { type: 'rejected' | 'cancelled'; messageId: string; reason: string; lines: WarehouseViewLine[]; occurredAt: string; recordedAt: string }[];
}>;

export type HandoffView = Readonly<{
  state: string;
  holdSkus: string[];
  heldSince: string | null;
  releasedAt: string | null;
  lastMessageType: string | null;
  lastMessageAt: string | null;
}>;

export type OrderSummary = Readonly<{
  orderId: string;
  storeId: string;
  platform: string;
  marketplaceId: string;
  platformOrderId: string;
  status: string;
  platformStatus: string;
  fulfillmentChannel: string;
  purchasedAt: string;
  updatedAt: string;
  shipBy: string | null;
  serviceLevel: string | null;
  handoff: HandoffView;
  lineCount: number;
}>;

export type HandoffStep = Readonly<{
  type: FulfillmentEvent['type'];
  revision: number;
  /** When the decision took effect (the event's own time), and when it was recorded. */
  at: string;
  recordedAt: string;
  unmappedSkus?: string[];
  reason?: string;
  mappingVersions?: Record<string, number>;
  lineCount?: number;
  holdReasons?: HoldReason['code'][];
  actor?: string;
  /** Platform lines a buyer cancellation request concerns. */
  platformLineIds?: string[];
}>;

export type OrderDetail = OrderSummary & Readonly<{ marketplaceSync: MarketplaceSyncView | null }> &
  Readonly<{
    deliverBy: string | null;
    shipToCountry: string | null;
    shipToRegion: string | null;
    orderTotal: { amount: string; currency: string } | null;
    versions: number;
    firstPulledAt: string;
    lastPulledAt: string;
    lines: PlatformOrderLine[];
    warehouseLines: WarehouseLine[];
    holdReasons: HoldReasonView[];
    mappingVersions: Record<string, number>;
    handoffHistory: HandoffStep[];
    warehouse: WarehouseView;
    /** The buyer's personal data: sealed in the vault, erased (its key shredded, docs/retention.md), or none given. */
    buyerData: Readonly<{ state: 'sealed' | 'erased' | 'none'; erasedAt: string | null }>;
  }>;

/**
 * One reason the order is held: one entry per unmapped SKU (as before), one per other reason, with
 * what the code needs (the missing address fields, the store that owns a duplicate, the status word).
 */
export type HoldReasonView = Readonly<{
  code: HoldReason['code'];
  since: string | null;
  platformSku?: string;
  missingFields?: string[];
  ownerStoreId?: string;
  ownerOrderId?: string;
  platformStatus?: string;
  platformLineIds?: string[];
  /** operator_hold: why, and who held it. */
  reason?: string;
  actor?: string;
}>;

export type HistoryEntry = Readonly<{
  revision: number;
  type: string;
  recordedAt: string;
  actor: string | null;
  correlationId: string | null;
  causationId: string | null;
  schemaVersion: number;
  data: Record<string, unknown>;
}>;

export type UnmappedSku = Readonly<{ platformSku: string; heldOrders: number; oldestHeldSince: string | null }>;

export type WarehouseLineRow = Readonly<{
  orderId: string;
  storeId: string;
  platformOrderId: string;
  handoffState: string;
  releasedAt: string | null;
  lineId: string;
  sku: string;
  quantity: number;
  source: WarehouseLine['source'];
}>;

export type OrderListFilter = Readonly<{
  storeId?: string;
  platform?: string;
  status?: string;
  handoff?: string;
  /** What the marketplace has heard (rm_marketplace_sync.state): none, pending, confirmed, failed. */
  confirmation?: string;
  /** Purchase time range: from inclusive, to exclusive (ISO 8601). */
  from?: string;
  to?: string;
  /** Platform SKU on a pulled line, or system SKU on a warehouse line. */
  sku?: string;
  /** Part of the platform order id (case-insensitive). */
  q?: string;
  /** Held orders with this reason among their current ones (implies handoff held). */
  holdReason?: HoldReason['code'];
  after?: string | null;
  limit: number;
}>;

export type WarehouseLineFilter = Readonly<{
  storeId?: string;
  orderId?: string;
  /** System SKU of the line, or the platform SKU it was expanded from. */
  sku?: string;
  after?: string | null;
  limit: number;
}>;

export type RejectedOrder = Readonly<{
  storeId: string;
  platform: string;
  platformOrderId: string | null;
  reason: string;
  payloadHash: string;
  lastPullId: string;
  firstRejectedAt: string;
  lastRejectedAt: string;
  /** Distinct payloads of this order that could not be read. */
  rejections: number;
  /** open: no pull has read it since; resolved: a later pull recorded it (`orderId`). */
  state: 'open' | 'resolved';
  orderId: string | null;
}>;

export type RejectedFilter = Readonly<{ storeId?: string; state?: 'open' | 'resolved'; after?: string | null; limit: number }>;
