import { generateCatalog, type CatalogItem } from '../catalog.js';
import { createFaultRegistry, type FaultRegistry } from '../faults.js';
import { createClock, type Clock } from '../shared/clock.js';
import { createRequestCounters, type RequestCounters } from '../shared/counters.js';
import { createDispatcher } from '../shared/dispatch.js';
import { createRouter, startHttpServer } from '../shared/http.js';
import { createRateLimiter } from '../shared/rateLimiter.js';
import { DEFAULT_SEED } from '../shared/random.js';
import { createWalmartAuth } from './auth.js';
import { defaultWalmartApp, defaultWalmartClients, type WalmartApp, type WalmartClient } from './config.js';
import { createWalmartConnect, type ConsentDecision } from './connect.js';
import { walmartError } from './errors.js';
import { renderWalmartFault } from './faultReplies.js';
import { createWalmartOrderControl, type WalmartGenerateOptions, type WalmartOrderControl } from './orderControl.js';
import { createWalmartOrderStore } from './orderStore.js';
import { createWalmartRoutes, type WalmartRoute } from './routes.js';

export type WalmartSandboxOptions = Readonly<{
  host?: string;
  port?: number;
  seed?: string | number;
  now?: () => number | Date;
  /** Initial clock offset in ms (also settable later through `clock`). */
  clockOffsetMs?: number;
  /** API keys the sandbox knows (default: main, noOrderAccess, ordersViewOnly, sandboxKey). */
  clients?: readonly WalmartClient[];
  /** Solution-provider apps for Connect (OAuth 2.0 authorization code); default: one app. */
  apps?: readonly WalmartApp[];
  /** Connect's authorization codes live this long (default 600 s). */
  authCodeTtlSeconds?: number;
  catalog?: readonly CatalogItem[];
  /** Orders to seed for the first client's seller (default 200 over 14 days); false for none. */
  orders?: false | Omit<WalmartGenerateOptions, 'seed'>;
  /** Walmart's access tokens live 900 s. */
  accessTokenTtlSeconds?: number;
  /** Orders older than this are not listed (Walmart: 180 days). */
  historyDays?: number;
  /** How far one search may page (spec: 20,000; current docs: 10,000). Default 10,000. */
  maxOrdersPerQuery?: number;
  /** Enforce the per-key limits (429 REQUEST_THRESHOLD_VIOLATED when a bucket is empty). Off by default. */
  throttling?: boolean;
}>;

export type WalmartSandbox = Readonly<{
  url: string;
  /** The first configured key. */
  mainClient: WalmartClient;
  clients: readonly WalmartClient[];
  /** A configured key by label, e.g. `client('noOrderAccess')`. */
  client: (label: string) => WalmartClient;
  /** The first solution-provider app (Connect). */
  app: WalmartApp;
  /** Connect: who logs in on the authorize page and what they answer; revoking a seller's grant. */
  connect: Readonly<{
    consentAs: (decision: ConsentDecision) => void;
    revoke: (target: Readonly<{ refreshToken?: string; sellerId?: string }>) => number;
  }>;
  catalog: readonly CatalogItem[];
  clock: Clock;
  orders: WalmartOrderControl;
  faults: FaultRegistry<WalmartRoute>;
  counters: RequestCounters<WalmartRoute>;
  close: () => Promise<void>;
}>;

export const startWalmartSandbox = async (options: WalmartSandboxOptions = {}): Promise<WalmartSandbox> => {
  const seed = options.seed ?? DEFAULT_SEED;
  const clock = createClock({ ...(options.now !== undefined ? { now: options.now } : {}), offsetMs: options.clockOffsetMs ?? 0 });
  const clients = options.clients ?? defaultWalmartClients(seed);
  const mainClient = clients[0];
  if (mainClient === undefined) throw new Error('The Walmart sandbox needs at least one client');
  const catalog = options.catalog ?? generateCatalog({ seed });
  const store = createWalmartOrderStore();
  const orders = createWalmartOrderControl({ store, clock, seed, defaultPartnerId: mainClient.partnerId, catalog });
  if (options.orders !== false) orders.generate({ count: 200, ...options.orders });
  const faults = createFaultRegistry<WalmartRoute>(seed);
  const counters = createRequestCounters<WalmartRoute>();
  const apps = options.apps ?? [defaultWalmartApp(seed)];
  const app = apps[0];
  if (app === undefined) throw new Error('The Walmart sandbox needs at least one app (or none passed)');
  const auth = createWalmartAuth({ clock, clients, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900 });
  const connect = createWalmartConnect({
    clock, apps, auth, defaultSellerId: mainClient.partnerId, ...(options.authCodeTtlSeconds !== undefined ? { codeTtlSeconds: options.authCodeTtlSeconds } : {}),
  });
  const routes = createWalmartRoutes({
    clock,
    store,
    orders,
    auth,
    connect,
    limiter: createRateLimiter(clock),
    throttling: options.throttling ?? false,
    historyDays: options.historyDays ?? 180,
    maxOrdersPerQuery: options.maxOrdersPerQuery ?? 10_000,
  });
  const server = await startHttpServer(
    options.host ?? '127.0.0.1',
    options.port ?? 0,
    createDispatcher<WalmartRoute>({
      match: createRouter(routes),
      faults,
      counters,
      renderFault: (fault) => renderWalmartFault(fault, clock),
      notFound: (request) =>
        walmartError(404, 'URI_NOT_FOUND.GMP_GATEWAY_API', { description: `No API at ${request.method} ${request.path}.`, category: 'REQUEST' }),
    }),
  );
  return {
    url: server.url,
    mainClient,
    clients,
    client: (label) => {
      const found = clients.find((c) => c.label === label);
      if (found === undefined) throw new Error(`No Walmart client labelled ${label}`);
      return found;
    },
    app,
    connect: { consentAs: connect.consentAs, revoke: connect.revoke },
    catalog,
    clock,
    orders,
    faults,
    counters,
    close: server.close,
  };
};
