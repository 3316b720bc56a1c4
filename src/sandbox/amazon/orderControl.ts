import type { CatalogItem } from '../catalog.js';
import { CURRENCIES, generateOrder, generateOrders, type GeneratedOrder, type OrderStage } from '../orderGenerator.js';
import { floorToSecond, isoSeconds, toMillis, type Clock, type Instant } from '../shared/clock.js';
import { createRandom } from '../shared/random.js';
import { activeMarketplaceIds, type AmazonSellerAccount } from './config.js';
import { marketplace, REGIONS, type Region } from './marketplaces.js';
import { toAmazonOrder } from './orderFactory.js';
import { applyStatus, STAGE_OF_STATUS, type CancelOptions } from './orderStatus.js';
import type { AmazonOrderStore } from './orderStore.js';
import type { AmazonFulfilledBy, AmazonOrder, FulfillmentStatus, ItemCancellation } from './types.js';

export type { CancelOptions } from './orderStatus.js';

export type AmazonOrderInput = Readonly<{
  sellerId?: string;
  marketplaceId?: string;
  createdAt?: Instant;
  status?: FulfillmentStatus;
  fulfilledBy?: AmazonFulfilledBy;
  /** Unit prices are in the marketplace currency's minor unit; SKUs from the catalog default to its price. */
  items?: readonly Readonly<{ sellerSku: string; quantity?: number; title?: string; unitPriceMinor?: number }>[];
  buyerName?: string;
}>;

export type AmazonGenerateOptions = Readonly<{
  count: number;
  sellerId?: string;
  /** One marketplace, or (default) spread evenly over the seller's active marketplaces in every region. */
  marketplaceId?: string;
  from?: Instant;
  to?: Instant;
  /** Shorthand for from = now - days, to = now. Default 14. */
  days?: number;
  seed?: string | number;
  stages?: Partial<Record<OrderStage, number>>;
  marketplaceFulfilledShare?: number;
}>;

/**
 * What tests and demos use to change the store; every change moves lastUpdatedTime to the sandbox's
 * now. Orders handed out are frozen snapshots: change them through this API, not by assignment.
 */
export type AmazonOrderControl = Readonly<{
  generate: (options: AmazonGenerateOptions) => AmazonOrder[];
  add: (input?: AmazonOrderInput) => AmazonOrder;
  setStatus: (orderId: string, status: FulfillmentStatus) => AmazonOrder;
  ship: (orderId: string) => AmazonOrder;
  cancel: (orderId: string, options?: CancelOptions) => AmazonOrder;
  /** The buyer asks to cancel before shipment: a signal the seller must act on. */
  requestCancellation: (orderId: string, reason?: string) => AmazonOrder;
  /** Any other change; the callback mutates a copy. */
  update: (orderId: string, change: (order: AmazonOrder) => void) => AmazonOrder;
  get: (orderId: string) => AmazonOrder | undefined;
  list: (filter?: Readonly<{ sellerId?: string; region?: Region }>) => AmazonOrder[];
  count: () => number;
}>;

const DAY = 86_400_000;

