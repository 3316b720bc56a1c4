/**
 * What a fulfilment operator and a seller would do, over the real HTTP API: a tenant and its API
 * key, an Amazon account (consent played like a browser) and a Walmart store, the warehouse's
 * products, the mapping file, and a first pull of every store. A second, small Amazon account (the
 * seller's outlet, US only, no orders yet) is connected too: the demo breaks it later (failingStore.ts).
 */
import { ApiError, DemoError, type Api } from './api.js';
import { AMAZON_REGION, LOOKBACK_DAYS, mappingsCsv, productsCsv, type DemoPlan } from './data.js';

export type StoreView = Readonly<{
  storeId: string;
  authorizationId: string;
  platform: string;
  marketplaceId: string;
  countryCode: string;
  marketplaceName: string;
  name: string;
  status: string;
  sync: Readonly<{ lastSuccessAt: string | null; nextRunAt: string | null; running: boolean; lastError: string | null; failures: number }>;
}>;

type AuthorizationView = Readonly<{
  authorizationId: string;
  status: string;
  marketplaces: readonly Readonly<{ marketplaceId: string; countryCode: string; isParticipating: boolean; storeId: string | null }>[];
}>;

export type ScenarioDeps = Readonly<{
  api: Api;
  adminToken: string;
  plan: DemoPlan;
  /** Lets the pull scheduler run (held back until the mappings are in, so the first pull finds them). */
  startScheduler: () => void;
  /** Prints one progress line around a step. */
  step: <T>(label: string, run: () => Promise<T>, detail?: (result: T) => string) => Promise<T>;
  /** How long the first pull of all stores may take. */
  pullTimeoutMs?: number;
  /**
   * The outlet account: its region, and who consents in the marketplace's browser (the sandbox's
   * signed-in seller: set to the outlet's seller for its consent, then back).
   */
  outlet: Readonly<{ region: string; signInAs: (who: 'outlet' | 'main') => void }>;
}>;

export type ScenarioResult = Readonly<{
  tenantId: string;
  apiKey: string;
  /** The stores the demo sells through (mapped, pulled, shipped). */
  storeIds: readonly string[];
  /** The outlet account's store and authorization (pulled once; failingStore.ts breaks it). */
  outlet: Readonly<{ storeId: string; authorizationId: string }>;
}>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const storesOf = (auth: AuthorizationView) => auth.marketplaces.flatMap((m) => (m.isParticipating && m.storeId ? [m.storeId] : []));

/**
 * "The seller's browser": open OMS's consent link (it sets the one-time cookie that binds the consent
 * to this browser), follow it to Seller Central's consent page, then the redirect back to OMS with the cookie.
 */
export const consent = async (api: Api, consentUrl: string): Promise<AuthorizationView> => {
  const link = await fetch(consentUrl, { redirect: 'manual' });
  const sellerCentral = link.headers.get('location');
  const cookie = (link.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (link.status !== 302 || !sellerCentral || !cookie) throw new DemoError(`OMS's consent link answered ${link.status}: ${(await link.text()).slice(0, 200)}`);
  const page = await fetch(sellerCentral, { redirect: 'manual' });
  const location = page.headers.get('location');
  if (page.status !== 302 || !location) {
    throw new DemoError(`the marketplace's consent page answered ${page.status} instead of redirecting back: ${(await page.text()).slice(0, 200)}`);
  }
  const back = new URL(location);
  if (back.origin !== new URL(api.baseUrl).origin) throw new DemoError(`the consent redirect goes to ${back.origin}, not to this OMS (${api.baseUrl})`);
  return api.call<AuthorizationView>('GET', `${back.pathname}${back.search}`, { cookie });
};

/** POST /sync answers 422 until the new store's pull schedule exists (a projection): ask again shortly. */
export const requestSync = async (api: Api, apiKey: string, storeId: string) => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await api.post<{ accepted: true; coalesced: boolean }>(`/v1/stores/${storeId}/sync`, apiKey);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'store_not_active') || Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
};

/** Until every store has a successful pull and nothing more is due or running (GET /v1/stores). */
const awaitFirstPulls = async (api: Api, apiKey: string, storeIds: readonly string[], timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await api.get<{ items: StoreView[] }>('/v1/stores', apiKey);
    const ours = items.filter((s) => storeIds.includes(s.storeId));
    const failed = ours.find((s) => s.sync.lastSuccessAt === null && s.sync.failures > 0);
    if (failed) throw new DemoError(`the pull of ${failed.marketplaceName} (${failed.storeId}) failed: ${failed.sync.lastError ?? 'unknown reason'}`);
    const done = (s: StoreView) =>
      s.sync.lastSuccessAt !== null && !s.sync.running && s.sync.nextRunAt !== null && Date.parse(s.sync.nextRunAt) > Date.now();
    if (ours.length === storeIds.length && ours.every(done)) return ours;
    if (Date.now() > deadline) {
      const waiting = ours.filter((s) => !done(s)).map((s) => s.marketplaceName);
      throw new DemoError(`no successful pull within ${Math.round(timeoutMs / 1000)} s for: ${waiting.join(', ') || 'stores not listed yet'}`);
    }
    await sleep(200);
  }
};

