import { useState } from 'preact/hooks';
import { api, ApiError, type Authorization, type AuthorizationSummary, type Consent, type Store } from '../api.js';
import { ErrorMessage, Field, ReadOnlyNote, Status } from '../components.js';
import { AMAZON_SITES, consentErrorText, daysLeft, renewalText, WALMART_MARKETS } from '../authorizationText.js';
import { formatTime, useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

const STATUS_NAMES: Record<string, string> = {
  pending: 'waiting for consent',
  active: 'active',
  paused: 'paused',
  failed: 'not completed',
  reauthorization_required: 'needs re-authorization',
  revoked: 'revoked',
  merged: 'merged',
};

/** The last pull and failures of a store, as the Stores screen shows them. */
const pullText = (s: Store | undefined) => (s ? formatTime(s.sync.lastSuccessAt) : '—');
const failureText = (s: Store | undefined) => (!s ? '—' : s.sync.failures ? `${s.sync.failures} (${s.sync.state}): ${s.sync.lastError ?? s.sync.reason ?? ''}` : '0');

/** A consent that came back refused (src/http/consentPages.ts): its stable code, reason and authorization. */
export type ConsentFailure = Readonly<{ code: string; reason: string | null; authorizationId: string | null }>;

/**
 * System Settings – Platform Authorization: every authorization with its status, its stores per
 * country with their last pull and failures, and the renewal countdown; Add Authorization.
 */
export const Authorizations = ({ canWrite, consentError }: { canWrite: boolean; consentError: ConsentFailure | null }) => {
  const list = useLoad(() => api<{ items: AuthorizationSummary[] }>('GET', '/v1/authorizations'), []);
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const storesOf = (id: string) => (stores.data?.items ?? []).filter((s) => s.authorizationId === id);
  // Read from the authorization itself: the list is a read model and may not have the new one yet.
  const failedId = consentError?.authorizationId ?? null;
  const failedLoad = useLoad(() => (failedId ? api<Authorization>('GET', `/v1/authorizations/${failedId}`).catch(() => null) : Promise.resolve(null)), [failedId]);
  const failed = failedLoad.data;
  return (
    <section aria-labelledby="authorizations-title">
      <h1 id="authorizations-title">Platform Authorization</h1>
      {consentError ? (
        <div class="error" role="alert">
          <p>
            {failed ? `“${failed.name}” was not connected: ` : 'The authorization was not completed: '}
            {consentErrorText(consentError.code, consentError.reason, failed?.platform ?? null)}
          </p>
          <p>
            Error code <code>{consentError.code}</code>
            {consentError.reason && consentError.reason !== consentError.code ? (
              <>
                {' '}
                (<code>{consentError.reason}</code>)
              </>
            ) : null}
            {failed ? (
              <>
                {' '}
                — <a href={`#/authorizations/${failed.authorizationId}`}>the authorization’s page</a>
              </>
            ) : null}
          </p>
        </div>
      ) : null}
      {canWrite ? (
        <p class="toolbar">
          <a class="button" href="#/authorizations/new?platform=amazon">
            Add Authorization — Amazon
          </a>
          <a class="button" href="#/authorizations/new?platform=walmart">
            Add Authorization — Walmart
          </a>
        </p>
      ) : (
        <ReadOnlyNote />
      )}
      <ErrorMessage error={list.error ?? stores.error} />
      {list.data ? (
        <table>
          <caption>Authorizations and their stores</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Platform</th>
              <th scope="col">Status</th>
              <th scope="col">Stores (country: last pull, failures)</th>
              <th scope="col">Renewal</th>
              <th scope="col">Last failure</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.length === 0 ? (
              <tr>
                <td colSpan={6}>No authorizations yet.</td>
              </tr>
            ) : (
              list.data.items.map((a) => (
                <tr key={a.authorizationId}>
                  <td>
                    <a href={`#/authorizations/${a.authorizationId}`}>{a.name}</a>
                  </td>
                  <td>
                    {a.platform}
                    {a.region ? ` (${a.region})` : ''}
                  </td>
                  <td>{STATUS_NAMES[a.status] ?? a.status}</td>
                  <td>
                    {storesOf(a.authorizationId).length === 0 ? (
                      '—'
                    ) : (
                      <ul class="plain">
                        {storesOf(a.authorizationId).map((s) => (
                          <li key={s.storeId}>
                            {s.countryCode}: {pullText(s)}, failures {failureText(s)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{a.renewBy ? renewalText(a.renewBy, daysLeft(a.renewBy)) : '—'}</td>
                  <td>{a.lastFailure ?? '—'}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};

/** The Walmart key fields with the diagnostics next to the field they concern and what to do. */
const WalmartKeys = ({
  error,
  clientId,
  clientSecret,
  onChange,
  required = true,
}: {
  error: Error | null;
  clientId: string;
  clientSecret: string;
  onChange: (k: { clientId?: string; clientSecret?: string }) => void;
  /** Not when the same form can also Connect (the API names missing keys). */
  required?: boolean;
}) => {
  const code = error instanceof ApiError ? error.code : null;
  const hint = error instanceof ApiError && typeof error.problem?.hint === 'string' ? error.problem.hint : null;
  const diagnostic = (id: string) => (
    <p class="error" role="alert" id={id}>
      {error?.message}. {hint}
    </p>
  );
  const idProblem = code === 'missing_permission' || code === 'credentials_rejected';
  const secretProblem = code === 'credentials_identical';
  return (
    <>
      <Field id="client-id" label="Client ID" hint="From Walmart Developer Portal: a PRODUCTION key (sandbox keys do not work).">
        <input
          id="client-id"
          required={required}
          autocomplete="off"
          spellcheck={false}
          value={clientId}
          aria-invalid={idProblem}
          aria-describedby={idProblem ? 'client-id-hint client-id-problem' : 'client-id-hint'}
          onInput={(e) => onChange({ clientId: e.currentTarget.value })}
        />
        {idProblem ? diagnostic('client-id-problem') : null}
      </Field>
      <Field id="client-secret" label="Client Secret" hint="Copied separately from the Client ID: the two are different texts.">
        <input
          id="client-secret"
          type="password"
          required={required}
          autocomplete="off"
          value={clientSecret}
          aria-invalid={secretProblem}
          aria-describedby={secretProblem ? 'client-secret-hint client-secret-problem' : 'client-secret-hint'}
          onInput={(e) => onChange({ clientSecret: e.currentTarget.value })}
        />
        {secretProblem ? diagnostic('client-secret-problem') : null}
      </Field>
    </>
  );
};

const isKeyProblem = (e: Error | null) => e instanceof ApiError && ['credentials_identical', 'credentials_rejected', 'missing_permission'].includes(e.code ?? '');

/** The link to Seller Central's consent page (OMS's one-time consent link, valid 10 minutes). */
const JumpAuthorization = ({ consent }: { consent: Consent }) => (
  <div class="panel">
    <p>
      Next, sign in to Seller Central with the store account you mean to authorize (switch accounts there if another one is signed in) and confirm. The link works
      once, until {formatTime(consent.expiresAt)}.
    </p>
    <a class="button" href={consent.consentUrl}>
      Jump Authorization
    </a>
  </div>
);

/** The one line on screen that tells Connect and the key form apart. */
const WALMART_WAYS =
  'Walmart Connect is how a seller authorizes OMS now (they log in to Walmart and approve OMS’s app; Walmart retired delegated keys); the API keys are only for a seller’s own full-access keys.';

/** Sends the browser to the consent page (OMS's one-time link, then Walmart's login); it comes back to this console. */
const goToConsent = (consent: Consent) => location.assign(consent.consentUrl);

const connectNotConfigured = (e: Error | null) => e instanceof ApiError && e.code === 'walmart_connect_not_configured';

/**
 * Add Authorization: Amazon (basic information and the store's site, then Jump Authorization) or
 * Walmart (Connect, or a seller's own keys, from the same basic information).
 */
export const AddAuthorization = ({ platform }: { platform: 'amazon' | 'walmart' }) => {
  const [form, setForm] = useState({ name: '', note: '', site: '', market: 'us', lookback: '3', clientId: '', clientSecret: '' });
  const [error, setError] = useState<Error | null>(null);
  const [consent, setConsent] = useState<Consent | null>(null);
  const [leaving, setLeaving] = useState(false);
  // Walmart: which of the two buttons was pressed, so its error is shown next to it.
  const [action, setAction] = useState<'connect' | 'keys'>('keys');
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const basics = { name: form.name, note: form.note.trim() || null, initialLookbackDays: Number(form.lookback) };
    // Walmart's form has two submit buttons: Connect, or the keys. Enter in a key field submits with
    // the first button (Connect), but it means the keys.
    const inKeys = document.activeElement?.closest('#walmart-keys') != null;
    const pressed = !inKeys && ((e as SubmitEvent).submitter as HTMLButtonElement | null)?.value === 'connect' ? 'connect' : 'keys';
    setAction(pressed);
    try {
      if (platform === 'amazon') {
        const region = AMAZON_SITES.find((s) => s.key === form.site)?.region;
        setConsent(await api<Consent>('POST', '/v1/authorizations/amazon', { ...basics, region }));
      } else if (pressed === 'connect') {
        const started = await api<Consent>('POST', '/v1/authorizations/walmart/connect', { ...basics, market: form.market });
        setLeaving(true);
        goToConsent(started);
      } else {
        const created = await api<Authorization>('POST', '/v1/authorizations/walmart', { ...basics, clientId: form.clientId, clientSecret: form.clientSecret });
        location.hash = `#/authorizations/${created.authorizationId}?created=1`;
      }
    } catch (err) {
      setError(err as Error);
    }
  };
  const title = platform === 'amazon' ? 'Add Authorization — Amazon' : 'Add Authorization — Walmart';
  const regions = [...new Set(AMAZON_SITES.map((s) => s.regionName))];
  const lookback = (
    <Field id="auth-lookback" label="First pull: days back" hint="The first pull reads the orders of the last 3 to 5 days.">
      <select id="auth-lookback" aria-describedby="auth-lookback-hint" value={form.lookback} onChange={(e) => set({ lookback: e.currentTarget.value })}>
        <option value="3">3 days</option>
        <option value="4">4 days</option>
        <option value="5">5 days</option>
      </select>
    </Field>
  );
  return (
    <section aria-labelledby="add-authorization-title">
      <p>
        <a href="#/authorizations">Platform Authorization</a>
      </p>
      <h1 id="add-authorization-title">{title}</h1>
      {consent ? (
        <JumpAuthorization consent={consent} />
      ) : (
        <form onSubmit={onEvent(submit)} aria-label={title} class="panel">
          <h2>Basic information</h2>
          <Field id="auth-name" label="Authorization name" hint="Your name for this store account, e.g. the brand.">
            <input id="auth-name" required maxLength={200} aria-describedby="auth-name-hint" value={form.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          </Field>
          <Field id="auth-note" label="Note (optional)">
            <input id="auth-note" maxLength={2000} value={form.note} onInput={(e) => set({ note: e.currentTarget.value })} />
          </Field>
          {platform === 'amazon' ? (
            <>
              <Field id="auth-site" label="Site" hint="The site of the store. Amazon authorizes a whole region: every store of the account in that region is connected.">
                <select id="auth-site" required aria-describedby="auth-site-hint" value={form.site} onChange={(e) => set({ site: e.currentTarget.value })}>
                  <option value="">Choose the store’s site</option>
                  {regions.map((r) => (
                    <optgroup key={r} label={r}>
                      {AMAZON_SITES.filter((s) => s.regionName === r).map((s) => (
                        <option key={s.key} value={s.key}>
                          {s.country} ({s.domain})
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
              </Field>
              {lookback}
              <ErrorMessage error={error} />
              <button type="submit">Save and continue</button>
            </>
          ) : (
            <>
              {lookback}
              <p class="note" id="walmart-ways">
                {WALMART_WAYS}
              </p>
              <fieldset aria-describedby="walmart-ways">
                <legend>Walmart Connect</legend>
                <Field id="auth-market" label="Marketplace" hint="The country of the Walmart store.">
                  <select id="auth-market" aria-describedby="auth-market-hint" value={form.market} onChange={(e) => set({ market: e.currentTarget.value })}>
                    {WALMART_MARKETS.map((m) => (
                      <option key={m.market} value={m.market}>
                        {m.name}
                      </option>
                    ))}
                  </select>
                </Field>
                {action !== 'connect' ? null : connectNotConfigured(error) ? (
                  <p class="error" role="alert">
                    {error?.message}. The fulfilment company has not set up its Walmart app yet; a seller’s own keys work below meanwhile.
                  </p>
                ) : (
                  <ErrorMessage error={error} />
                )}
                {leaving ? <Status>Going to Walmart…</Status> : null}
                <button type="submit" value="connect">
                  Connect with Walmart
                </button>
              </fieldset>
              <fieldset id="walmart-keys" aria-describedby="walmart-ways">
                <legend>A seller’s own API keys</legend>
                <WalmartKeys error={error} clientId={form.clientId} clientSecret={form.clientSecret} onChange={set} required={false} />
                {action !== 'keys' || isKeyProblem(error) ? null : <ErrorMessage error={error} />}
                <button type="submit" value="keys">
                  Authorize
                </button>
              </fieldset>
            </>
          )}
        </form>
      )}
    </section>
  );
};

/**
 * One authorization: its facts, every store of its region (Amazon's consent covers the region),
 * the stores' last pull and failures, and the actions: Manual Synchronization, pause, resume,
 * re-authorize, revoke.
 */
export const AuthorizationDetail = ({ authorizationId, canWrite, arrived }: { authorizationId: string; canWrite: boolean; arrived: 'consented' | 'created' | null }) => {
  const auth = useLoad(() => api<Authorization>('GET', `/v1/authorizations/${authorizationId}`), [authorizationId]);
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), [authorizationId]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const [consent, setConsent] = useState<Consent | null>(null);
  const [keys, setKeys] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const storeOf = (storeId: string | null) => stores.data?.items.find((s) => s.storeId === storeId);

  const act = async (label: string, run: () => Promise<unknown>) => {
    setMessage(null);
    setError(null);
    try {
      await run();
      setMessage(label);
      auth.reload();
      stores.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const a = auth.data;
  const live = (a?.marketplaces ?? []).filter((m) => m.storeId);
  const syncAll = () =>
    act(`Synchronization of ${live.length} store(s) of ${a?.name ?? ''} requested.`, async () => {
      for (const m of live) await api('POST', `/v1/stores/${m.storeId}/sync`);
    });
  /** A new consent: Amazon's Jump Authorization, or Walmart Connect (the browser goes to Walmart at once). */
  const consentAgain = async (platform: string) => {
    setError(null);
    try {
      const started = await api<Consent>('POST', `/v1/authorizations/${authorizationId}/reauthorize`);
      if (platform === 'walmart') {
        setMessage('Going to Walmart…');
        goToConsent(started);
      } else setConsent(started);
    } catch (err) {
      setError(err as Error);
    }
  };
  const reauthorize = async () => {
    if (!a) return;
    // A key-based Walmart authorization: new keys, or moving it to Connect (it keeps its store).
    if (a.platform === 'walmart' && a.clientIdHint && !a.walmartConnect) return setKeys({ clientId: '', clientSecret: '' });
    await consentAgain(a.platform);
  };
  const sendKeys = async (e: Event) => {
    e.preventDefault();
    if (!keys) return;
    await act('New keys saved.', () => api('POST', `/v1/authorizations/${authorizationId}/reauthorize`, keys));
  };
  const keysSaved = message === 'New keys saved.';

  return (
    <section aria-labelledby="authorization-title">
      <p>
        <a href="#/authorizations">Platform Authorization</a>
      </p>
      <ErrorMessage error={auth.error} />
      {a ? (
        <>
          <h1 id="authorization-title">
            {a.name} ({a.platform}
            {a.region ? ` ${a.region}` : ''})
          </h1>
          {arrived === 'consented' ? (
            <Status>
              {a.platform === 'walmart'
                ? `Walmart Connect completed: ${a.name} is connected; its store is shown below.`
                : 'Authorization completed. The stores of every country of the region are shown below.'}
            </Status>
          ) : null}
          {arrived === 'created' ? <Status>Authorization saved.</Status> : null}
          {message ? <Status>{message}</Status> : null}
          {isKeyProblem(error) && keys ? null : <ErrorMessage error={error} />}
          <dl class="facts">
            <dt>Status</dt>
            <dd>{STATUS_NAMES[a.status] ?? a.status}</dd>
            <dt>Account</dt>
            <dd>{a.clientIdHint ? `Client ID ${a.clientIdHint}` : (a.accountId ?? '—')}</dd>
            {a.platform === 'walmart' ? (
              <>
                <dt>Connected through</dt>
                <dd>{a.walmartConnect ? `Walmart Connect (seller ${a.walmartConnect.sellerId}, market ${a.walmartConnect.market.toUpperCase()})` : a.clientIdHint ? 'API keys' : 'Walmart Connect, waiting for the seller'}</dd>
              </>
            ) : null}
            <dt>Granted</dt>
            <dd>{formatTime(a.grantedAt)}</dd>
            <dt>Renewal</dt>
            <dd>{a.renewal ? renewalText(a.renewal.renewBy, a.renewal.daysLeft) : 'not needed'}</dd>
            <dt>Last failure</dt>
            <dd>{a.lastFailure ? `${formatTime(a.lastFailure.at)}: ${a.lastFailure.reason} — ${a.lastFailure.detail}` : '—'}</dd>
          </dl>
          {canWrite && a.status !== 'revoked' && a.status !== 'merged' ? (
            <div class="toolbar">
              {a.status === 'active' ? (
                <button type="button" onClick={onEvent(syncAll)} disabled={live.length === 0}>
                  Manual Synchronization
                </button>
              ) : null}
              {a.status === 'active' ? (
                <button type="button" class="secondary" onClick={onEvent(() => act('Pulling paused for every store of this authorization.', () => api('POST', `/v1/authorizations/${authorizationId}/pause`)))}>
                  Pause
                </button>
              ) : null}
              {a.status === 'paused' ? (
                <button type="button" class="secondary" onClick={onEvent(() => act('Pulling resumed.', () => api('POST', `/v1/authorizations/${authorizationId}/resume`)))}>
                  Resume
                </button>
              ) : null}
              <button type="button" class="secondary" onClick={onEvent(reauthorize)}>
                Re-authorize
              </button>
              <button type="button" class="secondary" onClick={() => setConfirmRevoke(true)} aria-expanded={confirmRevoke}>
                Revoke
              </button>
            </div>
          ) : null}
          {canWrite ? null : <ReadOnlyNote />}
          {confirmRevoke ? (
            <div class="panel" role="group" aria-label="Confirm revoke">
              <p>Revoking destroys the stored secret and stops pulling for every store of this authorization. Connecting the account again brings it back.</p>
              <button
                type="button"
                onClick={onEvent(() => (setConfirmRevoke(false), act('Authorization revoked.', () => api('DELETE', `/v1/authorizations/${authorizationId}`))))}
              >
                Revoke now
              </button>{' '}
              <button type="button" class="secondary" onClick={() => setConfirmRevoke(false)}>
                Cancel
              </button>
            </div>
          ) : null}
          {consent ? <JumpAuthorization consent={consent} /> : null}
          {keys && !keysSaved ? (
            <div class="panel">
              <p>
                Move this authorization to Walmart Connect (it keeps its store, mappings and orders; the seller approves OMS’s app on Walmart), or save a seller’s own
                new keys.
              </p>
              <button type="button" onClick={onEvent(() => consentAgain('walmart'))}>
                Move to Walmart Connect
              </button>
              <form aria-label="New Walmart keys" onSubmit={onEvent(sendKeys)}>
                <h2>New Walmart keys</h2>
                <WalmartKeys error={error} clientId={keys.clientId} clientSecret={keys.clientSecret} onChange={(k) => setKeys({ ...keys, ...k })} />
                <button type="submit">Save keys</button>
              </form>
            </div>
          ) : null}
          <table>
            <caption>Stores of this authorization{a.region ? ` (every country of the ${a.region} region)` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col">Marketplace</th>
                <th scope="col">Store</th>
                <th scope="col">Last pull</th>
                <th scope="col">Failures</th>
              </tr>
            </thead>
            <tbody>
              {a.marketplaces.length === 0 ? (
                <tr>
                  <td colSpan={5}>No stores yet.</td>
                </tr>
              ) : (
                a.marketplaces.map((m) => (
                  <tr key={m.marketplaceId}>
                    <td>{m.countryCode}</td>
                    <td>{m.name}</td>
                    <td>
                      {m.storeId ? 'connected' : m.isParticipating ? 'not connected' : 'not selling here'}
                      {m.hasSuspendedListings ? ' (suspended listings)' : ''}
                    </td>
                    <td>{m.storeId ? pullText(storeOf(m.storeId)) : '—'}</td>
                    <td>{m.storeId ? failureText(storeOf(m.storeId)) : '—'}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
};
