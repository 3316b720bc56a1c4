import { randomUUID } from 'node:crypto';
import { generateCatalog, type CatalogItem } from '../catalog.js';
import { createFaultRegistry, type FaultRegistry } from '../faults.js';
import { createClock, type Clock } from '../shared/clock.js';
import { createRequestCounters, type RequestCounters } from '../shared/counters.js';
import { createDispatcher } from '../shared/dispatch.js';
import { createRouter, startHttpServer } from '../shared/http.js';
import { createRateLimiter } from '../shared/rateLimiter.js';
import { DEFAULT_SEED } from '../shared/random.js';
import { defaultAmazonApp, defaultAmazonSellers, validateSellers, type AmazonApp, type AmazonSellerAccount } from './config.js';
import { spApiError } from './errors.js';
import { renderAmazonFault } from './faultReplies.js';
import { createLwa } from './lwa.js';
import { REGIONS, type Region } from './marketplaces.js';
import { SELLER_CENTRAL_PATH_PREFIX } from './sellerCentral.js';
import { createAmazonOrderControl, type AmazonGenerateOptions, type AmazonOrderControl } from './orderControl.js';
import { createAmazonOrderStore } from './orderStore.js';
import { createTokenCodec } from './paginationToken.js';
import { createAmazonRoutes, type AmazonRoute } from './routes.js';

export type AmazonSandboxOptions = Readonly<{
  host?: string;
  /** One listener per region (each region is its own SP-API endpoint); 0 = any free port. */
  ports?: Partial<Record<Region, number>>;
  seed?: string | number;
  /** Underlying time source; the sandbox clock adds an adjustable offset to it. */
  now?: () => number | Date;
  /** Initial clock offset in ms (also settable later through `clock`). */
  clockOffsetMs?: number;
  apps?: readonly AmazonApp[];
  sellers?: readonly AmazonSellerAccount[];
  catalog?: readonly CatalogItem[];
  /** Orders to seed at start (default 200 over 14 days for the first seller); false for an empty store. */
  orders?: false | Omit<AmazonGenerateOptions, 'seed'>;
  /** LWA access-token lifetime; Amazon's is 3600 s. */
  accessTokenTtlSeconds?: number;
  /** spapi_oauth_code lifetime; Amazon's is 5 minutes. */
  authCodeTtlSeconds?: number;
  /** searchOrders pagination tokens expire after 24 h on Amazon. */
  paginationTokenTtlSeconds?: number;
  /**
   * Enforce the published default usage plans with token buckets per app, seller and region (429
   * QuotaExceeded when empty). On by default, as on Amazon; tests and tools that pull faster than a
   * seller's budget (fixed clocks, benches, the demo) pass `false` visibly.
   */
  throttling?: boolean;
}>;

export type AuthorizationCodeGrant = Readonly<{
  code: string;
  sellingPartnerId: string;
  region: Region;
  redirectUri: string;
  expiresAt: number;
}>;

export type AmazonSandbox = Readonly<{
  /** The NA endpoint, which (like every regional endpoint here) also serves LWA and the consent page. */
  url: string;
  urls: Readonly<Record<Region, string>>;
  /** The first registered app, for the usual single-app test. */
  app: AmazonApp;
  apps: readonly AmazonApp[];
  sellers: readonly AmazonSellerAccount[];
  catalog: readonly CatalogItem[];
  clock: Clock;
  orders: AmazonOrderControl;
  faults: FaultRegistry<AmazonRoute>;
  counters: RequestCounters<AmazonRoute>;
  /** The consent URL an OMS would send a seller to, for a region's "Seller Central". */
  consentUrl: (options: Readonly<{ state: string; region?: Region; applicationId?: string; version?: string; redirectUri?: string }>) => string;
  /**
   * Every country's Seller Central, served by the NA listener: `{host}` stands for the published host
   * (OMS's AMAZON_SELLER_CENTRAL_URL_TEMPLATE), e.g. …/sellercentral/sellercentral.amazon.ca.
   */
  sellerCentralUrlTemplate: string;
  /** Seller Central hosts whose consent page was opened, in order. */
  consentHosts: () => readonly string[];
  /** Which seller is signed in to Seller Central and consents (default: the first seller). */
  consentAs: (sellerId: string) => void;
  /** Skips the browser: a one-time code as the consent redirect would carry it. */
  issueAuthorizationCode: (sellerId: string, options?: Readonly<{ region?: Region; applicationId?: string; redirectUri?: string }>) => AuthorizationCodeGrant;
  /** Skips the whole consent flow: a refresh token for a seller's authorization of an app in a region. */
  issueRefreshToken: (sellerId: string, options?: Readonly<{ region?: Region; applicationId?: string }>) => string;
  /** Revokes one refresh token or all of a seller's authorizations; returns how many were revoked. */
  revoke: (target: Readonly<{ refreshToken?: string; sellerId?: string; region?: Region }>) => number;
  close: () => Promise<void>;
}>;

