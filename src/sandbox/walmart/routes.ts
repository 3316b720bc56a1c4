import type { Clock } from '../shared/clock.js';
import type { Route, SandboxReply, SandboxRequest } from '../shared/http.js';
import type { RateLimiter, UsagePlan } from '../shared/rateLimiter.js';
import type { WalmartAccessGrant, WalmartAuth } from './auth.js';
import type { WalmartConnect } from './connect.js';
import { scopesOf } from './config.js';
import { badRequest, contentNotFound, forbidden, thresholdViolated, walmartError } from './errors.js';
import { listOrders, presentOrder, type ListOrdersDeps } from './listOrders.js';
import type { WalmartOrderControl } from './orderControl.js';
import type { WalmartOrderStore } from './orderStore.js';

export const WALMART_ROUTES = ['token', 'tokenDetail', 'getAllOrders', 'getAllReleasedOrders', 'getAnOrder', 'acknowledgeOrders', 'authorize'] as const;
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

  /** The checks every order call goes through, in the order the gateway applies them. */
  const api = (
    name: Exclude<WalmartRoute, 'token'>,
    method: string,
    pattern: string,
    access: 'view' | 'full' | 'any',
    handle: (request: SandboxRequest, grant: WalmartAccessGrant) => SandboxReply,
  ): Route<WalmartRoute> => ({
    name,
    method,
    pattern,
    handle: (request) => {
      const headerError = missingHeader(request);
      if (headerError !== undefined) return headerError;
      const check = deps.auth.checkToken(request);
      if (!check.ok) return check.reply;
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
    return record !== undefined && record.partnerId === grant.client.partnerId ? record : undefined;
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
    api('tokenDetail', 'GET', '/v3/token/detail', 'any', (_request, grant) => deps.auth.tokenDetail(grant)),
    api('getAllReleasedOrders', 'GET', '/v3/orders/released', 'view', (request, grant) =>
      listOrders(deps, request, grant.client.partnerId, true),
    ),
    api('getAllOrders', 'GET', '/v3/orders', 'view', (request, grant) => listOrders(deps, request, grant.client.partnerId, false)),
    api('getAnOrder', 'GET', '/v3/orders/:purchaseOrderId', 'view', (request, grant) => {
      const record = ownOrder(request, grant);
      if (record === undefined) return contentNotFound(`Purchase order ${request.params.purchaseOrderId ?? ''} was not found.`);
      return { status: 200, json: { order: presentOrder(record.order, request.query) } };
    }),
    api('acknowledgeOrders', 'POST', '/v3/orders/:purchaseOrderId/acknowledge', 'full', (request, grant) => {
      const record = ownOrder(request, grant);
      if (record === undefined) return contentNotFound(`Purchase order ${request.params.purchaseOrderId ?? ''} was not found.`);
      if (record.order.shipNode?.type === 'WFSFulfilled') {
        return badRequest('INVALID_REQUEST_CONTENT', 'purchaseOrderId', 'Walmart-fulfilled (WFS) orders are not acknowledged by the seller.');
      }
      return { status: 200, json: { order: deps.orders.acknowledge(record.order.purchaseOrderId) } };
    }),
  ];
};
