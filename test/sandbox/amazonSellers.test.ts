import t from 'tap';
import { startAmazonSandbox } from '../../src/sandbox/index.js';
import { amazonAccessToken, json, keyPaths, readFixture, spApi } from './fixtures/helpers.js';

const sandbox = await startAmazonSandbox({ throttling: false, orders: false });
t.teardown(() => sandbox.close());

type Participation = { marketplace: { id: string; countryCode: string }; participation: { isParticipating: boolean; hasSuspendedListings: boolean } };

const participations = async (region: 'NA' | 'EU' | 'FE') => {
  const response = await spApi(sandbox, '/sellers/v1/marketplaceParticipations', await amazonAccessToken(sandbox, region), region);
  return { response, body: await json(response) };
};

t.test('each region lists the account’s marketplaces there, with real ids', async (t) => {
  const na = await participations('NA');
  t.equal(na.response.status, 200);
  t.equal(na.response.headers.get('x-amzn-ratelimit-limit'), '0.016', 'the usage plan rate');
  t.ok(na.response.headers.get('x-amzn-requestid'));
  const naList = na.body.payload as Participation[];
  t.same(naList.map((p) => [p.marketplace.id, p.marketplace.countryCode, p.participation.isParticipating]), [
    ['ATVPDKIKX0DER', 'US', true],
    ['A2EUQ1WTGCTBG2', 'CA', true],
    ['A1AM78C64UM0Y8', 'MX', false],
    // A shadow "Non-Amazon" marketplace, as real participations list them (#16.3): clients must skip it.
    ['A2ZV50J4W1RKNI', 'US', true],
  ]);
  t.match(naList[3], { marketplace: { name: 'United States – Non-Amazon', domainName: 'sim1.stores.amazon.com' } });
  t.match(naList[0], {
    marketplace: { name: 'Amazon.com', defaultCurrencyCode: 'USD', defaultLanguageCode: 'en_US', domainName: 'www.amazon.com' },
    storeName: 'Northbeam Home',
  });

  const eu = (await participations('EU')).body.payload as Participation[];
  t.same(eu.map((p) => p.marketplace.id), ['A1F83G8C2ARO7P', 'A1PA6795UKMFR9', 'A13V1IB3VIYZZH']);
  t.same(eu.find((p) => p.marketplace.countryCode === 'FR')?.participation, { isParticipating: true, hasSuspendedListings: true });

  const fe = (await participations('FE')).body.payload as Participation[];
  t.same(fe.map((p) => [p.marketplace.id, p.marketplace.countryCode]), [['A1VC38T7YXB528', 'JP']]);
});

t.test('the payload has exactly the fixture’s shape', async (t) => {
  const fixture = await readFixture('amazon/sellers/getMarketplaceParticipations.sandbox.200.0.json');
  const { body } = await participations('NA');
  t.same([...keyPaths(body)].sort(), [...keyPaths(fixture.response)].sort());
});
