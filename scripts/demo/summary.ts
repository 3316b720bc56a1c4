/**
 * The demo's summary: gathered from the HTTP API only (what a user would see), printed as a few
 * aligned lines, and once more as one machine-readable line (`DEMO_SUMMARY {json}`) for the test.
 */
import type { Api } from './api.js';
import { describeMapping, type Mapping } from './data.js';
import type { FailingStore } from './failingStore.js';
import type { MarketplaceFigures, RejectedOrderSummary, SyncWait } from './marketplaces.js';
import type { StoreView } from './scenario.js';

export const SUMMARY_PREFIX = 'DEMO_SUMMARY ';

export type OrderCounts = { pulled: number; released: number; held: number; marketplace: number; other: number };

export type StoreSummary = Readonly<{
  storeId: string;
  platform: string;
  marketplaceId: string;
  marketplaceName: string;
  countryCode: string;
  orders: OrderCounts;
  /** GET /v1/stores/:id/unmapped-skus */
  heldSkus: readonly Readonly<{ platformSku: string; heldOrders: number }>[];
}>;

export type DemoSummary = Readonly<{
  url: string;
  tenantId: string;
  apiKey: string;
  dataDir: string;
  logFile: string;
  stores: readonly StoreSummary[];
  totals: OrderCounts;
  feed: Readonly<{ messages: number; byType: Readonly<Record<string, number>> }>;
  /**
   * What the demo's WMS reported back (POST /v1/warehouse/events), by the orders' hand-off state:
   * shipped (all of it), partially shipped, rejected by the warehouse, still awaiting shipment;
   * `shipments` = ShipmentConfirmed messages it sent.
   */
  warehouse: Readonly<{ shipped: number; partiallyShipped: number; rejected: number; awaiting: number; shipments: number }>;
  /** Per marketplace, what OMS told it after the WMS reported (marketplaces.ts), and how long the demo waited for it. */
  marketplaces: readonly MarketplaceFigures[];
  marketplaceSync: SyncWait;
  /** The orders the WMS rejected and their cancellation at the marketplace. */
  rejected: readonly RejectedOrderSummary[];
  /** Stores whose pulls fail (the outlet account, its grant revoked: failingStore.ts). */
  failingStores: readonly FailingStore[];
  mappings: Readonly<{ perStore: number; sixPack: Mapping; kit: Mapping; unmapped: string }>;
  /** Seconds from start to summary, and per phase. */
  timings: Readonly<Record<string, number>>;
}>;

type OrderItem = { storeId: string; handoff: { state: string } };
type FeedPage = { messages: { type: string }[]; nextCursor: string | null; caughtUp: boolean };

const emptyCounts = (): OrderCounts => ({ pulled: 0, released: 0, held: 0, marketplace: 0, other: 0 });

/** Hand-off states of an order sent to the warehouse: released, then what the warehouse reported. */
export const RELEASED_STATES: ReadonlySet<string> = new Set(['released', 'partially_shipped', 'shipped', 'rejected']);

/** Every order of the tenant, counted per store by hand-off state: released, held, fulfilled by the marketplace, other. */
export const countOrders = (orders: readonly OrderItem[], storeId: string): OrderCounts => {
  const counts = emptyCounts();
  for (const o of orders) {
    if (o.storeId !== storeId) continue;
    counts.pulled += 1;
    const state = o.handoff.state;
    // Released = sent to the warehouse, whatever the warehouse reported since.
    if (RELEASED_STATES.has(state)) counts.released += 1;
    else if (state === 'held' || state === 'marketplace') counts[state] += 1;
    else counts.other += 1;
  }
  return counts;
};

/** Every message of the tenant's warehouse feed, from the beginning until caught up. */
export const readWholeFeed = async (api: Api, apiKey: string) => {
  const messages: { type: string }[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const page: FeedPage = await api.get(`/v1/warehouse/feed?limit=1000${query}`, apiKey);
    messages.push(...page.messages);
    if (page.caughtUp || page.nextCursor === null) break;
    after = page.nextCursor;
  }
  return messages;
};