export const createAmazonOrderControl = (deps: Readonly<{
  store: AmazonOrderStore;
  clock: Clock;
  seed: string | number;
  sellers: readonly AmazonSellerAccount[];
  catalog: readonly CatalogItem[];
}>): AmazonOrderControl => {
  const { store, clock } = deps;
  let runs = 0;

  const seller = (sellerId?: string): AmazonSellerAccount => {
    const found = sellerId === undefined ? deps.sellers[0] : deps.sellers.find((s) => s.sellerId === sellerId);
    if (found === undefined) throw new Error(`Unknown Amazon seller ${sellerId ?? '(none configured)'}`);
    return found;
  };

  /** `taken` holds the ids of a batch not yet in the store. */
  const record = (sellerId: string, generated: GeneratedOrder, marketplaceId: string, taken = new Set<string>()) => {
    const market = marketplace(marketplaceId);
    let order = toAmazonOrder(generated, market);
    // Order ids come from 10^14 combinations; a clash is unlikely but must not overwrite another order.
    for (let retry = 1; store.has(order.orderId) || taken.has(order.orderId); retry += 1) {
      order = toAmazonOrder({ ...generated, key: `${generated.key}#${retry}` }, market);
    }
    taken.add(order.orderId);
    return { sellerId, region: market.region, order };
  };

  const stored = (orderId: string) => {
    const found = store.get(orderId);
    if (found === undefined) throw new Error(`No Amazon order ${orderId} in the sandbox`);
    return found;
  };

  const update = (orderId: string, change: (order: AmazonOrder) => void): AmazonOrder => {
    const current = stored(orderId);
    const order = structuredClone(current.order);
    const previous = toMillis(order.lastUpdatedTime);
    order.lastUpdatedTime = isoSeconds(Math.max(previous, floorToSecond(clock.now())));
    change(order);
    store.put({ ...current, order });
    return order;
  };

  return {
    generate: (options) => {
      const account = seller(options.sellerId);
      const now = clock.now();
      const to = options.to ?? now;
      const from = options.from ?? toMillis(to) - (options.days ?? 14) * DAY;
      const targets =
        options.marketplaceId !== undefined
          ? [options.marketplaceId]
          : REGIONS.flatMap((region) => activeMarketplaceIds(account, region));
      if (targets.length === 0) throw new Error(`Seller ${account.sellerId} participates in no marketplace`);
      runs += 1;
      const taken = new Set<string>();
      const batch = targets.flatMap((marketplaceId, index) => {
        const market = marketplace(marketplaceId);
        const count = Math.floor(options.count / targets.length) + (index < options.count % targets.length ? 1 : 0);
        const generated = generateOrders({
          seed: `${options.seed ?? `${deps.seed}/${runs}`}/${account.sellerId}/${marketplaceId}`,
          count, from, to,
          countryCode: market.countryCode,
          currency: CURRENCIES[market.defaultCurrencyCode] !== undefined ? market.defaultCurrencyCode : 'USD',
          catalog: deps.catalog,
          ...(options.stages !== undefined ? { stages: options.stages } : {}),
          ...(options.marketplaceFulfilledShare !== undefined ? { marketplaceFulfilledShare: options.marketplaceFulfilledShare } : {}),
        });
        return generated.map((g) => record(account.sellerId, g, marketplaceId, taken));
      });
      store.load(batch);
      return batch.map((r) => r.order);
    },
    add: (input = {}) => {
      const account = seller(input.sellerId);
      const marketplaceId = input.marketplaceId ?? activeMarketplaceIds(account, 'NA')[0] ?? account.participations[0]?.marketplaceId;
      if (marketplaceId === undefined) throw new Error(`Seller ${account.sellerId} has no marketplace`);
      const market = marketplace(marketplaceId);
      const createdAt = floorToSecond(input.createdAt !== undefined ? toMillis(input.createdAt) : clock.now());
      runs += 1;
      const key = `${deps.seed}/add/${runs}`;
      const status = input.status ?? 'UNSHIPPED';
      const base = generateOrder(createRandom(`order/${key}`), {
        seed: deps.seed, count: 1, from: createdAt, to: createdAt,
        countryCode: market.countryCode, currency: market.defaultCurrencyCode, catalog: deps.catalog,
        stages: { [STAGE_OF_STATUS[status]]: 1 },
        marketplaceFulfilledShare: input.fulfilledBy === 'AMAZON' ? 1 : 0,
      }, key);
      const lines = input.items?.map((item) => {
        const known = deps.catalog.find((c) => c.sku === item.sellerSku);
        const fallback = base.lines[0];
        return {
          sku: item.sellerSku,
          title: item.title ?? known?.title ?? item.sellerSku,
          quantity: item.quantity ?? 1,
          quantityShipped: 0,
          unitPriceMinor: item.unitPriceMinor ?? fallback?.unitPriceMinor ?? 1999,
        };
      });
      const generated: GeneratedOrder = {
        ...base,
        ...(lines !== undefined ? { lines } : {}),
        ...(input.buyerName !== undefined ? { buyer: { ...base.buyer, name: input.buyerName } } : {}),
      };
      const created = record(account.sellerId, generated, marketplaceId);
      const order = created.order;
      order.lastUpdatedTime = order.createdTime;
      applyStatus(order, status);
      store.put(created);
      return order;
    },
    setStatus: (orderId, status) => update(orderId, (order) => applyStatus(order, status)),
    ship: (orderId) => update(orderId, (order) => applyStatus(order, 'SHIPPED')),
    cancel: (orderId, options = {}) => update(orderId, (order) => applyStatus(order, 'CANCELLED', options)),
    requestCancellation: (orderId, reason = 'BuyerCanceled') =>
      update(orderId, (order) => {
        for (const item of order.orderItems) {
          const cancellation: ItemCancellation = { ...item.cancellation, cancellationRequest: { requester: 'BUYER', cancelReason: reason } };
          item.cancellation = cancellation;
        }
      }),
    update,
    get: (orderId) => {
      const found = store.get(orderId);
      return found?.order;
    },
    list: (filter = {}) =>
      store
        .all()
        .filter((r) => (filter.sellerId === undefined || r.sellerId === filter.sellerId) && (filter.region === undefined || r.region === filter.region))
        .map((r) => r.order),
    count: () => store.size(),
  };
};
