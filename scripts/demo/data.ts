/**
 * The demo's marketplace data and the seller's catalogue decisions, derived from the sandboxes'
 * seeded catalogue and orders (so every SKU the demo maps or leaves unmapped is one the orders use).
 */
import { findMarketplace, type AmazonOrder, type CatalogItem, type Sandboxes, type WalmartOrder } from '../../src/sandbox/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The Amazon region the demo connects: the sandbox's main seller sells in GB, DE and FR there. */
export const AMAZON_REGION = 'EU' as const;
/** Days of orders in the sandboxes, inside the look-back the demo asks for (5 days). */
const ORDER_DAYS = 4;
export const LOOKBACK_DAYS = 5;
const AMAZON_ORDERS_PER_MARKETPLACE = 16;
const WALMART_ORDERS = 36;

export type Component = Readonly<{ sku: string; quantity: number }>;
export type Mapping = Readonly<{ platformSku: string; components: readonly Component[] }>;

export type DemoPlan = Readonly<{
  /** System SKUs (the warehouse's single units). */
  products: readonly Readonly<{ sku: string; name: string }>[];
  /** The same mapping file is imported into every store. */
  mappings: readonly Mapping[];
  sixPack: Mapping;
  kit: Mapping;
  /** A platform SKU that shippable orders use and the file leaves out: it holds them. */
  unmapped: string;
  orders: Readonly<{ amazon: number; walmart: number }>;
}>;

/** `NB-MUG-NVY-2PK` → the single unit `NB-MUG-NVY` × 2; a SKU without a pack suffix is one unit. */
const unitOf = (item: CatalogItem) => {
  const match = /^(.*)-(\d+)PK$/.exec(item.sku);
  const name = item.title.replace(/, \d+-Pack$/, '');
  return match ? { sku: match[1]!, factor: Number(match[2]), name } : { sku: item.sku, factor: 1, name };
};

const productCode = (sku: string) => sku.split('-')[1] ?? sku;

const amazonShippable = (o: AmazonOrder) =>
  o.fulfillment?.fulfilledBy === 'MERCHANT' && ['UNSHIPPED', 'PARTIALLY_SHIPPED'].includes(o.fulfillment.fulfillmentStatus);

const walmartShippable = (o: WalmartOrder) =>
  o.shipNode?.type !== 'WFSFulfilled' &&
  o.orderLines.orderLine.some((l) => l.orderLineStatuses.orderLineStatus.some((s) => s.status === 'Created' || s.status === 'Acknowledged'));

/**
 * Seeds the sandboxes (orders over the last days, none younger than 10 minutes so Amazon's
 * two-minute end bound does not hide any) and decides the seller's catalogue from them.
 */
