/**
 * The marketplace side of the demo's order loop: what OMS told Amazon and Walmart after the WMS
 * reported (acknowledgements, shipment confirmations, the rejected order's cancellation), read from
 * OMS's API (`GET /v1/orders?confirmation=…` and the order detail) and cross-checked against what the
 * sandboxes themselves recorded for the same orders.
 */
import type { Sandboxes } from '../../src/sandbox/index.js';
import type { Api } from './api.js';

export const PLATFORMS = ['amazon', 'walmart'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** rm_marketplace_sync states, as `GET /v1/orders?confirmation=` takes them. */
const CONFIRMATION_STATES = ['none', 'pending', 'confirmed', 'failed'] as const;
type ConfirmationState = (typeof CONFIRMATION_STATES)[number];

/** Hand-off states after which the marketplace is owed something (a confirmation or a cancellation). */
const SHIPPED_STATES: ReadonlySet<string> = new Set(['shipped', 'partially_shipped']);
const REPORTED_STATES = ['shipped', 'partially_shipped', 'rejected'] as const;
const RELEASED_STATES: ReadonlySet<string> = new Set(['released', ...REPORTED_STATES]);

export type MarketplaceFigures = Readonly<{
  platform: Platform;
  /** Orders sent to the warehouse. */
  released: number;
  /** Walmart: released orders OMS acknowledged (`acknowledgedAt`); Amazon has no such step (null). */
  acknowledged: number | null;
  /** Orders the warehouse shipped (all or part of). */
  shipped: number;
  /** Of those, the ones whose shipments the marketplace accepted (`confirmation=confirmed`). */
  confirmed: number;
  /** Released orders still being sent, or refused for good. */
  pending: number;
  failed: number;
  /** The refused ones: the order and the marketplace's error, as the order detail has it. */
  failures: readonly Readonly<{ platformOrderId: string; error: string }>[];
  /**
   * The same orders as the marketplace (the sandbox) recorded them: acknowledged, and shipped = the
   * sandbox holds every tracking number the WMS reported for the order.
   */
  sandbox: Readonly<{ acknowledged: number | null; shipped: number }>;
}>;

export type RejectedOrderSummary = Readonly<{
  orderId: string;
  platform: string;
  platformOrderId: string;
  marketplaceId: string;
  /** Why the warehouse rejected it (its FulfillmentRejected reason). */
  warehouseReason: string;
  /** What OMS records: its confirmation state and the platform units it cancelled at the marketplace. */
  confirmation: string;
  cancelledUnits: number;
  /** The sandbox's own record: cancelled, and with which reason code. */
  sandbox: Readonly<{ cancelled: boolean; reason: string | null }>;
}>;

/** What a sandbox recorded for one order (null: the sandbox does not know it). */
export type SandboxRecord = (
  platform: string,
  platformOrderId: string,
) => Readonly<{ acknowledged: boolean; trackingNumbers: readonly string[]; cancelled: boolean; cancelReason: string | null }> | null;

/** Reads the in-process sandboxes: Amazon's packages and status, Walmart's line statuses. */
export const sandboxRecord =
  (sb: Sandboxes): SandboxRecord =>
  (platform, platformOrderId) => {
    if (platform === 'amazon') {
      const o = sb.amazon.orders.get(platformOrderId);
      if (o === undefined) return null;
      const status = o.fulfillment?.fulfillmentStatus;
      const cancelReason = o.orderItems.map((i) => i.cancellation?.cancellationExecution?.cancelReason).find((r) => r !== undefined) ?? null;
      return { acknowledged: false, trackingNumbers: (o.packages ?? []).map((p) => p.trackingNumber), cancelled: status === 'CANCELLED', cancelReason };
    }
    const o = sb.walmart.orders.get(platformOrderId);
    if (o === undefined) return null;
    const statuses = o.orderLines.orderLine.flatMap((l) => l.orderLineStatuses.orderLineStatus);
    return {
      acknowledged: statuses.every((s) => s.status !== 'Created'),
      trackingNumbers: statuses.flatMap((s) => (s.status === 'Shipped' && s.trackingInfo !== undefined ? [s.trackingInfo.trackingNumber] : [])),
      cancelled: statuses.some((s) => s.status === 'Cancelled'),
      cancelReason: statuses.find((s) => s.cancellationReason !== undefined)?.cancellationReason ?? null,
    };
  };

type OrderItem = { orderId: string; platform: string; platformOrderId: string; marketplaceId: string; handoff: { state: string } };
type OrderDetail = {
  marketplaceSync: { state: string; acknowledgedAt: string | null; cancelledLines: Record<string, number>; lastError: { message: string } | null } | null;
  warehouse: { shipments: { trackingNumber: string }[]; stops: { type: string; reason: string }[] } | null;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each order's confirmation state, from the list filter. */
const confirmationStates = async (api: Api, apiKey: string) => {
  const states = new Map<string, ConfirmationState>();
  for (const state of CONFIRMATION_STATES) for (const o of await api.all<{ orderId: string }>(`/v1/orders?confirmation=${state}`, apiKey)) states.set(o.orderId, state);
  return states;
};

export type SyncWait = Readonly<{ settled: boolean; seconds: number; pending: number; owed: number }>;

/**
 * Until the sender has told the marketplaces everything the warehouse reported (and every Walmart
 * release is acknowledged): no order `pending`, and no shipped or rejected order still at `none`
 * (its warehouse event not yet seen). Bounded: after `timeoutMs` it answers with what is left.
 */
export const awaitMarketplaceSync = async (api: Api, apiKey: string, timeoutMs = 90_000): Promise<SyncWait> => {
  const started = Date.now();
  for (;;) {
    const pending = (await api.all(`/v1/orders?confirmation=pending`, apiKey)).length;
    let owed = 0;
    for (const state of REPORTED_STATES) owed += (await api.all(`/v1/orders?handoff=${state}&confirmation=none`, apiKey)).length;
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if (pending === 0 && owed === 0) return { settled: true, seconds, pending, owed };
    if (Date.now() - started > timeoutMs) return { settled: false, seconds, pending, owed };
    await sleep(250);
  }
};

/** Per marketplace: released, acknowledged, shipped and confirmed orders; the rejected orders and their cancellation. */
export const gatherMarketplaces = async (
  api: Api,
  apiKey: string,
  record: SandboxRecord,
): Promise<{ marketplaces: MarketplaceFigures[]; rejected: RejectedOrderSummary[] }> => {
  const orders = await api.all<OrderItem>('/v1/orders', apiKey);
  const states = await confirmationStates(api, apiKey);
  const stateOf = (o: OrderItem) => states.get(o.orderId) ?? 'none';
  const detail = (o: OrderItem) => api.get<OrderDetail>(`/v1/orders/${o.orderId}`, apiKey);

  const marketplaces: MarketplaceFigures[] = [];
  for (const platform of PLATFORMS) {
    const released = orders.filter((o) => o.platform === platform && RELEASED_STATES.has(o.handoff.state));
    const shipped = released.filter((o) => SHIPPED_STATES.has(o.handoff.state));
    // Shipped at the marketplace too: the sandbox holds every tracking number the WMS reported (OMS's order detail).
    let sandboxShipped = 0;
    for (const o of shipped) {
      const tracking = (await detail(o)).warehouse?.shipments.map((x) => x.trackingNumber) ?? [];
      const seen = new Set(record(platform, o.platformOrderId)?.trackingNumbers ?? []);
      if (tracking.length > 0 && tracking.every((n) => seen.has(n))) sandboxShipped += 1;
    }
    let acknowledged: number | null = null;
    let sandboxAcknowledged: number | null = null;
    if (platform === 'walmart') {
      acknowledged = 0;
      for (const o of released) if ((await detail(o)).marketplaceSync?.acknowledgedAt) acknowledged += 1;
      sandboxAcknowledged = released.filter((o) => record(platform, o.platformOrderId)?.acknowledged === true).length;
    }
    const failures = [];
    for (const o of released.filter((x) => stateOf(x) === 'failed')) {
      failures.push({ platformOrderId: o.platformOrderId, error: (await detail(o)).marketplaceSync?.lastError?.message ?? '' });
    }
    marketplaces.push({
      platform,
      released: released.length,
      acknowledged,
      shipped: shipped.length,
      confirmed: shipped.filter((o) => stateOf(o) === 'confirmed').length,
      pending: released.filter((o) => stateOf(o) === 'pending').length,
      failed: failures.length,
      failures,
      sandbox: { acknowledged: sandboxAcknowledged, shipped: sandboxShipped },
    });
  }

  const rejected: RejectedOrderSummary[] = [];
  for (const o of orders.filter((x) => x.handoff.state === 'rejected')) {
    const d = await detail(o);
    const seen = record(o.platform, o.platformOrderId);
    rejected.push({
      orderId: o.orderId,
      platform: o.platform,
      platformOrderId: o.platformOrderId,
      marketplaceId: o.marketplaceId,
      warehouseReason: d.warehouse?.stops.find((s) => s.type === 'rejected')?.reason ?? '',
      confirmation: d.marketplaceSync?.state ?? 'none',
      cancelledUnits: Object.values(d.marketplaceSync?.cancelledLines ?? {}).reduce((a, b) => a + b, 0),
      sandbox: { cancelled: seen?.cancelled === true, reason: seen?.cancelReason ?? null },
    });
  }
  return { marketplaces, rejected };
};
