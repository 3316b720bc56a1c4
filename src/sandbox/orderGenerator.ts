import { generateCatalog, type CatalogItem } from './catalog.js';
import { floorToSecond, toMillis, type Instant } from './shared/clock.js';
import { fakePerson, type FakePerson } from './shared/people.js';
import { createRandom, type Random } from './shared/random.js';

/**
 * Marketplace-neutral orders. Each marketplace sandbox renders them in its own shape (Amazon v2026
 * orders, Walmart purchase orders), so both stores are seeded by the same rules from one seed.
 */
export type OrderStage = 'pending' | 'unshipped' | 'partiallyShipped' | 'shipped' | 'cancelled';
export type FulfilledBy = 'merchant' | 'marketplace';
export type ServiceLevel = 'standard' | 'expedited' | 'secondDay' | 'nextDay';

export type GeneratedLine = Readonly<{
  sku: string;
  title: string;
  quantity: number;
  quantityShipped: number;
  /** Per unit, in the minor unit of the order's currency. */
  unitPriceMinor: number;
}>;

export type GeneratedOrder = Readonly<{
  /** Stable label for deriving marketplace ids: the same seed and index always give the same ids. */
  key: string;
  createdAt: number;
  updatedAt: number;
  stage: OrderStage;
  fulfilledBy: FulfilledBy;
  serviceLevel: ServiceLevel;
  prime: boolean;
  buyer: FakePerson;
  currency: string;
  lines: readonly GeneratedLine[];
}>;

export type OrderGeneratorOptions = Readonly<{
  seed: string | number;
  count: number;
  /** Creation times are spread uniformly over [from, to]. */
  from: Instant;
  to: Instant;
  countryCode?: string;
  currency?: string;
  catalog?: readonly CatalogItem[];
  /** Share of orders fulfilled by the marketplace (FBA / WFS). Default 0.2. */
  marketplaceFulfilledShare?: number;
  /** Fixed stage weights; by default the mix depends on the order's age (recent orders are mostly unshipped). */
  stages?: Partial<Record<OrderStage, number>>;
  maxLines?: number;
  maxQuantity?: number;
}>;

/** Minor units per US cent and decimals, for the currencies the sandboxes' marketplaces use. */
export const CURRENCIES: Readonly<Record<string, Readonly<{ perCent: number; decimals: number }>>> = {
  USD: { perCent: 1, decimals: 2 }, CAD: { perCent: 1.35, decimals: 2 }, MXN: { perCent: 17, decimals: 2 },
  BRL: { perCent: 5, decimals: 2 }, GBP: { perCent: 0.8, decimals: 2 }, EUR: { perCent: 0.92, decimals: 2 },
  SEK: { perCent: 10.5, decimals: 2 }, PLN: { perCent: 4, decimals: 2 }, TRY: { perCent: 32, decimals: 2 },
  AED: { perCent: 3.67, decimals: 2 }, SAR: { perCent: 3.75, decimals: 2 }, EGP: { perCent: 48, decimals: 2 },
  INR: { perCent: 83, decimals: 2 }, ZAR: { perCent: 18.5, decimals: 2 }, JPY: { perCent: 1.5, decimals: 0 },
  AUD: { perCent: 1.5, decimals: 2 }, SGD: { perCent: 1.35, decimals: 2 },
};

/** Formats minor units the way marketplaces write money: "34.99", or "5980" for yen. */
export const formatMinor = (minor: number, currency: string): string => {
  const decimals = CURRENCIES[currency]?.decimals ?? 2;
  return decimals === 0 ? String(minor) : (minor / 10 ** decimals).toFixed(decimals);
};

