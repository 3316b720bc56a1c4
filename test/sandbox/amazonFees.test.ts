import t from 'tap';
import { amazonAuthApi } from '../../src/adapters/marketplaces/amazonAuth.js';
import { MarketplaceError } from '../../src/domain/ports/marketplaces.js';
import { asinForSku } from '../../src/sandbox/amazon/orderFactory.js';
import { startAmazonSandbox } from '../../src/sandbox/index.js';
import { amazonAccessToken, json } from './fixtures/helpers.js';

/** Product Fees v0 getMyFeesEstimateForASIN: the shapes of the published model, and the seller it names. */
const sandbox = await startAmazonSandbox({ throttling: false, orders: false });
t.teardown(() => sandbox.close());
const [main, other] = sandbox.sellers.map((s) => s.sellerId) as [string, string];

const estimate = (token: string, asin: string, body: unknown, region: 'NA' | 'EU' = 'NA') =>
  fetch(`${sandbox.urls[region]}/products/fees/v0/items/${asin}/feesEstimate`, {
    method: 'POST',
    headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const request = (marketplaceId: string, amount = 10) => ({
  FeesEstimateRequest: { MarketplaceId: marketplaceId, IsAmazonFulfilled: false, PriceToEstimateFees: { ListingPrice: { CurrencyCode: 'USD', Amount: amount } }, Identifier: 'req-1' },
});

t.test('a known ASIN gets an estimate; an unknown one a ClientError — both name the seller behind the token', async (t) => {
  const token = await amazonAccessToken(sandbox, 'NA', main);
  const known = await estimate(token, asinForSku(sandbox.catalog[0]!.sku), request('ATVPDKIKX0DER', 20));
  t.equal(known.status, 200);
  t.equal(known.headers.get('x-amzn-ratelimit-limit'), '1', 'the usage plan rate');
  t.match(await json(known), {
    payload: {
      FeesEstimateResult: {
        Status: 'Success',
        FeesEstimateIdentifier: { MarketplaceId: 'ATVPDKIKX0DER', IdType: 'ASIN', SellerId: main, SellerInputIdentifier: 'req-1', IsAmazonFulfilled: false },
        FeesEstimate: { TotalFeesEstimate: { CurrencyCode: 'USD', Amount: 3 }, FeeDetailList: [] },
      },
    },
  });
  const unknown = await json(await estimate(await amazonAccessToken(sandbox, 'NA', other), 'B000000000', request('ATVPDKIKX0DER')));
  t.match(unknown, { payload: { FeesEstimateResult: { Status: 'ClientError', FeesEstimateIdentifier: { SellerId: other, IdValue: 'B000000000' }, Error: { Type: 'Sender' } } } });
});

t.test('refusals: another region’s marketplace, a missing price, bad JSON, no token', async (t) => {
  const token = await amazonAccessToken(sandbox, 'NA', main);
  const wrongRegion = await estimate(token, 'B000000000', request('A1PA6795UKMFR9'));
  t.equal(wrongRegion.status, 400);
  t.match(await json(wrongRegion), { errors: [{ code: 'InvalidInput', message: 'Incorrect Marketplace identifier.' }] });
  t.equal((await estimate(token, 'B000000000', { FeesEstimateRequest: { MarketplaceId: 'ATVPDKIKX0DER' } })).status, 400);
  t.equal((await estimate(token, 'B000000000', { nothing: true })).status, 400);
  t.equal((await estimate(token, 'B000000000', '{not json')).status, 400);
  t.equal((await estimate('', 'B000000000', request('ATVPDKIKX0DER'))).status, 403);
});

t.test('the adapter reads the seller id, and translates a refusal', async (t) => {
  const api = amazonAuthApi({
    appId: sandbox.app.applicationId, clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, redirectUri: null, appIsDraft: false,
    lwaUrl: sandbox.url, spApiUrl: sandbox.urls, sellerCentralUrl: sandbox.urls,
  });
  const { accessToken } = await api.accessToken(sandbox.issueRefreshToken(other, { region: 'EU' }));
  t.equal(await api.sellerIdOf('EU', accessToken, 'A1PA6795UKMFR9'), other);
  await t.rejects(api.sellerIdOf('EU', accessToken, 'ATVPDKIKX0DER'), MarketplaceError, 'a marketplace of another region');
  await t.rejects(api.sellerIdOf('NA', accessToken, 'ATVPDKIKX0DER'), MarketplaceError, "a token of another region's authorization");
});
