import type { Clock } from '../shared/clock.js';
import type { Route, SandboxReply, SandboxRequest } from '../shared/http.js';
import type { RateLimiter, UsagePlan } from '../shared/rateLimiter.js';
import { participationsIn, type AmazonApp, type AmazonSellerAccount } from './config.js';
import { consent, consentErrorPage } from './consent.js';
import { SELLER_CENTRAL_PATH_PREFIX, sellerCentralRegion } from './sellerCentral.js';
import { accessDenied, invalidInput, quotaExceeded, spApiError, TOKEN_DETAILS } from './errors.js';
import type { Lwa } from './lwa.js';
import { marketplace, type Region } from './marketplaces.js';
import type { AmazonOrderStore } from './orderStore.js';
import { viewOrder } from './orderView.js';
import type { TokenCodec } from './paginationToken.js';
import { asinForSku } from './orderFactory.js';
import { feesEstimateForAsin } from './productFees.js';
import { parseIncludedData, searchOrders } from './searchOrders.js';
import { cancelOrder, confirmShipment } from './shipmentConfirmation.js';

export const AMAZON_ROUTES = [
  'lwaToken',
  'consent',
  'getMarketplaceParticipations',
  'searchOrders',
  'getOrder',
  'getMyFeesEstimateForASIN',
  'confirmShipment',
  'cancelOrder',
] as const;
export type AmazonRoute = (typeof AMAZON_ROUTES)[number];
type SpApiRoute = Exclude<AmazonRoute, 'lwaToken' | 'consent'>;

/** Default usage plans from the models (reference §A4); the rate is what `x-amzn-RateLimit-Limit` reports. */
export const AMAZON_USAGE_PLANS: Readonly<Record<SpApiRoute, UsagePlan>> = {
  getMarketplaceParticipations: { rate: 0.016, burst: 15 },
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getMyFeesEstimateForASIN: { rate: 1, burst: 2 },
  // ordersV0.json confirmShipment usage plan; cancelOrder's from its reference page (rate 1, burst 5).
  confirmShipment: { rate: 2, burst: 10 },
  cancelOrder: { rate: 1, burst: 5 },
};

export type AmazonRouteDeps = Readonly<{
  clock: Clock;
  lwa: Lwa;
  store: AmazonOrderStore;
  codec: TokenCodec;
  limiter: RateLimiter;
  apps: readonly AmazonApp[];
  sellers: readonly AmazonSellerAccount[];
  signedInSeller: () => string;
  /** Seller Central hosts consent pages were opened on, in order (tests check where sellers were sent). */
  consentHosts: string[];
  catalog: readonly Readonly<{ sku: string }>[];
  throttling: boolean;
  paginationTokenTtlMs: number;
}>;

type Account = Readonly<{ sellerId: string; region: Region; clientId: string }>;

/** The routes one regional endpoint serves: LWA and the consent page, plus that region's SP-API. */
export const createAmazonRoutes = (deps: AmazonRouteDeps, region: Region): Route<AmazonRoute>[] => {
  /** Token check, throttling (per app, seller and region, as Amazon's plans are) and the rate header every SP-API success and 400/404 carries. */
  const spApi = (
    name: SpApiRoute,
    pattern: string,
    handle: (request: SandboxRequest, account: Account, headers: Readonly<Record<string, string>>) => SandboxReply,
    method = 'GET',
  ): Route<AmazonRoute> => ({
    name,
    method,
    pattern,
    handle: (request) => {
      const check = deps.lwa.checkAccessToken(request.header('x-amz-access-token'));
      if (!check.ok) return accessDenied(TOKEN_DETAILS[check.reason]);
      const { sellerId, region: tokenRegion, clientId } = check.grant;
      // Grantless tokens and tokens of another region's authorization cannot read this region's data.
      if (sellerId === undefined || tokenRegion !== region) return accessDenied(TOKEN_DETAILS.denied);
      const plan = AMAZON_USAGE_PLANS[name];
      if (deps.throttling && !deps.limiter.take(`${clientId}/${sellerId}/${region}/${name}`, plan).allowed) return quotaExceeded();
      return handle(request, { sellerId, region, clientId }, { 'x-amzn-RateLimit-Limit': String(plan.rate) });
    },
  });

  const knownAsins = new Set(deps.catalog.map((item) => asinForSku(item.sku)));
  return [
    { name: 'lwaToken', method: 'POST', pattern: '/auth/o2/token', handle: deps.lwa.handleToken },
    { name: 'consent', method: 'GET', pattern: '/apps/authorize/consent', handle: (request) => consent(deps, region, request) },
    // Every country's Seller Central (sellercentral.amazon.ca, …): the consent authorizes that host's region.
    {
      name: 'consent',
      method: 'GET',
      pattern: `${SELLER_CENTRAL_PATH_PREFIX}/:host/apps/authorize/consent`,
      handle: (request) => {
        const host = request.params.host ?? '';
        const hostRegion = sellerCentralRegion(host);
        if (hostRegion === undefined) return consentErrorPage(404, 'This is not a Seller Central site.');
        deps.consentHosts.push(host);
        return consent(deps, hostRegion, request);
      },
    },
    spApi('getMarketplaceParticipations', '/sellers/v1/marketplaceParticipations', (_request, account, headers) => {
      const seller = deps.sellers.find((s) => s.sellerId === account.sellerId);
      const payload = (seller === undefined ? [] : participationsIn(seller, region)).map((p) => {
        const m = marketplace(p.marketplaceId);
        return {
          marketplace: {
            id: m.id,
            countryCode: m.countryCode,
            name: m.name,
            defaultCurrencyCode: m.defaultCurrencyCode,
            defaultLanguageCode: m.defaultLanguageCode,
            domainName: m.domainName,
          },
          storeName: seller?.storeName ?? '',
          participation: { isParticipating: p.isParticipating ?? true, hasSuspendedListings: p.hasSuspendedListings ?? false },
        };
      });
      return { status: 200, headers, json: { payload } };
    }),
    spApi('searchOrders', '/orders/2026-01-01/orders', (request, account, headers) =>
      searchOrders(deps, request, account, headers),
    ),
    spApi('getOrder', '/orders/2026-01-01/orders/:orderId', (request, account, headers) => {
      const include = parseIncludedData(request.query);
      if (typeof include === 'string') return invalidInput(include, headers);
      const record = deps.store.get(request.params.orderId ?? '');
      if (record === undefined || record.sellerId !== account.sellerId || record.region !== account.region) {
        return spApiError(404, 'NotFound', 'The requested order was not found.', `Order ${request.params.orderId ?? ''} does not exist.`, headers);
      }
      return { status: 200, headers, json: { order: viewOrder(record.order, include) } };
    }),
    spApi(
      'getMyFeesEstimateForASIN',
      '/products/fees/v0/items/:asin/feesEstimate',
      (request, account, headers) => feesEstimateForAsin(request, account, knownAsins, headers),
      'POST',
    ),
    spApi(
      'confirmShipment',
      '/orders/v0/orders/:orderId/shipmentConfirmation',
      (request, account, headers) => confirmShipment(deps, request, account, headers),
      'POST',
    ),
    spApi('cancelOrder', '/orders/2026-01-01/orders/:orderId/cancellation', (request, account, headers) => cancelOrder(deps, request, account, headers), 'PUT'),
  ];
};
