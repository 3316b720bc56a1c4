import type { CatalogItem } from '../catalog.js';
import { generateOrder, generateOrders, type GeneratedOrder, type OrderStage } from '../orderGenerator.js';
import { floorToSecond, toMillis, type Clock, type Instant } from '../shared/clock.js';
import { createRandom } from '../shared/random.js';
import { lineStatus, toWalmartOrder, trackingFor } from './orderFactory.js';
import type { WalmartOrderStore } from './orderStore.js';
import type { ShipNodeType, WalmartLineStatus, WalmartMarket, WalmartOrder } from './types.js';

const MARKET_MONEY: Readonly<Record<WalmartMarket, { currency: string; country: string }>> = {
  us: { currency: 'USD', country: 'USA' },
  ca: { currency: 'CAD', country: 'CAN' },
  mx: { currency: 'MXN', country: 'MX' },
};

export type WalmartOrderInput = Readonly<{
  partnerId?: string;
  createdAt?: Instant;
  /** 3PLFulfilled: shipped from a third-party logistics node of the account (searched with shipNodeType=3PLFulfilled). */
  shipNodeType?: ShipNodeType;
  /** Every line starts in this status (default Created). */
  status?: WalmartLineStatus;
  lines?: readonly Readonly<{ sku: string; quantity?: number; productName?: string; unitPriceCents?: number }>[];
  customerName?: string;
  /** The seller account's market (default us): Canadian orders are in CAD, Mexican in MXN, and only that market's tokens see them. */
  market?: WalmartMarket;
}>;

export type WalmartGenerateOptions = Readonly<{
  count: number;
  partnerId?: string;
  from?: Instant;
  to?: Instant;
  /** Shorthand for from = now - days, to = now. Default 14. */
  days?: number;
  seed?: string | number;
  stages?: Partial<Record<OrderStage, number>>;
  /** Share of WFS (Walmart-fulfilled) orders. Default 0.2. */
  wfsShare?: number;
}>;

export type LineSelection = Readonly<{ lineNumbers?: readonly string[]; quantity?: number }>;

/**
 * Test and demo control over purchase orders; each change stamps statusDate and lastModified with now.
 * Orders handed out are frozen snapshots: change them through this API, not by assignment.
 */
export type WalmartOrderControl = Readonly<{
  generate: (options: WalmartGenerateOptions) => WalmartOrder[];
  add: (input?: WalmartOrderInput) => WalmartOrder;
  /** Moves lines (default all) to a status; with `quantity`, only that many units of each line move. */
  setLineStatus: (purchaseOrderId: string, status: WalmartLineStatus, selection?: LineSelection) => WalmartOrder;
  acknowledge: (purchaseOrderId: string) => WalmartOrder;
  ship: (purchaseOrderId: string, selection?: LineSelection) => WalmartOrder;
  cancel: (purchaseOrderId: string, selection?: LineSelection & Readonly<{ reason?: string }>) => WalmartOrder;
  /** The buyer asks to cancel lines (default all): `intentToCancel: "YES"` on them; nothing is cancelled. */
  requestCancellation: (purchaseOrderId: string, selection?: Pick<LineSelection, 'lineNumbers'>) => WalmartOrder;
  update: (purchaseOrderId: string, change: (order: WalmartOrder) => void) => WalmartOrder;
  get: (purchaseOrderId: string) => WalmartOrder | undefined;
  list: (filter?: Readonly<{ partnerId?: string }>) => WalmartOrder[];
  count: () => number;
}>;

const STAGE_OF_STATUS: Readonly<Record<WalmartLineStatus, OrderStage>> = {
  Created: 'pending',
  Acknowledged: 'unshipped',
  Shipped: 'shipped',
  Delivered: 'shipped',
  Cancelled: 'cancelled',
};
const DAY = 86_400_000;

