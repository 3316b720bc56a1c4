import t from 'tap';
import { startSandboxes } from '../../src/sandbox/index.js';
import { fixedNow, json, walmartToken } from './fixtures/helpers.js';

t.test('startSandboxes runs both marketplaces from one seed and one catalog', async (t) => {
  const { amazon, walmart, close } = await startSandboxes({
    seed: 'both',
    now: fixedNow,
    amazon: { orders: { count: 40 }, throttling: false },
    walmart: { orders: { count: 40 } },
  });
  t.teardown(close);
  t.same(amazon.catalog, walmart.catalog, 'a seller’s SKUs are the same on both marketplaces');
  const skus = new Set(amazon.catalog.map((item) => item.sku));
  t.ok(amazon.orders.list().every((o) => o.orderItems.every((i) => skus.has(i.product.sellerSku))));
  t.ok(walmart.orders.list().every((o) => o.orderLines.orderLine.every((l) => skus.has(l.item.sku))));

  // LWA is documented as form-encoded; a JSON body is tolerated as some clients send one.
  const refreshToken = amazon.issueRefreshToken(amazon.sellers[0]?.sellerId ?? '');
  const lwa = await fetch(`${amazon.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: amazon.app.clientId, client_secret: amazon.app.clientSecret }),
  });
  t.equal(lwa.status, 200);
  t.ok((await json(lwa)).access_token);
  t.ok(await walmartToken(walmart));
});