export const gatherSummary = async (
  api: Api,
  ctx: Readonly<{
    tenantId: string;
    apiKey: string;
    storeIds: readonly string[];
    dataDir: string;
    logFile: string;
    mappings: DemoSummary['mappings'];
    timings: Record<string, number>;
    shipmentsSent?: number;
    marketplaces: Readonly<{ marketplaces: readonly MarketplaceFigures[]; rejected: readonly RejectedOrderSummary[]; wait: SyncWait }>;
    failingStores: readonly FailingStore[];
  }>,
): Promise<DemoSummary> => {
  const { apiKey } = ctx;
  const { items: stores } = await api.get<{ items: StoreView[] }>('/v1/stores', apiKey);
  const orders = await api.all<OrderItem>('/v1/orders', apiKey);
  const storeSummaries: StoreSummary[] = [];
  // In the order the stores were connected: Amazon's marketplaces as the authorization lists them, then Walmart.
  const ours = ctx.storeIds.flatMap((id) => stores.filter((x) => x.storeId === id));
  for (const s of ours) {
    const { items } = await api.get<{ items: { platformSku: string; heldOrders: number }[] }>(`/v1/stores/${s.storeId}/unmapped-skus`, apiKey);
    storeSummaries.push({
      storeId: s.storeId,
      platform: s.platform,
      marketplaceId: s.marketplaceId,
      marketplaceName: s.marketplaceName,
      countryCode: s.countryCode,
      orders: countOrders(orders, s.storeId),
      heldSkus: items.map((i) => ({ platformSku: i.platformSku, heldOrders: i.heldOrders })),
    });
  }
  const totals = emptyCounts();
  for (const s of storeSummaries) for (const k of Object.keys(totals) as (keyof OrderCounts)[]) totals[k] += s.orders[k];
  const feed = await readWholeFeed(api, apiKey);
  const byType: Record<string, number> = {};
  for (const m of feed) byType[m.type] = (byType[m.type] ?? 0) + 1;
  return {
    url: api.baseUrl,
    tenantId: ctx.tenantId,
    apiKey,
    dataDir: ctx.dataDir,
    logFile: ctx.logFile,
    stores: storeSummaries,
    totals,
    feed: { messages: feed.length, byType },
    warehouse: {
      shipped: orders.filter((o) => o.handoff.state === 'shipped').length,
      partiallyShipped: orders.filter((o) => o.handoff.state === 'partially_shipped').length,
      rejected: orders.filter((o) => o.handoff.state === 'rejected').length,
      awaiting: orders.filter((o) => o.handoff.state === 'released').length,
      shipments: ctx.shipmentsSent ?? 0,
    },
    marketplaces: ctx.marketplaces.marketplaces,
    marketplaceSync: ctx.marketplaces.wait,
    rejected: ctx.marketplaces.rejected,
    failingStores: ctx.failingStores,
    mappings: ctx.mappings,
    timings: ctx.timings,
  };
};

const pad = (s: string | number, width: number) => String(s).padEnd(width);
const padLeft = (s: string | number, width: number) => String(s).padStart(width);

/** Timing keys of the summary and how the text names them. */
export const PHASES = {
  sandboxes: 'sandboxes',
  omsStart: 'OMS start',
  setupAndPulls: 'API set-up + pulls',
  settle: 'settle',
  warehouse: 'WMS',
  marketplaceSync: 'marketplace confirmations',
} as const;

const COLUMNS = ['pulled', 'released', 'held', 'FBA/WFS', 'other'] as const;
const countsRow = (c: OrderCounts) => [c.pulled, c.released, c.held, c.marketplace, c.other].map((n, i) => padLeft(n, COLUMNS[i]!.length + 2)).join('');

