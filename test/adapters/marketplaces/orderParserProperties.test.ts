import t, { type Test } from 'tap';
import { parseAmazonOrder } from '../../../src/adapters/marketplaces/amazonOrderParser.js';
import { parseEach } from '../../../src/adapters/marketplaces/orderPayloadError.js';
import { parseWalmartOrder } from '../../../src/adapters/marketplaces/walmartOrderParser.js';
import type { PlatformOrder } from '../../../src/domain/order/platformOrder.js';
import { createRandom, type Random } from '../../../src/sandbox/shared/random.js';
import { fixtureFolder } from './fixtures/support.js';

/**
 * Property-based: the marketplaces' published payloads, mutated the ways real answers differ from a
 * schema — an optional field dropped, null, an object where an array was and back, an empty array,
 * an unknown enum word — with a seeded generator (ORDER_FUZZ_SEED replays a run). Properties:
 * 1. a page of mutated orders never fails: every order is either parsed or set aside with a reason
 *    (nothing lost, nothing thrown);
 * 2. a mutation of a field the model does not require never rejects the order;
 * 3. an unknown status word is recorded as 'unknown' (never guessed into a shippable status).
 */
const SEED = process.env.ORDER_FUZZ_SEED ?? 'order-parsers-1';
const ROUNDS = 150;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every property path of a payload whose value sits in an object (array elements themselves excluded). */
const objectPaths = (value: Json, prefix: Path = []): Path[] => {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectPaths(item, [...prefix, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...objectPaths(child, [...prefix, key])]);
};

const parentOf = (root: Json, path: Path): Record<string, Json> => path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, root) as Record<string, Json>;

const MUTATIONS = ['drop', 'null', 'wrap', 'unwrap', 'empty'] as const;
type Mutation = (typeof MUTATIONS)[number];

/** Applies one mutation at `path`; false when it does not apply to the value there. */
const mutate = (root: Json, path: Path, how: Mutation): boolean => {
  const parent = parentOf(root, path);
  const key = path.at(-1) as string;
  const value = parent[key]!;
  switch (how) {
    case 'drop':
      delete parent[key];
      return true;
    case 'null':
      parent[key] = null;
      return true;
    case 'wrap':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
      parent[key] = [value];
      return true;
    case 'unwrap':
      if (!Array.isArray(value) || value.length !== 1) return false;
      parent[key] = value[0]!;
      return true;
    case 'empty':
      if (!Array.isArray(value) && (value === null || typeof value !== 'object')) return false;
      parent[key] = Array.isArray(value) ? [] : [];
      return true;
  }
};

type Platform = Readonly<{
  name: string;
  examples: Json[];
  parse: (raw: unknown) => PlatformOrder;
  idField: string;
  /** Paths the published model requires (or that carry a required field's only value): mutating them may reject. */
  required: RegExp[];
  statusPaths: (order: Json) => Path[];
}>;

const dotted = (path: Path) => path.join('.');

const check = (t: Test, platform: Platform, random: Random) => {
  let mutated = 0;
  let kept = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const page: Json[] = [];
    const optionalOnly: boolean[] = [];
    for (const example of platform.examples) {
      const order = structuredClone(example);
      const paths = objectPaths(order);
      let optional = true;
      for (let n = random.int(1, 3); n > 0; n--) {
        const live = objectPaths(order).filter((p) => paths.some((q) => dotted(q) === dotted(p)));
        if (!live.length) break;
        const path = random.pick(live);
        if (mutate(order, path, random.pick(MUTATIONS))) {
          mutated++;
          if (platform.required.some((r) => r.test(dotted(path)))) optional = false;
        }
      }
      page.push(order);
      optionalOnly.push(optional);
    }
    // Property 1: the page as a whole never fails, and every order is accounted for.
    const { orders, rejected } = parseEach(page, platform.parse, platform.idField);
    if (orders.length + rejected.length !== page.length) t.fail(`${platform.name} round ${round}: orders lost`);
    // Property 2: optional-field mutations never reject.
    for (const [i, order] of page.entries()) {
      if (!optionalOnly[i]) continue;
      kept++;
      try {
        platform.parse(order);
      } catch (error) {
        t.fail(`${platform.name} round ${round} (seed ${SEED}): an optional-field mutation rejected the order: ${(error as Error).message}`);
      }
    }
  }
  t.ok(mutated > ROUNDS, `${platform.name}: ${mutated} mutations applied`);
  t.ok(kept > ROUNDS / 2, `${platform.name}: ${kept} orders with optional-only mutations all parsed`);
  // Property 3: unknown enum words.
  for (const example of platform.examples) {
    for (const path of platform.statusPaths(example)) {
      const order = structuredClone(example);
      parentOf(order, path)[path.at(-1) as string] = `NEW_WORD_${random.alnum(4)}`;
      const parsed = platform.parse(order);
      t.equal(parsed.status === 'unknown' || parsed.fulfillmentChannel === 'unknown', true, `${platform.name}: ${dotted(path)} unknown word`);
    }
  }
};