export const seedAndPlan = (sandboxes: Sandboxes, now: number): DemoPlan => {
  const { amazon, walmart } = sandboxes;
  const seller = amazon.sellers[0]!;
  const catalog = amazon.catalog;
  const from = now - ORDER_DAYS * DAY;
  const to = now - 10 * MINUTE;

  const euMarketplaces = seller.participations
    .filter((p) => p.isParticipating !== false && findMarketplace(p.marketplaceId)?.region === AMAZON_REGION)
    .map((p) => p.marketplaceId);
  for (const marketplaceId of euMarketplaces) {
    amazon.orders.generate({ count: AMAZON_ORDERS_PER_MARKETPLACE, sellerId: seller.sellerId, marketplaceId, from, to });
  }
  walmart.orders.generate({ count: WALMART_ORDERS, from, to });

  // The seller's warehouse products: one system SKU per single unit of the catalogue.
  const units = new Map<string, string>();
  for (const item of catalog) {
    const unit = unitOf(item);
    if (!units.has(unit.sku)) units.set(unit.sku, unit.name);
  }
  const unitSkus = [...units.keys()].sort();

  // A 6-pack listing and a gift set (a combination of two products) only this seller sells.
  const sixUnit = unitSkus[0]!;
  const sixPack: Mapping = { platformSku: `${sixUnit}-6PK`, components: [{ sku: sixUnit, quantity: 6 }] };
  const first = unitSkus.find((s) => s !== sixUnit)!;
  const second = unitSkus.find((s) => productCode(s) !== productCode(first) && s !== sixUnit) ?? unitSkus[1]!;
  const kit: Mapping = { platformSku: `KIT-${productCode(first)}-${productCode(second)}`, components: [{ sku: first, quantity: 1 }, { sku: second, quantity: 2 }] };

  const [gb, de, fr] = euMarketplaces;
  const at = (hoursAgo: number) => now - hoursAgo * HOUR;
  amazon.orders.add({ sellerId: seller.sellerId, marketplaceId: gb, createdAt: at(3), status: 'UNSHIPPED', items: [{ sellerSku: sixPack.platformSku, quantity: 2, title: `${units.get(sixUnit)}, 6-Pack` }] });
  amazon.orders.add({ sellerId: seller.sellerId, marketplaceId: de ?? gb, createdAt: at(5), status: 'UNSHIPPED', items: [{ sellerSku: kit.platformSku, quantity: 1, title: 'Gift set' }] });
  amazon.orders.add({ sellerId: seller.sellerId, marketplaceId: fr ?? gb, createdAt: at(2), status: 'UNSHIPPED', fulfilledBy: 'AMAZON', items: [{ sellerSku: catalog[0]!.sku, quantity: 1 }] });
  walmart.orders.add({ createdAt: at(4), lines: [{ sku: kit.platformSku, quantity: 1, productName: 'Gift set' }] });
  walmart.orders.add({ createdAt: at(6), lines: [{ sku: sixPack.platformSku, quantity: 1, productName: `${units.get(sixUnit)}, 6-Pack` }] });

  // Leave out the catalogue SKU that most shippable (merchant-fulfilled, open) orders use.
  const uses = new Map<string, number>();
  const count = (skus: readonly string[]) => {
    for (const sku of new Set(skus)) if (catalog.some((c) => c.sku === sku)) uses.set(sku, (uses.get(sku) ?? 0) + 1);
  };
  const amazonOrders = amazon.orders.list({ sellerId: seller.sellerId, region: AMAZON_REGION });
  const walmartOrders = walmart.orders.list();
  for (const o of amazonOrders.filter(amazonShippable)) count(o.orderItems.map((i) => i.product.sellerSku));
  for (const o of walmartOrders.filter(walmartShippable)) count(o.orderLines.orderLine.map((l) => l.item.sku));
  const unmapped = [...uses.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  if (unmapped === undefined) throw new Error('the seeded sandboxes have no open merchant-fulfilled order');

  const mappings: Mapping[] = [
    ...catalog
      .filter((item) => item.sku !== unmapped)
      .map((item) => {
        const unit = unitOf(item);
        return { platformSku: item.sku, components: [{ sku: unit.sku, quantity: unit.factor }] };
      }),
    sixPack,
    kit,
  ];

  return {
    products: unitSkus.map((sku) => ({ sku, name: units.get(sku)! })),
    mappings,
    sixPack,
    kit,
    unmapped,
    orders: { amazon: amazonOrders.length, walmart: walmartOrders.length },
  };
};

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export const productsCsv = (plan: DemoPlan) =>
  ['sku,name', ...plan.products.map((p) => `${csvField(p.sku)},${csvField(p.name)}`)].join('\n') + '\n';

/** One row per component: several rows with one platform SKU make a combination. */
export const mappingsCsv = (plan: DemoPlan) =>
  ['platform_sku,system_sku,quantity', ...plan.mappings.flatMap((m) => m.components.map((c) => `${csvField(m.platformSku)},${csvField(c.sku)},${c.quantity}`))].join('\n') +
  '\n';

/** "NB-MUG-NVY × 6" / "A + B × 2" for the summary. */
export const describeMapping = (m: Mapping) => m.components.map((c) => (c.quantity === 1 ? c.sku : `${c.sku} × ${c.quantity}`)).join(' + ');
