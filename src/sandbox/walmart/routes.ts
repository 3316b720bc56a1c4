import type { Clock } from '../shared/clock.js';
import type { Route, SandboxReply, SandboxRequest } from '../shared/http.js';
import type { RateLimiter, UsagePlan } from '../shared/rateLimiter.js';
import { basicCredentials, type WalmartAccessGrant, type WalmartAuth } from './auth.js';
import type { WalmartConnect } from './connect.js';
import { scopesOf } from './config.js';
import { badRequest, contentNotFound, forbidden, thresholdViolated, unauthorized, UNAUTHORIZED_INFO, walmartError } from './errors.js';
import { listOrders, presentOrder, type ListOrdersDeps } from './listOrders.js';
import type { WalmartOrderControl } from './orderControl.js';
import type { WalmartOrderStore } from './orderStore.js';
import { cancellation, mexicoAcknowledgement, mexicoShipment, shippingUpdate, type LineUpdate } from './lineUpdates.js';
import { floorToSecond } from '../shared/clock.js';
import type { WalmartMarket, WalmartOrder } from './types.js';
import { presentCanada } from './marketShapes.js';
import { listMexicoOrdersByCursor, listMexicoOrdersByOffset } from './mexicoOrders.js';

const marketOf = (grant: WalmartAccessGrant): WalmartMarket => grant.client.market ?? 'us';

export const WALMART_ROUTES = [
  'token',
  'tokenDetail',
  'getAllOrders',
  'getAllReleasedOrders',
  'getAnOrder',
  'acknowledgeOrders',
  'authorize',
  'shippingUpdates',
  'cancelOrderLines',
  'getAllOrdersCA',
  'getAnOrderCA',
  'acknowledgeOrdersCA',
  'shippingUpdatesCA',
  'cancelOrderLinesCA',
  'getAllOrdersUsingCursor',
  'shippingUpdatesMX',
] as const;
export type WalmartRoute = (typeof WALMART_ROUTES)[number];

/**
 * Per-key limits. Walmart does not publish the US table (reference §B2); these are the figures
 * third-party code attributes to it, used for the throttling headers and, when enabled, enforced.
 */
export const WALMART_USAGE_PLANS: Readonly<Record<WalmartRoute, UsagePlan>> = {
  token: { rate: 0.5, burst: 30 },
  tokenDetail: { rate: 2, burst: 120 },
  getAllOrders: { rate: 5000 / 60, burst: 5000 },
  getAllReleasedOrders: { rate: 5000 / 60, burst: 5000 },
  getAnOrder: { rate: 2, burst: 120 },
  acknowledgeOrders: { rate: 1, burst: 60 },
  // The login host's page is not metered by the API gateway.
  authorize: { rate: 1000, burst: 1000 },
  // POST shipping is attributed 60 a minute; cancel is not listed (Walmart's default: 120 a minute).
  shippingUpdates: { rate: 1, burst: 60 },
  cancelOrderLines: { rate: 2, burst: 120 },
  // Canada and Mexico publish no limits either; the sandbox meters them like their US counterparts.
  getAllOrdersCA: { rate: 5000 / 60, burst: 5000 },
  getAnOrderCA: { rate: 2, burst: 120 },
  acknowledgeOrdersCA: { rate: 1, burst: 60 },
  shippingUpdatesCA: { rate: 1, burst: 60 },
  cancelOrderLinesCA: { rate: 2, burst: 120 },
  getAllOrdersUsingCursor: { rate: 5000 / 60, burst: 5000 },
  shippingUpdatesMX: { rate: 1, burst: 60 },
};

export type WalmartRouteDeps = ListOrdersDeps &
  Readonly<{
    clock: Clock;
    auth: WalmartAuth;
    connect: WalmartConnect;
    store: WalmartOrderStore;
    orders: WalmartOrderControl;
    limiter: RateLimiter;
    throttling: boolean;
  }>;

/** Headers Walmart requires on every call, the token call included. */
const REQUIRED_HEADERS = ['WM_SVC.NAME', 'WM_QOS.CORRELATION_ID'] as const;

const acceptsJson = (accept: string | undefined) =>
  accept === undefined || accept === '' || /application\/json|\*\/\*|application\/\*/i.test(accept);

