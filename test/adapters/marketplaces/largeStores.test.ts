import t from 'tap';
import { amazonOrderSource } from '../../../src/adapters/marketplaces/amazonOrderSource.js';
import { walmartOrderSource } from '../../../src/adapters/marketplaces/walmartOrderSource.js';
import { startAmazonSandbox, startWalmartSandbox } from '../../../src/sandbox/index.js';
import { amazonTarget, amazonTokens, DAY, MINUTE, pullAll, virtualTiming, walmartTarget, walmartTokens, window } from './fixtures/support.js';

const COUNT = 20_000;

t.test('Amazon: a store with 20,000 orders in the window pulls completely, each order once', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ throttling: false, now: timing.now, orders: { count: COUNT, marketplaceId: 'ATVPDKIKX0DER', days: 30, to: timing.now() - 10 * MINUTE } });
  t.teardown(() => sandbox.close());
  const source = amazonOrderSource({ spApiUrl: sandbox.urls, tokens: amazonTokens(sandbox, timing.now), timing });
  const started = performance.now();
  const { ids, pageSizes } = await pullAll(source, amazonTarget(), window('updated', timing.now() - 31 * DAY, timing.now()));
  t.comment(`${pageSizes.length} pages in ${Math.round(performance.now() - started)} ms`);
  t.equal(ids.length, sandbox.orders.count(), 'as many as the sandbox holds');
  t.equal(new Set(ids).size, COUNT, 'each once');
  t.equal(pageSizes.length, COUNT / 100);
  t.same(sandbox.counters.byStatus('searchOrders'), { 200: COUNT / 100 });
  // 200 pages under the documented plan: 20 at once, then one per ~179 s — about nine hours of real pulling.
  const waited = timing.waits.reduce((a, b) => a + b, 0);
  t.ok(waited >= 180 * 178_000, `rate limit respected (${(waited / 3_600_000).toFixed(1)} h of virtual waiting)`);
});

t.test('Walmart: a store with 20,000 orders in the window pulls completely, past the 10,000-per-search cap', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ now: timing.now, orders: { count: COUNT, days: 30, wfsShare: 0.2 } });
  t.teardown(() => sandbox.close());
  const source = walmartOrderSource({ apiUrl: sandbox.url, tokens: walmartTokens(sandbox, timing.now), timing });
  const started = performance.now();
  const { ids, pageSizes } = await pullAll(source, walmartTarget, window('updated', timing.now() - 31 * DAY, timing.now()));
  t.comment(`${pageSizes.length} pages in ${Math.round(performance.now() - started)} ms`);
  t.equal(ids.length, sandbox.orders.count(), 'as many as the sandbox holds');
  t.equal(new Set(ids).size, COUNT, 'each once');
  t.equal(sandbox.counters.byStatus('getAllOrders')[200], pageSizes.length, 'no wasted requests');
});