/** One aligned line per store: platform, marketplace, country, then the order counts. */
export const storeLine = (s: StoreSummary) => `  ${pad(s.platform, 8)} ${pad(s.marketplaceName, 14)} ${pad(s.countryCode, 3)}${countsRow(s.orders)}`;
export const totalLine = (t: OrderCounts) => `  ${pad('total', 27)}${countsRow(t)}`;

/** What the WMS reported, one line (the marketplace side adds its own lines after it). */
export const warehouseLine = (w: DemoSummary['warehouse']) =>
  `Warehouse (WMS)  ${w.shipped} orders shipped (${w.shipments} shipments with tracking), ${w.partiallyShipped} partially shipped, ${w.rejected} rejected, ${w.awaiting} awaiting shipment`;

const PLATFORM_NAMES: Readonly<Record<string, string>> = { amazon: 'Amazon', walmart: 'Walmart' };
const platformName = (p: string) => PLATFORM_NAMES[p] ?? p;
const MARKETPLACE_COLUMNS = ['released', 'acknowledged', 'shipped', 'confirmed'] as const;

/** One aligned line per marketplace: released, acknowledged (Walmart), shipped by the WMS, confirmed; then the sandbox's own record. */
export const marketplaceLine = (m: MarketplaceFigures) => {
  const cells = [m.released, m.acknowledged ?? '—', m.shipped, m.confirmed].map((n, i) => padLeft(n, MARKETPLACE_COLUMNS[i]!.length + 2)).join('');
  const own = [m.sandbox.acknowledged === null ? null : `${m.sandbox.acknowledged} acknowledged`, `${m.sandbox.shipped} shipped with tracking`].filter((x) => x !== null).join(', ');
  const open = [m.pending ? `${m.pending} still pending` : null, m.failed ? `${m.failed} failed` : null].filter((x) => x !== null).join(', ');
  return `  ${pad(platformName(m.platform), 12)}${cells}   ${own}${open ? `; ${open}` : ''}`;
};

/** The rejected order and what the marketplace did with it. */
export const rejectedLine = (r: RejectedOrderSummary, marketplaceName: string) =>
  `Rejected         ${r.platformOrderId} (${platformName(r.platform)}, ${marketplaceName}): the WMS could not ship it (${r.warehouseReason}) → ` +
  (r.confirmation === 'confirmed'
    ? `${r.cancelledUnits} unit${r.cancelledUnits === 1 ? '' : 's'} cancelled at ${platformName(r.platform)}`
    : `cancellation ${r.confirmation}`) +
  `; the sandbox shows it ${r.sandbox.cancelled ? `cancelled (${r.sandbox.reason ?? 'no reason'})` : 'not cancelled'}`;

/** The failing store, as the console's Attention page lists it. */
export const failingStoreLine = (f: FailingStore) =>
  `Failing store    ${f.marketplaceName} ${f.countryCode} (the outlet account): ${f.failures} failed pull${f.failures === 1 ? '' : 's'} — ${f.lastError ?? 'no detail'}; ` +
  `authorization ${f.authorizationStatus} (the seller removed OMS's access in Seller Central)`;