export const createWalmartOrderControl = (deps: Readonly<{
  store: WalmartOrderStore;
  clock: Clock;
  seed: string | number;
  defaultPartnerId: string;
  catalog: readonly CatalogItem[];
}>): WalmartOrderControl => {
  const { store, clock } = deps;
  let runs = 0;

  /** `taken` holds the ids of a batch not yet in the store. */
  const render = (generated: GeneratedOrder, partnerId: string, asOf: number, splitMultiUnitLines = true, taken = new Set<string>()) => {
    let rendered = toWalmartOrder(generated, asOf, { splitMultiUnitLines });
    // Ids come from 10^13 values; a clash is unlikely but must not overwrite another order.
    const clash = (id: string) => store.has(id) || taken.has(id);
    for (let retry = 1; clash(rendered.order.purchaseOrderId); retry += 1) {
      rendered = toWalmartOrder({ ...generated, key: `${generated.key}#${retry}` }, asOf, { splitMultiUnitLines });
    }
    taken.add(rendered.order.purchaseOrderId);
    return { partnerId, ...rendered };
  };

  const update = (purchaseOrderId: string, change: (order: WalmartOrder, now: number) => boolean | void): WalmartOrder => {
    const current = store.get(purchaseOrderId);
    if (current === undefined) throw new Error(`No Walmart purchase order ${purchaseOrderId} in the sandbox`);
    const order = structuredClone(current.order);
    const now = Math.max(current.lastModified, floorToSecond(clock.now()));
    // A change callback may report that nothing changed, so lastModified stays put (e.g. a repeated acknowledge).
    const changed = change(order, now) !== false;
    store.put({ ...current, order, lastModified: changed ? now : current.lastModified });
    return order;
  };

  const setLineStatus = (purchaseOrderId: string, status: WalmartLineStatus, selection: LineSelection & { reason?: string } = {}) =>
    update(purchaseOrderId, (order, now) => {
      const random = createRandom(`status/${purchaseOrderId}/${status}/${now}`);
      for (const line of order.orderLines.orderLine) {
        if (selection.lineNumbers !== undefined && !selection.lineNumbers.includes(line.lineNumber)) continue;
        const total = Number(line.orderLineQuantity.amount);
        const moving = Math.min(total, selection.quantity ?? total);
        const previous = line.orderLineStatuses.orderLineStatus.at(-1)?.status ?? 'Created';
        const extra =
          status === 'Shipped' || status === 'Delivered'
            ? { trackingInfo: trackingFor(random, purchaseOrderId, now, order.shippingInfo.methodCode) }
            : status === 'Cancelled'
              ? { cancellationReason: selection.reason ?? 'SELLER_CANCELLED' }
              : {};
        line.orderLineStatuses.orderLineStatus = [
          ...(moving < total ? [lineStatus(previous, total - moving)] : []),
          lineStatus(status, moving, extra),
        ];
        line.statusDate = now;
      }
    });

  return {
    generate: (options) => {
      const now = clock.now();
      const to = options.to ?? now;
      const from = options.from ?? toMillis(to) - (options.days ?? 14) * DAY;
      const partnerId = options.partnerId ?? deps.defaultPartnerId;
      runs += 1;
      const generated = generateOrders({
        seed: `${options.seed ?? `${deps.seed}/${runs}`}/walmart/${partnerId}`,
        count: options.count, from, to,
        countryCode: 'US', currency: 'USD', catalog: deps.catalog,
        marketplaceFulfilledShare: options.wfsShare ?? 0.2,
        ...(options.stages !== undefined ? { stages: options.stages } : {}),
      });
      const taken = new Set<string>();
      const batch = generated.map((g) => render(g, partnerId, toMillis(to), true, taken));
      store.load(batch);
      return batch.map((r) => r.order);
    },
    add: (input = {}) => {
      const createdAt = floorToSecond(input.createdAt !== undefined ? toMillis(input.createdAt) : clock.now());
      const status = input.status ?? 'Created';
      runs += 1;
      const key = `${deps.seed}/add/${runs}`;
      const base = generateOrder(createRandom(`order/${key}`), {
        seed: deps.seed, count: 1, from: createdAt, to: createdAt, countryCode: 'US', currency: 'USD', catalog: deps.catalog,
        stages: { [STAGE_OF_STATUS[status]]: 1 },
        marketplaceFulfilledShare: input.shipNodeType === 'WFSFulfilled' ? 1 : 0,
      }, key);
      const lines = input.lines?.map((line) => {
        const known = deps.catalog.find((c) => c.sku === line.sku);
        return {
          sku: line.sku,
          title: line.productName ?? known?.title ?? line.sku,
          quantity: line.quantity ?? 1,
          quantityShipped: 0,
          unitPriceMinor: line.unitPriceCents ?? known?.priceCents ?? 1999,
        };
      });
      const generated: GeneratedOrder = {
        ...base,
        ...(lines !== undefined ? { lines } : {}),
        ...(input.customerName !== undefined ? { buyer: { ...base.buyer, name: input.customerName } } : {}),
      };
      // Explicit lines stay one line per entry: tests decide any per-unit split themselves.
      const rendered = render(generated, input.partnerId ?? deps.defaultPartnerId, createdAt, lines === undefined);
      const order = rendered.order;
      if (input.shipNodeType === '3PLFulfilled') order.shipNode = { type: '3PLFulfilled' };
      for (const line of order.orderLines.orderLine) {
        const extra = status === 'Shipped' || status === 'Delivered'
          ? { trackingInfo: trackingFor(createRandom(`add/${key}`), order.purchaseOrderId, createdAt, order.shippingInfo.methodCode) }
          : status === 'Cancelled' ? { cancellationReason: 'SELLER_CANCELLED' } : {};
        line.orderLineStatuses.orderLineStatus = [lineStatus(status, Number(line.orderLineQuantity.amount), extra)];
        line.statusDate = createdAt;
      }
      const market = input.market ?? 'us';
      if (market !== 'us') {
        const { currency, country } = MARKET_MONEY[market];
        order.shippingInfo.postalAddress.country = country;
        for (const line of order.orderLines.orderLine) {
          for (const charge of line.charges.charge) {
            charge.chargeAmount.currency = currency;
            if (charge.tax !== undefined) charge.tax.taxAmount.currency = currency;
          }
        }
      }
      store.put({ ...rendered, lastModified: createdAt, ...(market !== 'us' ? { market } : {}) });
      return order;
    },
    setLineStatus: (id, status, selection) => setLineStatus(id, status, selection),
    acknowledge: (id) =>
      update(id, (order, now) => {
        let changed = false;
        for (const line of order.orderLines.orderLine) {
          for (const entry of line.orderLineStatuses.orderLineStatus) {
            if (entry.status !== 'Created') continue;
            entry.status = 'Acknowledged';
            line.statusDate = now;
            changed = true;
          }
        }
        return changed;
      }),
    ship: (id, selection) => setLineStatus(id, 'Shipped', selection),
    cancel: (id, selection) => setLineStatus(id, 'Cancelled', selection),
    requestCancellation: (id, selection = {}) =>
      update(id, (order) => {
        let changed = false;
        for (const line of order.orderLines.orderLine) {
          if (selection.lineNumbers !== undefined && !selection.lineNumbers.includes(line.lineNumber)) continue;
          if (line.intentToCancel === 'YES') continue;
          line.intentToCancel = 'YES';
          changed = true;
        }
        return changed;
      }),
    update: (id, change) => update(id, (order) => change(order)),
    get: (id) => {
      const found = store.get(id);
      return found?.order;
    },
    list: (filter = {}) =>
      store.all().filter((r) => filter.partnerId === undefined || r.partnerId === filter.partnerId).map((r) => r.order),
    count: () => store.size(),
  };
};