const amazonFixtures = await fixtureFolder('amazon/orders_2026-01-01');
const walmartFixtures = await fixtureFolder('walmart/orders');

const amazon: Platform = {
  name: 'Amazon',
  examples: amazonFixtures.flatMap((f) => (Array.isArray(f.response.orders) ? f.response.orders : f.response.order ? [f.response.order] : [])) as Json[],
  parse: (raw) => parseAmazonOrder(raw),
  idField: 'orderId',
  required: [
    /^(orderId|createdTime|lastUpdatedTime|salesChannel|orderItems)$/,
    /^salesChannel\.marketplaceId$/, // the sandbox examples name no other marketplace (the context would)
    /^orderItems\.\d+\.(orderItemId|quantityOrdered|product)$/,
    /^orderItems\.\d+\.product\.(sellerSku|asin)$/, // one of the two names the line's SKU
    /\.(amount|currencyCode)$/, // Money's own required fields
  ],
  statusPaths: (order) => {
    const fulfillment = (order as Record<string, Record<string, Json>>).fulfillment;
    return fulfillment ? (['fulfillmentStatus', 'fulfilledBy'] as const).filter((k) => k in fulfillment).map((k) => ['fulfillment', k]) : [];
  },
};

const walmart: Platform = {
  name: 'Walmart',
  examples: walmartFixtures.map((f) => f.response.order) as Json[],
  parse: (raw) => parseWalmartOrder(raw),
  idField: 'purchaseOrderId',
  required: [
    /^(purchaseOrderId|orderDate|orderLines)$/,
    /^orderLines\.orderLine$/,
    /\.(lineNumber|item|sku|orderLineQuantity|orderLineStatuses|orderLineStatus|status|statusQuantity)$/,
    /\.(chargeAmount|currency|amount|currencyAmount|currencyUnit)$/,
  ],
  statusPaths: (order) => {
    const lines = ((order as { orderLines: { orderLine: { orderLineStatuses: { orderLineStatus: unknown[] } }[] } }).orderLines.orderLine);
    return lines.flatMap((line, i) => line.orderLineStatuses.orderLineStatus.map((_s, j) => ['orderLines', 'orderLine', i, 'orderLineStatuses', 'orderLineStatus', j, 'status']));
  },
};

t.test('every published example parses', async (t) => {
  t.ok(amazon.examples.length >= 3 && walmart.examples.length >= 3, 'the published examples are there');
  for (const platform of [amazon, walmart]) {
    const { orders, rejected } = parseEach(platform.examples, platform.parse, platform.idField);
    t.equal(rejected.length, 0, `${platform.name}: none rejected`);
    t.equal(orders.length, platform.examples.length);
  }
});

t.test('mutated published payloads: no page fails, nothing is lost, optional fields never reject', async (t) => {
  const random = createRandom(SEED);
  check(t, amazon, random.fork('amazon'));
  check(t, walmart, random.fork('walmart'));
});

t.test("Walmart's own example shape: shipNode as an empty array", async (t) => {
  const order = structuredClone(walmart.examples[0]) as Record<string, Json>;
  order.shipNode = [];
  t.equal(parseWalmartOrder(order).fulfillmentChannel, 'merchant', 'no ship node: seller-fulfilled, as Walmart defaults');
});