/** The summary as a person reads it in a terminal. */
export const renderSummary = (s: DemoSummary): string => {
  const header = `  ${pad('Stores', 27)}${COLUMNS.map((c) => padLeft(c, c.length + 2)).join('')}`;
  const held = s.stores.flatMap((st) => st.heldSkus.map((h) => `  ${pad(st.marketplaceName, 14)} ${pad(st.countryCode, 3)} ${pad(h.platformSku, 18)} ${h.heldOrders} order${h.heldOrders === 1 ? '' : 's'}`));
  const feedTypes = Object.entries(s.feed.byType).map(([type, n]) => `${n} ${type}`).join(', ');
  const heldStore = s.stores.find((st) => st.heldSkus.length > 0) ?? s.stores[0];
  const phases = Object.entries(PHASES).map(([k, label]) => `${label} ${(s.timings[k] ?? 0).toFixed(1)} s`).join(', ');
  const marketplaceNameOf = (marketplaceId: string) => s.stores.find((st) => st.marketplaceId === marketplaceId)?.marketplaceName ?? marketplaceId;
  const syncNote = s.marketplaceSync.settled
    ? `  (all sent within ${s.marketplaceSync.seconds.toFixed(1)} s of the WMS's reports)`
    : `  (after ${s.marketplaceSync.seconds.toFixed(1)} s still ${s.marketplaceSync.pending} order(s) pending and ${s.marketplaceSync.owed} not yet taken up: the figures are what was sent so far)`;
  return [
    '',
    `OMS demo ready in ${(s.timings.total ?? 0).toFixed(1)} s (${phases})`,
    '',
    header,
    ...s.stores.map(storeLine),
    totalLine(s.totals),
    '  (released = sent to the warehouse, shipped or not; FBA/WFS = fulfilled by the marketplace, recorded only;',
    '   other = pending payment, already shipped or cancelled: nothing to send)',
    '',
    held.length ? 'Held orders — unmapped platform SKUs (map them and the orders are released):' : 'Held orders: none',
    ...held,
    '',
    `Mappings         ${s.mappings.perStore} platform SKUs per store, imported by CSV; ${s.mappings.unmapped} left unmapped`,
    `  6-pack         ${pad(s.mappings.sixPack.platformSku, 18)} = ${describeMapping(s.mappings.sixPack)}`,
    `  kit            ${pad(s.mappings.kit.platformSku, 18)} = ${describeMapping(s.mappings.kit)}`,
    `Warehouse feed   ${s.feed.messages} messages${feedTypes ? ` (${feedTypes})` : ''}`,
    warehouseLine(s.warehouse),
    '',
    `  ${pad('Marketplaces', 12)}${MARKETPLACE_COLUMNS.map((c) => padLeft(c, c.length + 2)).join('')}   the marketplace's own record (sandbox)`,
    ...s.marketplaces.map(marketplaceLine),
    '  (read from OMS: GET /v1/orders?confirmation=confirmed and the order detail\'s acknowledgedAt; shipped = by the WMS,',
    '   confirmed = the marketplace accepted the shipment with carrier and tracking; Amazon has no acknowledgement step)',
    syncNote,
    ...s.marketplaces.flatMap((m) => m.failures.map((f) => `  failed: ${f.platformOrderId} (${platformName(m.platform)}) — ${f.error}`)),
    ...s.rejected.map((r) => rejectedLine(r, marketplaceNameOf(r.marketplaceId))),
    ...s.failingStores.map(failingStoreLine),
    '',
    'Explore (the API key is shown once; the admin token is in the data directory):',
    `  export OMS=${s.url} KEY=${s.apiKey}`,
    `  ${pad('API docs', 15)} ${s.url}/docs`,
    `  ${pad('orders', 15)} curl -s -H "authorization: Bearer $KEY" $OMS/v1/orders`,
    `  ${pad('held orders', 15)} curl -s -H "authorization: Bearer $KEY" "$OMS/v1/orders?handoff=held"`,
    ...(heldStore ? [`  ${pad('unmapped SKUs', 15)} curl -s -H "authorization: Bearer $KEY" $OMS/v1/stores/${heldStore.storeId}/unmapped-skus`] : []),
    `  ${pad('warehouse feed', 15)} curl -s -H "authorization: Bearer $KEY" $OMS/v1/warehouse/feed`,
    `  ${pad('shipped orders', 15)} curl -s -H "authorization: Bearer $KEY" "$OMS/v1/orders?handoff=shipped"`,
    `  ${pad('confirmed', 15)} curl -s -H "authorization: Bearer $KEY" "$OMS/v1/orders?confirmation=confirmed"`,
    ...s.failingStores.map((f) => `  ${pad('failing store', 15)} curl -s -H "authorization: Bearer $KEY" $OMS/v1/stores/${f.storeId}`),
    `  ${pad('data, logs', 15)} ${s.dataDir} (admin-token, oms.log)`,
  ].join('\n');
};
