import t from 'tap';
import { startAmazonSandbox, startWalmartSandbox, type AmazonOrder, type WalmartOrder } from '../../src/sandbox/index.js';
import { amazonAccessToken, FIXED_NOW, fixedNow, json, spApi, walmartGet, walmartToken } from './fixtures/helpers.js';

const COUNT = 20_000;
const DAY = 86_400_000;

t.test('Amazon: 20,000 orders page through lastUpdatedAfter without loss', async (t) => {
  const started = performance.now();
  const sandbox = await startAmazonSandbox({ throttling: false, orders: { count: COUNT, marketplaceId: 'ATVPDKIKX0DER', days: 30 }, now: fixedNow });
  t.teardown(() => sandbox.close());
  t.comment(`seeded ${sandbox.orders.count()} orders in ${Math.round(performance.now() - started)} ms`);
  const token = await amazonAccessToken(sandbox);
  const seen = new Set<string>();
  let pages = 0;
  let nextToken: string | undefined;
  const pagingStarted = performance.now();
  do {
    const query = new URLSearchParams({ lastUpdatedAfter: new Date(FIXED_NOW - 31 * DAY).toISOString(), includedData: 'FULFILLMENT' });
    if (nextToken !== undefined) query.set('paginationToken', nextToken);
    const body = await json(await spApi(sandbox, `/orders/2026-01-01/orders?${query.toString()}`, token));
    for (const order of body.orders as AmazonOrder[]) seen.add(order.orderId);
    nextToken = body.pagination?.nextToken as string | undefined;
    pages += 1;
  } while (nextToken !== undefined);
  t.comment(`${pages} pages in ${Math.round(performance.now() - pagingStarted)} ms`);
  const expected = sandbox.orders.list().filter((o) => Date.parse(o.lastUpdatedTime) <= FIXED_NOW - 120_000);
  t.equal(seen.size, expected.length, 'every order once');
  t.equal(pages, Math.ceil(expected.length / 100));
});

t.test('Walmart: 20,000 purchase orders page through nextCursor', async (t) => {
  const started = performance.now();
  const sandbox = await startWalmartSandbox({ orders: { count: COUNT, days: 30, wfsShare: 0 }, now: fixedNow, maxOrdersPerQuery: COUNT });
  t.teardown(() => sandbox.close());
  t.comment(`seeded ${sandbox.orders.count()} orders in ${Math.round(performance.now() - started)} ms`);
  const token = await walmartToken(sandbox);
  const seen = new Set<string>();
  let pages = 0;
  let path = `/v3/orders?limit=200&createdStartDate=${new Date(FIXED_NOW - 31 * DAY).toISOString()}`;
  let totalCount = 0;
  for (;;) {
    const body = await json(await walmartGet(sandbox, path, token));
    for (const order of body.list.elements.order as WalmartOrder[]) seen.add(order.purchaseOrderId);
    totalCount = body.list.meta.totalCount as number;
    pages += 1;
    const cursor = body.list.meta.nextCursor as string | null;
    if (cursor === null) break;
    path = `/v3/orders${cursor}`;
  }
  t.equal(totalCount, COUNT);
  t.equal(seen.size, COUNT, 'every order once');
  t.equal(pages, COUNT / 200);
});

t.test('Walmart: one search stops paging at the per-query maximum', async (t) => {
  const sandbox = await startWalmartSandbox({ orders: { count: 1_000, days: 30, wfsShare: 0 }, now: fixedNow, maxOrdersPerQuery: 450 });
  t.teardown(() => sandbox.close());
  const token = await walmartToken(sandbox);
  let served = 0;
  let path = `/v3/orders?limit=200&createdStartDate=${new Date(FIXED_NOW - 31 * DAY).toISOString()}`;
  for (;;) {
    const body = await json(await walmartGet(sandbox, path, token));
    served += (body.list.elements.order as unknown[]).length;
    t.equal(body.list.meta.totalCount, 1_000, 'totalCount still reports every match');
    const cursor = body.list.meta.nextCursor as string | null;
    if (cursor === null) break;
    path = `/v3/orders${cursor}`;
  }
  t.equal(served, 450, 'clients must narrow the window to see the rest');
});
