import { createHash, randomBytes } from 'node:crypto';
import {
  authorizationDecider,
  authorizationStreamId,
  checkConsentState,
  renewByFor,
  type Authorization,
  type AuthorizationCommand,
  type Marketplace,
} from '../domain/authorization/decider.js';
import { AuthorizationEvent, type AmazonRegion } from '../domain/authorization/events.js';
import type { AppendRequest, EventMetadata, NewEvent } from '../domain/ports/eventStore.js';
import { MarketplaceError, type AmazonAuthApi, type Participation, type WalmartAuthApi } from '../domain/ports/marketplaces.js';
import type { Vault } from '../domain/ports/vault.js';
import { decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import { storeDecider, storeStreamId, type Store, type StoreCommand } from '../domain/store/decider.js';
import type { StoreStatus } from '../domain/store/events.js';
import { decodeStore, type AppDeps, type Caller } from './context.js';
import { nameUuid } from './ids.js';

const decode = decodeWith(AuthorizationEvent);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const CONSENT_TTL_MS = 10 * 60_000;
const RENEWAL_WARNING_DAYS = 30;
export const WALMART_MARKETPLACE = { marketplaceId: 'WALMART_US', countryCode: 'US', name: 'Walmart.com' } as const;

export const HINTS = {
  credentials_identical:
    'The Client ID and the Client Secret are the same text, which is a copy mistake: copy each value again (paste them into a text editor to compare first).',
  credentials_rejected:
    'Walmart rejected these keys. Use PRODUCTION keys (sandbox keys do not work here), created for this solution provider; if they still fail, reset the key or generate a new one with all permissions and try again.',
  missing_permission: 'Enable the “Orders” permission for this key in the Walmart Developer Portal (recommended: enable all permissions), then authorize again.',
} as const;

/** Account claims: which authorization of a tenant owns an account (and region), so a second consent renews it. */
const claimStreamId = (tenantId: string, key: string) => `accountclaim-${tenantId}.${sha256(key).slice(0, 32)}`;

type Known = Exclude<Authorization, { status: 'absent' }>;

export type AuthorizationsDeps = AppDeps &
  Readonly<{ vault: Vault; amazon: AmazonAuthApi | null; walmart: WalmartAuthApi; defaultLookbackDays: number }>;

export const authorizationService = (deps: AuthorizationsDeps) => {
  const now = () => deps.clock.now().toISOString();

  const load = async (authorizationId: string) => loadState(authorizationDecider, decode, deps.store, authorizationStreamId(authorizationId));

  const loadOwned = async (tenantId: string, authorizationId: string) => {
    const loaded = await load(authorizationId);
    if (loaded.state.status === 'absent' || loaded.state.tenantId !== tenantId) throw new NotFoundError('Authorization');
    return { state: loaded.state, revision: loaded.revision };
  };

  /** Decide a command on a loaded authorization and turn the result into one append request. */
  const request = (
    loaded: { state: Authorization; revision: number },
    authorizationId: string,
    command: AuthorizationCommand,
    metadata: EventMetadata,
  ): { request: AppendRequest | null; state: Authorization } => {
    const events = authorizationDecider.decide(command, loaded.state);
    const state = events.reduce(authorizationDecider.evolve, loaded.state);
    if (!events.length) return { request: null, state };
    return {
      request: {
        streamId: authorizationStreamId(authorizationId),
        events: toNewEvents(events, metadata, deps.ids),
        expected: loaded.revision < 0 ? 'no_stream' : loaded.revision,
      },
      state,
    };
  };

  const storeRequest = async (storeId: string, command: StoreCommand, metadata: EventMetadata): Promise<AppendRequest | null> => {
    const { state, revision } = await loadState(storeDecider, decodeStore, deps.store, storeStreamId(storeId));
    const events = storeDecider.decide(command, state);
    if (!events.length) return null;
    return { streamId: storeStreamId(storeId), events: toNewEvents(events, metadata, deps.ids), expected: revision < 0 ? 'no_stream' : revision };
  };

  /** Stores follow their authorization: a participating marketplace has an active (or paused…) store. */
  const storeRequestsFor = async (auth: Known, metadata: EventMetadata): Promise<AppendRequest[]> => {
    const status: StoreStatus = auth.status === 'paused' ? 'paused' : auth.status === 'revoked' ? 'revoked' : 'active';
    const out = await Promise.all(
      auth.marketplaces
        .filter((m) => m.storeId !== null)
        .map(async (m) => {
          const storeId = m.storeId!;
          const { state } = await loadState(storeDecider, decodeStore, deps.store, storeStreamId(storeId));
          const wanted: StoreStatus = m.isParticipating ? status : auth.status === 'revoked' ? 'revoked' : 'not_participating';
          const command: StoreCommand =
            state.status === 'absent'
              ? {
                  type: 'ConnectStore',
                  data: {
                    storeId,
                    tenantId: auth.tenantId,
                    authorizationId: auth.authorizationId,
                    platform: auth.platform,
                    marketplaceId: m.marketplaceId,
                    countryCode: m.countryCode,
                    marketplaceName: m.name,
                    name: `${auth.name} · ${m.countryCode}`,
                    status: wanted,
                    connectedAt: now(),
                  },
                }
              : { type: 'ChangeStoreStatus', data: { status: wanted, reason: `authorization ${auth.status}`, now: now() } };
          return storeRequest(storeId, command, metadata);
        }),
    );
    return out.filter((r): r is AppendRequest => r !== null);
  };

  /** Participations → marketplaces, keeping store ids; a marketplace ever participated in keeps its store. */
  const marketplacesFrom = (auth: Known, participations: readonly Participation[]): Marketplace[] =>
    participations.map((p) => {
      const before = auth.marketplaces.find((m) => m.marketplaceId === p.marketplaceId);
      const storeId = before?.storeId ?? (p.isParticipating ? nameUuid(`store/${auth.authorizationId}/${p.marketplaceId}`) : null);
      return { ...p, storeId };
    });

  const fetchParticipations = async (region: AmazonRegion, refreshToken: string): Promise<Participation[]> => {
    const amazon = requireAmazon();
    const { accessToken } = await amazon.accessToken(refreshToken);
    return amazon.participations(region, accessToken);
  };

  const requireAmazon = (): AmazonAuthApi => {
    if (!deps.amazon) throw new DomainError('amazon_not_configured', 'Amazon is not configured (AMAZON_APP_ID, AMAZON_LWA_CLIENT_ID, AMAZON_LWA_CLIENT_SECRET)');
    return deps.amazon;
  };

  const unavailable = (error: unknown): never => {
    if (error instanceof MarketplaceError) {
      throw new DomainError('marketplace_unavailable', `The marketplace did not answer as expected (${error.code}); try again later`);
    }
    throw error;
  };

  const view = (a: Known) => {
    const daysLeft = a.renewBy ? Math.floor((Date.parse(a.renewBy) - deps.clock.now().getTime()) / 86_400_000) : null;
    return {
      authorizationId: a.authorizationId,
      platform: a.platform,
      name: a.name,
      note: a.note,
      region: a.region,
      status: a.status,
      accountId: a.accountId,
      clientIdHint: a.clientIdHint,
      initialLookbackDays: a.initialLookbackDays,
      grantedAt: a.grantedAt,
      renewal: a.renewBy ? { renewBy: a.renewBy, daysLeft: daysLeft!, warning: daysLeft! <= RENEWAL_WARNING_DAYS } : null,
      scopes: a.scopes ? { ...a.scopes } : null,
      marketplaces: a.marketplaces.map((m) => ({ ...m })),
      lastFailure: a.lastFailure ? { ...a.lastFailure } : null,
      mergedInto: a.mergedInto,
    };
  };

  /** One claim per account (and region): returns the owner, or null when the account is free. */
  const claimOf = async (streamId: string): Promise<{ owner: string | null; revision: number }> => {
    const events = await deps.store.readStream(streamId);
    const last = events.at(-1);
    return { owner: last ? String((last.data as { authorizationId: string }).authorizationId) : null, revision: events.length - 1 };
  };
  const claimRequest = (streamId: string, revision: number, authorizationId: string, metadata: EventMetadata): AppendRequest => ({
    streamId,
    events: [{ id: deps.ids.newId(), type: 'AccountClaimed', data: { authorizationId }, metadata: { ...metadata, schemaVersion: 1 } } satisfies NewEvent],
    expected: revision < 0 ? 'no_stream' : revision,
  });

  /** The account's owner if it is still a live authorization of the tenant. */
  const liveOwner = async (claim: { owner: string | null }, except: string): Promise<Known | null> => {
    if (!claim.owner || claim.owner === except) return null;
    const { state } = await load(claim.owner);
    return state.status === 'absent' || state.status === 'revoked' || state.status === 'merged' ? null : state;
  };

  return {
    /** Step 1 of Amazon's website workflow: the consent URL with a one-time state (10 minutes). */
    startAmazon: async (caller: Caller, input: { name: string; note?: string | null; region: AmazonRegion; initialLookbackDays?: number }) => {
      const amazon = requireAmazon();
      const authorizationId = deps.ids.newId();
      const state = `${authorizationId}.${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(deps.clock.now().getTime() + CONSENT_TTL_MS).toISOString();
      const { request: req } = request({ state: authorizationDecider.initialState(), revision: -1 }, authorizationId, {
        type: 'RequestAmazonConsent',
        data: {
          authorizationId,
          tenantId: caller.tenantId,
          name: input.name,
          note: input.note ?? null,
          region: input.region,
          initialLookbackDays: input.initialLookbackDays ?? deps.defaultLookbackDays,
          stateHash: sha256(state),
          stateExpiresAt: expiresAt,
          now: now(),
        },
      }, caller.metadata);
      await deps.store.appendMany([req!]);
      return { authorizationId, consentUrl: amazon.consentUrl(input.region, state), state, expiresAt };
    },

    /** Re-authorization (renewal) of an Amazon authorization: a new consent for the same account. */
    reauthorizeAmazon: async (caller: Caller, authorizationId: string) => {
      const amazon = requireAmazon();
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const state = `${authorizationId}.${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(deps.clock.now().getTime() + CONSENT_TTL_MS).toISOString();
      const { request: req, state: after } = request(loaded, authorizationId, {
        type: 'RequestAmazonConsent',
        data: {
          authorizationId, tenantId: caller.tenantId, name: loaded.state.name, note: loaded.state.note, region: loaded.state.region ?? 'NA',
          initialLookbackDays: loaded.state.initialLookbackDays, stateHash: sha256(state), stateExpiresAt: expiresAt, now: now(),
        },
      }, caller.metadata);
      await deps.store.appendMany([req!]);
      return { authorizationId, consentUrl: amazon.consentUrl((after as Known).region!, state), state, expiresAt };
    },

    /**
     * Step 2: Amazon redirected back. The state is checked before anything else (a forged, expired or
     * replayed one changes nothing); then the code is exchanged, the refresh token goes into the vault,
     * and one store per participating marketplace of the region is created. A consent for an account
     * (and region) the tenant already authorized renews that authorization instead.
     */
    completeAmazon: async (input: { state: string; code: string; sellingPartnerId: string }, metadata: EventMetadata) => {
      const authorizationId = input.state.split('.')[0] ?? '';
      if (!/^[0-9a-f-]{36}$/.test(authorizationId)) checkConsentState({ status: 'absent' }, '', now());
      const loaded = await load(authorizationId);
      const pending = checkConsentState(loaded.state, sha256(input.state), now());
      const meta = { ...metadata, actor: `tenant:${pending.tenantId}` };
      let refreshToken: string;
      try {
        ({ refreshToken } = await requireAmazon().exchangeCode(input.code));
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        const reason = error.code === 'invalid_grant' ? 'lwa_invalid_grant' : `lwa_${error.code}`;
        const detail =
          error.code === 'invalid_grant'
            ? 'Amazon refused the authorization code (expired after 5 minutes, already used, or issued to another app). Start the authorization again.'
            : 'Login with Amazon did not complete the exchange; try again later.';
        const { request: failed } = request(loaded, authorizationId, { type: 'CompleteAmazonConsent', data: { stateHash: sha256(input.state), outcome: { ok: false, reason, detail }, now: now() } }, meta);
        await deps.store.appendMany([failed!]);
        throw new DomainError('authorization_failed', detail, { reason });
      }
      const region = pending.region!;
      const claimStream = claimStreamId(pending.tenantId, `amazon/${region}/${input.sellingPartnerId}`);
      const claim = await claimOf(claimStream);
      const owner = await liveOwner(claim, authorizationId);
      const targetId = owner?.authorizationId ?? authorizationId;
      const secretRef = await deps.vault.storeSecret(targetId, refreshToken);
      const renewBy = renewByFor(now());
      const requests: AppendRequest[] = [];
      let target: Known;
      if (owner) {
        const merged = request(loaded, authorizationId, { type: 'MergeInto', data: { into: owner.authorizationId, now: now() } }, meta);
        const ownerLoaded = await load(owner.authorizationId);
        const renewed = request(ownerLoaded, owner.authorizationId, { type: 'RenewSecrets', data: { secretRef, scopes: null, renewBy, now: now() } }, meta);
        requests.push(merged.request!, renewed.request!);
        target = renewed.state as Known;
      } else {
        const done = request(loaded, authorizationId, {
          type: 'CompleteAmazonConsent',
          data: { stateHash: sha256(input.state), outcome: { ok: true, accountId: input.sellingPartnerId, secretRef, renewBy }, now: now() },
        }, meta);
        requests.push(done.request!);
        target = done.state as Known;
        if (claim.owner !== authorizationId) requests.push(claimRequest(claimStream, claim.revision, authorizationId, meta));
      }
      if (target.lastFailure?.reason === 'account_mismatch') {
        await deps.store.appendMany(requests);
        await deps.vault.deleteSecret(secretRef);
        throw new DomainError('authorization_failed', target.lastFailure.detail, { reason: 'account_mismatch' });
      }
      let warning: string | null = null;
      try {
        const marketplaces = marketplacesFrom(target, await fetchParticipations(region, refreshToken));
        const synced = request({ state: target, revision: -2 }, target.authorizationId, { type: 'SyncMarketplaces', data: { marketplaces, now: now() } }, meta);
        if (synced.request) requests.push(...mergeSameStream(requests, synced.request));
        target = synced.state as Known;
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        warning = 'The marketplace participations could not be read; use “sync marketplaces” to create the stores.';
      }
      requests.push(...(await storeRequestsFor(target, meta)));
      await deps.store.appendMany(compact(requests));
      const previous = owner?.secretRef ?? (pending.secretRef && pending.secretRef !== secretRef ? pending.secretRef : null);
      if (previous) await deps.vault.deleteSecret(previous);
      return { ...view(target), warning };
    },

    /** Walmart: verify the pasted keys, their order permission, then keep them (encrypted) with one store. */
    createWalmart: async (caller: Caller, input: { name: string; note?: string | null; clientId: string; clientSecret: string; initialLookbackDays?: number }) => {
      const clientId = input.clientId.trim();
      const clientSecret = input.clientSecret.trim();
      const scopes = await verifyWalmart(clientId, clientSecret);
      const claimStream = claimStreamId(caller.tenantId, `walmart/${clientId}`);
      const claim = await claimOf(claimStream);
      const owner = await liveOwner(claim, '');
      const secret = JSON.stringify({ clientId, clientSecret });
      if (owner) {
        // The same key authorized again: replace the stored secret of the existing authorization.
        const secretRef = await deps.vault.storeSecret(owner.authorizationId, secret);
        const ownerLoaded = await load(owner.authorizationId);
        const renewed = request(ownerLoaded, owner.authorizationId, { type: 'RenewSecrets', data: { secretRef, scopes, renewBy: null, now: now() } }, caller.metadata);
        await deps.store.appendMany([renewed.request!]);
        if (owner.secretRef) await deps.vault.deleteSecret(owner.secretRef);
        return view(renewed.state as Known);
      }
      const authorizationId = deps.ids.newId();
      const secretRef = await deps.vault.storeSecret(authorizationId, secret);
      const granted = request({ state: authorizationDecider.initialState(), revision: -1 }, authorizationId, {
        type: 'GrantWalmart',
        data: {
          authorizationId, tenantId: caller.tenantId, name: input.name, note: input.note ?? null, accountId: sha256(clientId).slice(0, 16),
          clientIdHint: `…${clientId.slice(-4)}`, secretRef, scopes, initialLookbackDays: input.initialLookbackDays ?? deps.defaultLookbackDays, now: now(),
        },
      }, caller.metadata);
      const withStore = request({ state: granted.state, revision: 0 }, authorizationId, {
        type: 'SyncMarketplaces',
        data: { marketplaces: [{ ...WALMART_MARKETPLACE, isParticipating: true, hasSuspendedListings: false, storeId: nameUuid(`store/${authorizationId}/${WALMART_MARKETPLACE.marketplaceId}`) }], now: now() },
      }, caller.metadata);
      const authRequest: AppendRequest = { ...granted.request!, events: [...granted.request!.events, ...withStore.request!.events] };
      await deps.store.appendMany([authRequest, claimRequest(claimStream, claim.revision, authorizationId, caller.metadata), ...(await storeRequestsFor(withStore.state as Known, caller.metadata))]);
      return view(withStore.state as Known);
    },

    /** New Walmart keys for an existing authorization (the old secret is destroyed). */
    replaceWalmartKeys: async (caller: Caller, authorizationId: string, input: { clientId: string; clientSecret: string }) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      if (loaded.state.platform !== 'walmart') throw new DomainError('authorization_not_active', 'Only Walmart authorizations take keys');
      const clientId = input.clientId.trim();
      const clientSecret = input.clientSecret.trim();
      const scopes = await verifyWalmart(clientId, clientSecret);
      const secretRef = await deps.vault.storeSecret(authorizationId, JSON.stringify({ clientId, clientSecret }));
      const renewed = request(loaded, authorizationId, { type: 'RenewSecrets', data: { secretRef, scopes, renewBy: null, now: now() } }, caller.metadata);
      await deps.store.appendMany([renewed.request!]);
      if (loaded.state.secretRef) await deps.vault.deleteSecret(loaded.state.secretRef);
      return view(renewed.state as Known);
    },

    get: async (tenantId: string, authorizationId: string) => view((await loadOwned(tenantId, authorizationId)).state),

    changeInfo: async (caller: Caller, authorizationId: string, changes: { name?: string; note?: string | null }) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const r = request(loaded, authorizationId, { type: 'ChangeInfo', data: { ...changes, now: now() } }, caller.metadata);
      if (r.request) await deps.store.appendMany([r.request]);
      return view(r.state as Known);
    },

    /** Pause, resume or revoke the whole authorization; its stores follow. Revoking destroys its secrets. */
    setLifecycle: async (caller: Caller, authorizationId: string, action: 'Pause' | 'Resume' | 'Revoke') => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const r = request(loaded, authorizationId, { type: action, data: { now: now() } }, caller.metadata);
      if (r.request) await deps.store.appendMany([r.request, ...(await storeRequestsFor(r.state as Known, caller.metadata))]);
      if (action === 'Revoke') await deps.vault.destroyOwner(authorizationId);
      return view(r.state as Known);
    },

    /** Read the account's marketplace participations again and create stores for new ones. */
    syncMarketplaces: async (caller: Caller, authorizationId: string) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const auth = loaded.state;
      if (auth.platform !== 'amazon' || !auth.secretRef || !auth.region) {
        throw new DomainError('authorization_not_active', 'Only an active Amazon authorization has marketplaces to sync');
      }
      const refreshToken = await deps.vault.readSecret(auth.secretRef);
      const participations = await fetchParticipations(auth.region, refreshToken).catch(unavailable);
      const r = request(loaded, authorizationId, { type: 'SyncMarketplaces', data: { marketplaces: marketplacesFrom(auth, participations), now: now() } }, caller.metadata);
      await deps.store.appendMany(compact([r.request, ...(await storeRequestsFor(r.state as Known, caller.metadata))]));
      return view(r.state as Known);
    },
  };

  async function verifyWalmart(clientId: string, clientSecret: string) {
    if (!clientId || !clientSecret) throw new DomainError('credentials_rejected', 'Both the Client ID and the Client Secret are needed', { hint: HINTS.credentials_rejected });
    if (clientId === clientSecret) throw new DomainError('credentials_identical', 'The Client ID and the Client Secret are identical', { hint: HINTS.credentials_identical });
    let token: string;
    try {
      token = (await deps.walmart.token(clientId, clientSecret)).accessToken;
    } catch (error) {
      if (error instanceof MarketplaceError && (error.code === 'invalid_client' || error.code === 'unauthorized')) {
        throw new DomainError('credentials_rejected', 'Walmart rejected the Client ID / Client Secret', { hint: HINTS.credentials_rejected });
      }
      return unavailable(error);
    }
    const scopes = await deps.walmart.scopes(token).catch(unavailable);
    const orders = scopes.orders ?? 'no_access';
    if (orders !== 'full_access' && orders !== 'view_only') {
      throw new DomainError('missing_permission', 'This key has no access to Orders', { permission: 'orders', hint: HINTS.missing_permission });
    }
    return scopes;
  }
};

/** Requests built step by step may name one stream twice: fold them into one request per stream. */
const compact = (requests: readonly (AppendRequest | null)[]): AppendRequest[] => {
  const byStream = new Map<string, AppendRequest>();
  for (const r of requests) {
    if (!r) continue;
    const before = byStream.get(r.streamId);
    byStream.set(r.streamId, before ? { ...before, events: [...before.events, ...r.events] } : r);
  }
  return [...byStream.values()];
};

/** A follow-up request on a stream already in the list extends it rather than competing with it. */
const mergeSameStream = (requests: AppendRequest[], next: AppendRequest): AppendRequest[] => {
  const i = requests.findIndex((r) => r.streamId === next.streamId);
  if (i < 0) return [next];
  requests[i] = { ...requests[i]!, events: [...requests[i]!.events, ...next.events] };
  return [];
};

export type AuthorizationService = ReturnType<typeof authorizationService>;
export type { Store };
