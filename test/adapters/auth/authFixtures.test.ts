import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { amazonAuthApi, parseParticipations } from '../../../src/adapters/marketplaces/amazonAuth.js';
import { walmartAuthApi } from '../../../src/adapters/marketplaces/walmartAuth.js';
import { MarketplaceError } from '../../../src/domain/ports/marketplaces.js';
import { repoRoot } from '../../support/process.js';

/** The marketplaces' own published examples (../shared/fixtures), parsed by our real clients over HTTP. */
const FIXTURES = join(repoRoot, '..', 'shared', 'fixtures');
const fixture = (dir: string, name: string) => JSON.parse(readFileSync(join(FIXTURES, dir, name), 'utf8')) as { response?: unknown; body?: Record<string, string> };
const files = (dir: string) => readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.json'));

/** A one-route server answering with `status` and `body`; records what it received. */
const serve = async (t: Tap, status: number, body: unknown) => {
  const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: data });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
};
type Tap = { teardown: (fn: () => unknown) => void };

const amazonFor = (url: string) =>
  amazonAuthApi({
    appId: 'app', clientId: 'cid', clientSecret: 'cs', redirectUri: null, appIsDraft: false, lwaUrl: url,
    spApiUrl: { NA: url, EU: url, FE: url }, sellerCentralUrl: { NA: url, EU: url, FE: url },
  });

t.test('every Amazon Sellers fixture', async (t) => {
  for (const name of files('amazon/sellers')) {
    const f = fixture('amazon/sellers', name);
    const status = Number(/\.(\d{3})\./.exec(name)![1]);
    t.test(name, async (t) => {
      if (name.startsWith('getAccount')) {
        // We do not call getAccount, but its participation list has the same shape we parse.
        if (status === 200) {
          const list = (f.response as { payload: { marketplaceParticipationList: unknown } }).payload.marketplaceParticipationList;
          t.ok(parseParticipations(list).length > 0, 'marketplaceParticipationList parses');
        } else {
          const { url } = await serve(t, status, f.response);
          await t.rejects(amazonFor(url).participations('NA', 'token'), MarketplaceError, 'an error body becomes a MarketplaceError');
        }
        return;
      }
      // The ".payload" example is the bare payload; the API wraps it in { payload }.
      const body = name.includes('.payload.') ? { payload: f.response } : f.response;
      const { url, seen } = await serve(t, status, body);
      const participations = await amazonFor(url).participations('NA', 'Atza|token');
      t.ok(participations.length > 0);
      for (const p of participations) t.match(p, { marketplaceId: /^A/, countryCode: /^[A-Z]{2}$/, isParticipating: Boolean });
      t.equal(seen[0]!.url, '/sellers/v1/marketplaceParticipations');
      t.equal(seen[0]!.headers['x-amz-access-token'], 'Atza|token');
    });
  }
});

t.test('every Walmart auth fixture', async (t) => {
  for (const name of files('walmart/auth')) {
    const f = fixture('walmart/auth', name);
    t.test(name, async (t) => {
      if (name.startsWith('getTokenDetail')) {
        const { url, seen } = await serve(t, 200, f.response);
        const scopes = await walmartAuthApi({ apiUrl: url }).scopes('token');
        t.equal(scopes.orders, 'full_access');
        t.equal(seen[0]!.headers['wm_sec.access_token'], 'token');
        t.ok(seen[0]!.headers['wm_qos.correlation_id'] && seen[0]!.headers['wm_svc.name'], 'required headers sent');
      } else if (name.includes('.request.')) {
        // Our client_credentials request must be the documented one; the other grants are not ours.
        if (!name.includes('clientCredentials')) {
          t.ok(f.body?.grant_type, `${f.body?.grant_type} grant is not used by OMS (sellers paste their own keys)`);
          return;
        }
        const { url, seen } = await serve(t, 200, { access_token: 'a', token_type: 'Bearer', expires_in: 900 });
        await walmartAuthApi({ apiUrl: url }).token('id', 'secret');
        t.same(Object.fromEntries(new URLSearchParams(seen[0]!.body)), f.body);
        t.equal(seen[0]!.headers.authorization, `Basic ${Buffer.from('id:secret').toString('base64')}`);
      } else {
        const { url } = await serve(t, 200, f.response);
        const token = await walmartAuthApi({ apiUrl: url }).token('id', 'secret');
        t.same(token, {
          accessToken: (f.response as { access_token: string }).access_token,
          expiresInSeconds: 900,
          // Kept beside the token for Mexico's calls (Basic + token).
          clientBasic: Buffer.from('id:secret').toString('base64'),
        });
      }
    });
  }
});
