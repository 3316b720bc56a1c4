import { startSandboxes, type Sandboxes, type SandboxesOptions } from '../../src/sandbox/index.js';
import { json, type TestService } from './service.js';

/**
 * A clock the tests move; the sandboxes and the service share it. `timing` is the marketplace
 * clients' view of it: their waits (rate limits, back-off) advance the clock instead of sleeping.
 */
export const movableClock = (start = Date.now()) => {
  let offset = start - Date.now();
  const clock = { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) };
  return {
    ...clock,
    timing: {
      now: () => clock.now().getTime(),
      sleep: async (ms: number, signal?: AbortSignal) => {
        signal?.throwIfAborted();
        clock.advance(ms);
      },
    },
  };
};

/** Both sandboxes, closed at the end of the test. */
export const sandboxesFor = async (t: { teardown: (fn: () => unknown) => void }, options: SandboxesOptions = {}) => {
  // The Amazon sandbox enforces the published usage plans by default; most tests pull far more
  // often than a seller's budget allows (their clocks stand still), so they turn it off here,
  // visibly. A test that wants the real rates passes `amazon: { throttling: true }`.
  const sandboxes = await startSandboxes({ seed: 'oms-tests', ...options, amazon: { throttling: false, ...options.amazon } });
  t.teardown(() => sandboxes.close());
  return sandboxes;
};

/** The OMS environment that points every marketplace URL at the sandboxes. */
export const sandboxEnv = ({ amazon, walmart }: Sandboxes): Record<string, string> => ({
  AMAZON_APP_ID: amazon.app.applicationId,
  AMAZON_LWA_CLIENT_ID: amazon.app.clientId,
  AMAZON_LWA_CLIENT_SECRET: amazon.app.clientSecret,
  AMAZON_REDIRECT_URI: amazon.app.redirectUris[0]!,
  AMAZON_LWA_URL: amazon.urls.NA,
  AMAZON_SPAPI_URL_NA: amazon.urls.NA,
  AMAZON_SPAPI_URL_EU: amazon.urls.EU,
  AMAZON_SPAPI_URL_FE: amazon.urls.FE,
  AMAZON_SELLER_CENTRAL_URL_NA: amazon.urls.NA,
  AMAZON_SELLER_CENTRAL_URL_EU: amazon.urls.EU,
  AMAZON_SELLER_CENTRAL_URL_FE: amazon.urls.FE,
  AMAZON_SELLER_CENTRAL_URL_TEMPLATE: amazon.sellerCentralUrlTemplate,
  WALMART_API_URL: walmart.url,
  WALMART_APP_CLIENT_ID: walmart.app.clientId,
  WALMART_APP_CLIENT_SECRET: walmart.app.clientSecret,
  WALMART_REDIRECT_URI: walmart.app.redirectUris[0]!,
  WALMART_LOGIN_URL: walmart.url,
});

/**
 * Play the seller's browser: open OMS's consent link (which sets the one-time binding cookie and
 * redirects to Seller Central), consent at the sandbox, and follow its redirect back to OMS's
 * callback with the cookie. `callback` can be called with another query or cookie to play an attacker.
 */
export const consent = async (svc: TestService, consentUrl: string, callbackPath = '/v1/authorizations/amazon/callback') => {
  const link = new URL(consentUrl);
  const followed = await fetch(new URL(`${link.pathname}${link.search}`, svc.url), { redirect: 'manual', headers: { accept: 'application/json' } });
  if (followed.status !== 302) throw new Error(`the consent link answered ${followed.status}: ${await followed.text()}`);
  const cookie = (followed.headers.get('set-cookie') ?? '').split(';')[0]!;
  const sellerCentralUrl = followed.headers.get('location')!;
  const page = await fetch(sellerCentralUrl, { redirect: 'manual' });
  const back = new URL(page.headers.get('location')!);
  const callback = (query = back.search, withCookie: string | null = cookie) =>
    // As a script: the JSON answer (a browser gets a page or the console, see consentPages.ts).
    svc.call('GET', `${callbackPath}${query}`, { headers: { accept: 'application/json', ...(withCookie ? { cookie: withCookie } : {}) } });
  return { sellerCentralUrl, query: back.search, cookie, callback: () => callback(), callbackWith: callback };
};

/** A granted Amazon authorization (consent played end to end) and its stores. */
export const authorizeAmazon = async (
  svc: TestService,
  apiKey: string,
  body: { name?: string; region?: 'NA' | 'EU' | 'FE'; country?: string; excludeMarketplaceIds?: string[]; initialLookbackDays?: number },
) => {
  const started = await json(await svc.call('POST', '/v1/authorizations/amazon', { token: apiKey, body: { name: 'Amazon', ...body } }));
  const auth = await json(await (await consent(svc, started.consentUrl)).callback());
  return { ...auth, storeIds: auth.marketplaces.flatMap((m: { storeId: string | null; isParticipating: boolean }) => (m.isParticipating && m.storeId ? [m.storeId] : [])) as string[] };
};

export const authorizeWalmart = async (svc: TestService, apiKey: string, sandboxes: Sandboxes, body: { initialLookbackDays?: number } = {}) => {
  const main = sandboxes.walmart.client('main');
  const auth = await json(await svc.call('POST', '/v1/authorizations/walmart', { token: apiKey, body: { name: 'Walmart', clientId: main.clientId, clientSecret: main.clientSecret, ...body } }));
  return { ...auth, storeIds: [auth.marketplaces[0].storeId as string] };
};

/** Walmart Connect played in the seller's browser: OMS's link, Walmart's authorize page (the sandbox's), back to OMS's callback. */
export const walmartConsent = (svc: TestService, consentUrl: string) => consent(svc, consentUrl, '/v1/authorizations/walmart/callback');

/** A Walmart store connected through Walmart Connect (OAuth 2.0), end to end. */
export const connectWalmart = async (svc: TestService, apiKey: string, body: { name?: string; market?: 'us' | 'ca' | 'mx'; initialLookbackDays?: number } = {}) => {
  const started = await json(await svc.call('POST', '/v1/authorizations/walmart/connect', { token: apiKey, body: { name: 'Walmart', ...body } }));
  const auth = await json(await (await walmartConsent(svc, started.consentUrl)).callback());
  return { ...auth, storeIds: [auth.marketplaces[0].storeId as string] };
};