export const runScenario = async (deps: ScenarioDeps): Promise<ScenarioResult> => {
  const { api, adminToken, plan, step } = deps;

  const tenant = await step(
    'Tenant and API key (admin token)',
    async () => {
      const { tenantId } = await api.post<{ tenantId: string }>('/v1/tenants', adminToken, { name: 'Northbeam Home' });
      const { apiKey } = await api.post<{ apiKey: string }>(`/v1/tenants/${tenantId}/api-keys`, adminToken, { name: 'demo' });
      return { tenantId, apiKey };
    },
    (t) => `tenant ${t.tenantId}`,
  );
  const key = tenant.apiKey;

  const amazon = await step(
    `Amazon ${AMAZON_REGION}: consent in Seller Central, redirect back to OMS`,
    async () => {
      const started = await api.post<{ consentUrl: string }>('/v1/authorizations/amazon', key, { name: `Amazon ${AMAZON_REGION}`, region: AMAZON_REGION, initialLookbackDays: LOOKBACK_DAYS });
      const auth = await consent(api, started.consentUrl);
      if (auth.status !== 'active') throw new DemoError(`the Amazon authorization is ${auth.status} after consent`);
      return auth;
    },
    (auth) => `${storesOf(auth).length} stores (${auth.marketplaces.filter((m) => m.storeId).map((m) => m.countryCode).join(', ')})`,
  );

  const walmart = await step(
    'Walmart US: Walmart Connect (OAuth 2.0), redirect back to OMS',
    async () => {
      const started = await api.post<{ consentUrl: string }>('/v1/authorizations/walmart/connect', key, { name: 'Walmart US', market: 'us', initialLookbackDays: LOOKBACK_DAYS });
      const auth = await consent(api, started.consentUrl);
      if (auth.status !== 'active') throw new DemoError(`the Walmart authorization is ${auth.status} after Walmart Connect`);
      return auth;
    },
    (auth) => `${storesOf(auth).length} store`,
  );
  const storeIds = [...storesOf(amazon), ...storesOf(walmart)];

  const outlet = await step(
    `Amazon ${deps.outlet.region}: a second, small account (the seller's outlet), consent the same way`,
    async () => {
      const started = await api.post<{ consentUrl: string }>('/v1/authorizations/amazon', key, { name: `Outlet (Amazon ${deps.outlet.region})`, region: deps.outlet.region, initialLookbackDays: LOOKBACK_DAYS });
      deps.outlet.signInAs('outlet');
      const auth = await consent(api, started.consentUrl).finally(() => deps.outlet.signInAs('main'));
      const storeId = storesOf(auth)[0];
      if (auth.status !== 'active' || storeId === undefined) throw new DemoError(`the outlet's Amazon authorization is ${auth.status} with ${storesOf(auth).length} stores after consent`);
      return { storeId, authorizationId: auth.authorizationId };
    },
    () => '1 store',
  );

  await step(
    'System SKUs (POST /v1/products/import)',
    () => api.postCsv<{ created: number }>('/v1/products/import', key, productsCsv(plan)),
    (r) => `${r.created} products`,
  );

  await step(
    'Mappings by CSV into every store (factors, a 6-pack, a kit)',
    async () => {
      const csv = mappingsCsv(plan);
      const results = [];
      for (const storeId of storeIds) results.push(await api.postCsv<{ mappings: number }>(`/v1/stores/${storeId}/mappings/import`, key, csv));
      return results;
    },
    (r) => `${r[0]?.mappings ?? 0} platform SKUs per store, ${plan.unmapped} left unmapped`,
  );

  await step(
    'First pull of every store (POST /v1/stores/:id/sync)',
    async () => {
      const all = [...storeIds, outlet.storeId];
      for (const storeId of all) await requestSync(api, key, storeId);
      deps.startScheduler();
      return awaitFirstPulls(api, key, all, deps.pullTimeoutMs ?? 60_000);
    },
    (stores) => `${stores.length} stores synced`,
  );

  return { tenantId: tenant.tenantId, apiKey: key, storeIds, outlet };
};