export const createWalmartRoutes = (deps: WalmartRouteDeps): Route<WalmartRoute>[] => {
  /** Throttling headers for a key and route; with throttling on, an empty bucket answers 429. */
  const meter = (name: WalmartRoute, key: string): { headers: Record<string, string>; throttled: boolean } => {
    const state = deps.limiter.take(`${key}/${name}`, WALMART_USAGE_PLANS[name]);
    return {
      headers: { 'x-current-token-count': String(state.remaining), 'x-next-replenishment-time': String(state.nextTokenAt) },
      throttled: deps.throttling && !state.allowed,
    };
  };

  const missingHeader = (request: SandboxRequest): SandboxReply | undefined => {
    const missing = REQUIRED_HEADERS.find((name) => (request.header(name) ?? '').trim() === '');
    return missing === undefined ? undefined : badRequest('MISSING_REQUEST_HEADER', missing, `Required header ${missing} is missing.`);
  };

  /**
   * A token minted for Canada or Mexico (Connect's WM_MARKET) names its market on every call, and
   * serves only that market's APIs: Canada's are under /v3/ca, Mexico's share the US paths but not
   * every US API. A token used on another market's API is refused as a key without that permission.
   */
  const marketRefusal = (request: SandboxRequest, market: WalmartMarket, serves: readonly WalmartMarket[]): SandboxReply | undefined => {
    const named = (request.header('wm_market') ?? '').trim().toLowerCase();
    if (market !== 'us' && named === '') return badRequest('MISSING_REQUEST_HEADER', 'WM_MARKET', 'Required header WM_MARKET is missing.');
    if (named !== '' && named !== market) return badRequest('INVALID_REQUEST_HEADER', 'WM_MARKET', `WM_MARKET ${named} does not match the access token's market.`);
    if (serves.includes(market)) return undefined;
    return walmartError(403, 'FORBIDDEN.GMP_GATEWAY_API', {
      field: 'FORBIDDEN', description: 'Forbidden', info: `This API does not serve the access token's market (${market}).`,
    });
  };

  /**
   * Mexico's orders spec declares HTTP Basic beside the access token on every call: the credentials
   * of the client the token was minted for (a key's own, or the Connect app's).
   */
  const sameClient = (request: SandboxRequest, grant: WalmartAccessGrant) => {
    const basic = basicCredentials(request.header('authorization'));
    return basic !== undefined && basic.clientId === grant.client.clientId && basic.clientSecret === grant.client.clientSecret;
  };

  /** The checks every order call goes through, in the order the gateway applies them. */
  const api = (
    name: Exclude<WalmartRoute, 'token'>,
    method: string,
    pattern: string,
    access: 'view' | 'full' | 'any',
    handle: (request: SandboxRequest, grant: WalmartAccessGrant) => SandboxReply,
    /** The markets whose tokens this API serves; 'any' for the token's own detail (no WM_MARKET either). */
    serves: readonly WalmartMarket[] | 'any' = ['us'],
  ): Route<WalmartRoute> => ({
    name,
    method,
    pattern,
    handle: (request) => {
      const headerError = missingHeader(request);
      if (headerError !== undefined) return headerError;
      const check = deps.auth.checkToken(request);
      if (!check.ok) return check.reply;
      const refused = serves === 'any' ? undefined : marketRefusal(request, marketOf(check.grant), serves);
      if (refused !== undefined) return refused;
      if (serves !== 'any' && marketOf(check.grant) === 'mx' && !sameClient(request, check.grant)) return unauthorized(UNAUTHORIZED_INFO.header);
      const { headers, throttled } = meter(name, check.grant.client.clientId);
      if (throttled) return thresholdViolated(headers);
      const orders = scopesOf(check.grant.client).orders;
      if ((access === 'view' && orders === 'no_access') || (access === 'full' && orders !== 'full_access')) {
        return forbidden('orders', headers);
      }
      if (!acceptsJson(request.header('accept'))) {
        return walmartError(406, 'INVALID_ACCEPT_TYPE', { description: 'This sandbox answers application/json only.', category: 'REQUEST' }, headers);
      }
      const reply = handle(request, check.grant);
      return { ...reply, headers: { ...headers, ...reply.headers } };
    },
  });

  const ownOrder = (request: SandboxRequest, grant: WalmartAccessGrant) => {
    const record = deps.store.get(request.params.purchaseOrderId ?? '');
    return record !== undefined && record.partnerId === grant.client.partnerId && (record.market ?? 'us') === marketOf(grant) ? record : undefined;
  };

  /** The updated order as the market answers it: the US `{order}`, Canada's Order itself, Mexico 202 without a body. */
  const updated = (grant: WalmartAccessGrant, order: WalmartOrder, request: SandboxRequest): SandboxReply => {
    const market = marketOf(grant);
    if (market === 'mx') return { status: 202, text: '' };
    return market === 'ca' ? { status: 200, json: presentCanada(order) } : { status: 200, json: { order: presentOrder(order, request.query) } };
  };

  /** Shipping and cancelling lines of a seller-fulfilled purchase order; answers the updated order. */
  const lineUpdate = (request: SandboxRequest, grant: WalmartAccessGrant, decide: (order: WalmartOrder) => LineUpdate): SandboxReply => {
    const record = ownOrder(request, grant);
    if (record === undefined) return contentNotFound(`Purchase order ${request.params.purchaseOrderId ?? ''} was not found.`);
    if (record.order.shipNode?.type === 'WFSFulfilled') {
      return badRequest('INVALID_REQUEST_CONTENT', 'purchaseOrderId', 'Walmart-fulfilled (WFS) orders are not updated by the seller.');
    }
    const update = decide(record.order);
    if ('reply' in update) return update.reply;
    const order = deps.orders.update(record.order.purchaseOrderId, (o) => update.change(o, floorToSecond(deps.clock.now())));
    return updated(grant, order, request);
  };

  const acknowledge = (request: SandboxRequest, grant: WalmartAccessGrant): SandboxReply => {
    const record = ownOrder(request, grant);
    if (record === undefined) return contentNotFound(`Purchase order ${request.params.purchaseOrderId ?? ''} was not found.`);
    if (record.order.shipNode?.type === 'WFSFulfilled') {
      return badRequest('INVALID_REQUEST_CONTENT', 'purchaseOrderId', 'Walmart-fulfilled (WFS) orders are not acknowledged by the seller.');
    }
    if (marketOf(grant) === 'mx') return lineUpdate(request, grant, (order) => mexicoAcknowledgement(order, request));
    return updated(grant, deps.orders.acknowledge(record.order.purchaseOrderId), request);
  };

  const getOne = (request: SandboxRequest, grant: WalmartAccessGrant): SandboxReply => {
    const record = ownOrder(request, grant);
    if (record === undefined) return contentNotFound(`Purchase order ${request.params.purchaseOrderId ?? ''} was not found.`);
    return marketOf(grant) === 'ca' ? { status: 200, json: presentCanada(record.order) } : { status: 200, json: { order: presentOrder(record.order, request.query) } };
  };

  return [
    // Walmart's login host (login.account.wal-mart.com); the sandbox serves it beside the API.
    { name: 'authorize', method: 'GET', pattern: '/authorize', handle: (request) => deps.connect.authorizePage(request) },
    {
      name: 'token',
      method: 'POST',
      pattern: '/v3/token',
      handle: (request) => {
        const headerError = missingHeader(request);
        if (headerError !== undefined) return headerError;
        const { headers, throttled } = meter('token', request.header('authorization') ?? 'anonymous');
        if (throttled) return thresholdViolated(headers);
        // Solution providers' grants (Connect) are the app's; client_credentials is a seller's own key.
        const grantType = new URLSearchParams(request.body).get('grant_type');
        const reply =
          grantType === 'authorization_code' || grantType === 'refresh_token' ? deps.connect.handleToken(request, grantType) : deps.auth.handleToken(request);
        return { ...reply, headers: { ...headers, ...reply.headers } };
      },
    },
    api('tokenDetail', 'GET', '/v3/token/detail', 'any', (_request, grant) => deps.auth.tokenDetail(grant), 'any'),
    api('getAllReleasedOrders', 'GET', '/v3/orders/released', 'view', (request, grant) =>
      listOrders(deps, request, grant.client.partnerId, true),
    ),
    // Mexico's cursor search, before getAnOrder's /v3/orders/:purchaseOrderId.
    api('getAllOrdersUsingCursor', 'GET', '/v3/orders/cursor', 'view', (request, grant) => listMexicoOrdersByCursor(deps, request, grant.client.partnerId), ['mx']),
    api('getAllOrders', 'GET', '/v3/orders', 'view', (request, grant) =>
      marketOf(grant) === 'mx' ? listMexicoOrdersByOffset(deps, request, grant.client.partnerId) : listOrders(deps, request, grant.client.partnerId, false), ['us', 'mx']),
    api('getAnOrder', 'GET', '/v3/orders/:purchaseOrderId', 'view', getOne),
    api('acknowledgeOrders', 'POST', '/v3/orders/:purchaseOrderId/acknowledge', 'full', acknowledge, ['us', 'mx']),
    api('shippingUpdates', 'POST', '/v3/orders/:purchaseOrderId/shipping', 'full', (request, grant) =>
      lineUpdate(request, grant, (order) => shippingUpdate(order, request)),
    ),
    api('shippingUpdatesMX', 'POST', '/v3/orders/:purchaseOrderId/ship', 'full', (request, grant) =>
      lineUpdate(request, grant, (order) => mexicoShipment(order, request, floorToSecond(deps.clock.now()))), ['mx']),
    api('cancelOrderLines', 'POST', '/v3/orders/:purchaseOrderId/cancel', 'full', (request, grant) =>
      lineUpdate(request, grant, (order) => cancellation(order, request)), ['us', 'mx']),
    api('getAllOrdersCA', 'GET', '/v3/ca/orders', 'view', (request, grant) => listOrders(deps, request, grant.client.partnerId, false, 'ca'), ['ca']),
    api('getAnOrderCA', 'GET', '/v3/ca/orders/:purchaseOrderId', 'view', getOne, ['ca']),
    api('acknowledgeOrdersCA', 'POST', '/v3/ca/orders/:purchaseOrderId/acknowledge', 'full', acknowledge, ['ca']),
    api('shippingUpdatesCA', 'POST', '/v3/ca/orders/:purchaseOrderId/shipping', 'full', (request, grant) =>
      lineUpdate(request, grant, (order) => shippingUpdate(order, request, 'ca')), ['ca']),
    api('cancelOrderLinesCA', 'POST', '/v3/ca/orders/:purchaseOrderId/cancel', 'full', (request, grant) =>
      lineUpdate(request, grant, (order) => cancellation(order, request, 'ca')), ['ca']),
  ];
};
