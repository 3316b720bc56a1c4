/**
 * The demo's failing store, so the console's Attention page has one to show: the outlet account
 * (connected and pulled once by the scenario) loses OMS's access — the seller removes the app in
 * Seller Central, which the sandbox plays by revoking the grant — and its next pull fails. OMS then
 * reports the store's failed pull and the authorization as needing re-authorization; the rest of the
 * demo is untouched (another seller's grant).
 */
import { DemoError, type Api } from './api.js';
import { requestSync, type StoreView } from './scenario.js';

export type FailingStore = Readonly<{
  storeId: string;
  authorizationId: string;
  marketplaceName: string;
  countryCode: string;
  /** GET /v1/stores sync: failed pulls in a row, ok / retrying / failing, the last error. */
  failures: number;
  state: string;
  lastError: string | null;
  lastSuccessAt: string | null;
  /** GET /v1/authorizations/:id status (reauthorization_required once the grant is refused). */
  authorizationStatus: string;
}>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The store's pull health and its authorization's status, as the Attention page reads them. */
export const readFailingStore = async (api: Api, apiKey: string, outlet: Readonly<{ storeId: string; authorizationId: string }>): Promise<FailingStore> => {
  const store = await api.get<StoreView & { sync: { state: string } }>(`/v1/stores/${outlet.storeId}`, apiKey);
  const auth = await api.get<{ status: string }>(`/v1/authorizations/${outlet.authorizationId}`, apiKey);
  return {
    storeId: store.storeId,
    authorizationId: store.authorizationId,
    marketplaceName: store.marketplaceName,
    countryCode: store.countryCode,
    failures: store.sync.failures,
    state: store.sync.state,
    lastError: store.sync.lastError,
    lastSuccessAt: store.sync.lastSuccessAt,
    authorizationStatus: auth.status,
  };
};

/** Revoke the outlet's grant at the marketplace, ask for a pull, and wait (bounded) until OMS has recorded its failure. */
export const breakOutlet = async (
  api: Api,
  apiKey: string,
  outlet: Readonly<{ storeId: string; authorizationId: string }>,
  revokeGrant: () => void,
  timeoutMs = 30_000,
): Promise<FailingStore> => {
  revokeGrant();
  await requestSync(api, apiKey, outlet.storeId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await readFailingStore(api, apiKey, outlet);
    if (seen.failures > 0 && seen.authorizationStatus !== 'active') return seen;
    if (Date.now() > deadline) {
      throw new DemoError(`the outlet store's pull did not fail within ${Math.round(timeoutMs / 1000)} s after its grant was revoked (failures ${seen.failures}, authorization ${seen.authorizationStatus})`);
    }
    await sleep(200);
  }
};