const toCurrency = (cents: number, currency: string): number => {
  const { perCent, decimals } = CURRENCIES[currency] ?? { perCent: 1, decimals: 2 };
  const major = (cents * perCent) / 100;
  // Shop prices end in .99 (or in 0 for yen), which also keeps conversions readable.
  return decimals === 0 ? Math.max(10, Math.round(major / 10) * 10) : Math.max(99, Math.round(major) * 100 - 1);
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const stageWeights = (fulfilledBy: FulfilledBy, ageMs: number): Record<OrderStage, number> => {
  if (fulfilledBy === 'marketplace') {
    return ageMs < DAY
      ? { pending: 10, unshipped: 40, partiallyShipped: 0, shipped: 45, cancelled: 5 }
      : { pending: 0, unshipped: 2, partiallyShipped: 0, shipped: 93, cancelled: 5 };
  }
  if (ageMs < DAY) return { pending: 10, unshipped: 75, partiallyShipped: 2, shipped: 8, cancelled: 5 };
  if (ageMs < 3 * DAY) return { pending: 2, unshipped: 35, partiallyShipped: 6, shipped: 52, cancelled: 5 };
  return { pending: 0, unshipped: 4, partiallyShipped: 2, shipped: 89, cancelled: 5 };
};

/** How long after creation an order in a stage was last touched (payment, shipment, cancellation). */
const updateDelay = (random: Random, stage: OrderStage): number => {
  switch (stage) {
    case 'pending':
      return random.int(0, 30 * 60_000);
    case 'unshipped':
      return random.int(60_000, HOUR);
    case 'partiallyShipped':
      return random.int(6 * HOUR, 2 * DAY);
    case 'shipped':
      return random.int(4 * HOUR, 3 * DAY);
    case 'cancelled':
      return random.int(10 * 60_000, DAY);
  }
};

const generateLines = (
  random: Random,
  catalog: readonly CatalogItem[],
  currency: string,
  stage: OrderStage,
  maxLines: number,
  maxQuantity: number,
): GeneratedLine[] => {
  const wanted = random.weighted({ one: 70, two: 20, more: 10 });
  const count = Math.min(catalog.length, wanted === 'one' ? 1 : wanted === 'two' ? 2 : random.int(3, Math.max(3, maxLines)));
  const chosen = new Map<string, CatalogItem>();
  while (chosen.size < count) {
    const item = random.pick(catalog);
    chosen.set(item.sku, item);
  }
  const lines = [...chosen.values()].map((item, index) => {
    const size = random.weighted({ one: 75, two: 15, more: 10 });
    const quantity = size === 'one' ? 1 : size === 'two' ? 2 : random.int(3, Math.max(3, maxQuantity));
    // A partial shipment needs at least two units; the first line carries them.
    const adjusted = stage === 'partiallyShipped' && count === 1 && index === 0 ? Math.max(2, quantity) : quantity;
    return { sku: item.sku, title: item.title, quantity: adjusted, unitPriceMinor: toCurrency(item.priceCents, currency) };
  });
  return lines.map((line, index) => ({
    ...line,
    quantityShipped:
      stage === 'shipped' ? line.quantity : stage === 'partiallyShipped' && index === 0 ? (lines.length > 1 ? line.quantity : 1) : 0,
  }));
};

/** One order from its own forked generator, so order i is the same whatever `count` is. */
export const generateOrder = (
  random: Random,
  options: OrderGeneratorOptions & { catalog: readonly CatalogItem[] },
  key: string,
): GeneratedOrder => {
  const from = toMillis(options.from);
  const to = toMillis(options.to);
  const createdAt = floorToSecond(random.int(from, to));
  const fulfilledBy: FulfilledBy = random.bool(options.marketplaceFulfilledShare ?? 0.2) ? 'marketplace' : 'merchant';
  const weights = { pending: 0, unshipped: 0, partiallyShipped: 0, shipped: 0, cancelled: 0, ...(options.stages ?? stageWeights(fulfilledBy, to - createdAt)) };
  const stage = random.weighted(weights);
  const currency = options.currency ?? 'USD';
  return {
    key,
    createdAt,
    updatedAt: floorToSecond(Math.max(createdAt, Math.min(to, createdAt + updateDelay(random, stage)))),
    stage,
    fulfilledBy,
    serviceLevel: random.weighted({ standard: 70, expedited: 15, secondDay: 8, nextDay: 7 }),
    prime: random.bool(fulfilledBy === 'marketplace' ? 0.6 : 0.2),
    buyer: fakePerson(random, options.countryCode ?? 'US'),
    currency,
    lines: generateLines(random, options.catalog, currency, stage, options.maxLines ?? 4, options.maxQuantity ?? 5),
  };
};

/** Deterministic orders, oldest first: same options (including seed) give the same orders. */
export const generateOrders = (options: OrderGeneratorOptions): GeneratedOrder[] => {
  if (!Number.isInteger(options.count) || options.count < 0) throw new Error('count must be a non-negative integer');
  if (toMillis(options.from) > toMillis(options.to)) throw new Error('from must not be after to');
  const catalog = options.catalog ?? generateCatalog({ seed: options.seed });
  if (catalog.length === 0) throw new Error('catalog must not be empty');
  const orders: GeneratedOrder[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const key = `${options.seed}/${i}`;
    orders.push(generateOrder(createRandom(`order/${key}`), { ...options, catalog }, key));
  }
  return orders.sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
};