export const startAmazonSandbox = async (options: AmazonSandboxOptions = {}): Promise<AmazonSandbox> => {
  const seed = options.seed ?? DEFAULT_SEED;
  const clock = createClock({ ...(options.now !== undefined ? { now: options.now } : {}), offsetMs: options.clockOffsetMs ?? 0 });
  const apps = options.apps ?? [defaultAmazonApp(seed)];
  const sellers = options.sellers ?? defaultAmazonSellers(seed);
  validateSellers(sellers);
  const firstApp = apps[0];
  const firstSeller = sellers[0];
  if (firstApp === undefined || firstSeller === undefined) throw new Error('The Amazon sandbox needs at least one app and one seller');
  const catalog = options.catalog ?? generateCatalog({ seed });
  const store = createAmazonOrderStore();
  const lwa = createLwa({
    clock,
    apps,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    authCodeTtlSeconds: options.authCodeTtlSeconds ?? 300,
  });
  const faults = createFaultRegistry<AmazonRoute>(seed);
  const counters = createRequestCounters<AmazonRoute>();
  const orders = createAmazonOrderControl({ store, clock, seed, sellers, catalog });
  if (options.orders !== false) orders.generate({ count: 200, ...options.orders });

  let signedIn = firstSeller.sellerId;
  const consentHosts: string[] = [];
  const knownSeller = (sellerId: string) => {
    if (!sellers.some((s) => s.sellerId === sellerId)) throw new Error(`Unknown Amazon seller ${sellerId}`);
    return sellerId;
  };
  const findApp = (applicationId?: string) => {
    const app = applicationId === undefined ? firstApp : apps.find((a) => a.applicationId === applicationId);
    if (app === undefined) throw new Error(`Unknown Amazon application ${applicationId ?? ''}`);
    return app;
  };

  const deps = {
    clock, lwa, store, apps, sellers, catalog,
    codec: createTokenCodec(),
    limiter: createRateLimiter(clock),
    signedInSeller: () => signedIn,
    consentHosts,
    throttling: options.throttling ?? true,
    paginationTokenTtlMs: (options.paginationTokenTtlSeconds ?? 86_400) * 1000,
  };
  const host = options.host ?? '127.0.0.1';
  const started = await Promise.allSettled(
    REGIONS.map((region) =>
      startHttpServer(
        host,
        options.ports?.[region] ?? 0,
        createDispatcher<AmazonRoute>({
          match: createRouter(createAmazonRoutes(deps, region)),
          faults,
          counters,
          renderFault: (fault, route) => renderAmazonFault(fault, route),
          // Unknown resources get API Gateway's answer, which is a 403, not a 404.
          notFound: () => spApiError(403, 'MissingAuthenticationToken', 'Access to requested resource is denied.'),
          commonHeaders: () => ({ 'x-amzn-RequestId': randomUUID() }),
        }),
      ),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    // Do not leave the other regions listening when one port is taken.
    await Promise.all(servers.map((server) => server.close()));
    throw failed.reason;
  }
  const urls = Object.fromEntries(REGIONS.map((region, i) => [region, (servers[i] as { url: string }).url])) as Record<Region, string>;

  return {
    url: urls.NA,
    urls,
    app: firstApp,
    apps,
    sellers,
    catalog,
    clock,
    orders,
    faults,
    counters,
    consentUrl: ({ state, region = 'NA', applicationId, version, redirectUri }) => {
      const url = new URL('/apps/authorize/consent', urls[region]);
      url.searchParams.set('application_id', applicationId ?? firstApp.applicationId);
      url.searchParams.set('state', state);
      if (version !== undefined) url.searchParams.set('version', version);
      if (redirectUri !== undefined) url.searchParams.set('redirect_uri', redirectUri);
      return url.toString();
    },
    sellerCentralUrlTemplate: `${urls.NA}${SELLER_CENTRAL_PATH_PREFIX}/{host}`,
    consentHosts: () => [...consentHosts],
    consentAs: (sellerId) => {
      signedIn = knownSeller(sellerId);
    },
    issueAuthorizationCode: (sellerId, { region = 'NA', applicationId, redirectUri } = {}) => {
      const app = findApp(applicationId);
      const target = redirectUri ?? app.redirectUris[0] ?? '';
      const { code, expiresAt } = lwa.issueCode(app, knownSeller(sellerId), region, target);
      return { code, sellingPartnerId: sellerId, region, redirectUri: target, expiresAt };
    },
    issueRefreshToken: (sellerId, { region = 'NA', applicationId } = {}) =>
      lwa.issueRefreshToken(findApp(applicationId).clientId, knownSeller(sellerId), region),
    revoke: (target) => lwa.revoke(target),
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
};
