import { createHash, randomBytes } from 'node:crypto';
import {
  authorizationDecider,
  AUTHORIZATION_STREAM_PREFIX,
  authorizationStreamId,
  checkConsentState,
  consentLinkUsed,
  invalidConsentState,
  renewalDueOf,
  renewalOf,
  renewByFor,
  type Authorization,
  type AuthorizationCommand,
  type Marketplace,
} from '../domain/authorization/decider.js';
import { accountClaimed, AccountClaimed, accountClaimStreamId, claimOwnerIn, legacyAccountClaimStreamId } from '../domain/authorization/accountClaim.js';
import { AuthorizationEvent, type AmazonRegion } from '../domain/authorization/events.js';
import {
  accountKeys,
  alreadyConnected,
  amazonConsentFailure,
  amazonSiteFor,
  authorizationIdOfState,
  checkSyncable,
  checkTakesKeys,
  checkWalmartKeys,
  checkWalmartKeyScopes,
  clientIdHintOf,
  holderOf as accountHolder,
  walmartConsentDenied,
  walmartConsentFailure,
  HINTS,
  type AccountHolder,
  type ConsentFailure,
} from '../domain/authorization/connection.js';
import { linkedMarketplaces, marketplacesFrom as marketplacesOf, storeCommandFor } from '../domain/authorization/stores.js';
import type { AppendRequest, EventMetadata } from '../domain/ports/eventStore.js';
import { MarketplaceError, type AmazonAuthApi, type Participation, type WalmartAuthApi, type WalmartConnectApi, type WalmartMarket } from '../domain/ports/marketplaces.js';
import type { Vault } from '../domain/ports/vault.js';
import { decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import { ConcurrencyError, DomainError, NotFoundError } from '../domain/shared/errors.js';
import { storeDecider, storeStreamId, type Store, type StoreCommand } from '../domain/store/decider.js';
import { decodeStore, type AppDeps, type Caller } from './context.js';
import { nameUuid } from './ids.js';

const decode = decodeWith(AuthorizationEvent);
const decodeClaim = decodeWith(AccountClaimed);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const CONSENT_TTL_MS = 10 * 60_000;
export const WALMART_MARKETPLACE = { marketplaceId: 'WALMART_US', countryCode: 'US', name: 'Walmart.com' } as const;

/** Walmart retired Delegated Access keys for solution providers: the key form is for sellers' own keys only. */
export const WALMART_KEYS_NOTICE =
  'Walmart retired Delegated Access keys for solution providers (no new ones since 2026-07-30; existing ones stop working). Connect Walmart stores with POST /v1/authorizations/walmart/connect (OAuth 2.0); move a key-based authorization with POST /v1/authorizations/{id}/reauthorize. Keys a seller created for their own account keep working here.';

/** One store per Walmart Connect market. */
export const WALMART_MARKETPLACES: Readonly<Record<WalmartMarket, { marketplaceId: string; countryCode: string; name: string }>> = {
  us: { marketplaceId: 'WALMART_US', countryCode: 'US', name: 'Walmart.com' },
  ca: { marketplaceId: 'WALMART_CA', countryCode: 'CA', name: 'Walmart.ca' },
  mx: { marketplaceId: 'WALMART_MX', countryCode: 'MX', name: 'Walmart.com.mx' },
};

/**
 * A Walmart key whose Orders permission is view-only pulls orders, but cannot acknowledge, ship or
 * cancel them: reported on the authorization (it is accepted, since pulling works).
 */
export const ORDERS_VIEW_ONLY_WARNING = {
  code: 'orders_view_only',
  message: 'This key has view-only access to Orders: OMS can pull orders but cannot acknowledge them, confirm shipments or cancel lines at Walmart. Give the key full access to Orders in the Walmart Developer Portal.',
} as const;

type Claim = Readonly<{ streamId: string; owner: string | null; revision: number }>;

/** OMS's route that binds the consent to the browser following the link (authorizations.routes.ts). */
export const CONSENT_LINK_PATH = '/v1/authorizations/consent';

/** Where the account check asks for a fee estimate when the participations could not be read. */
const DEFAULT_MARKETPLACE: Readonly<Record<AmazonRegion, string>> = { NA: 'ATVPDKIKX0DER', EU: 'A1PA6795UKMFR9', FE: 'A1VC38T7YXB528' };

type Known = Exclude<Authorization, { status: 'absent' }>;

export type AuthorizationsDeps = AppDeps &
  Readonly<{
    vault: Vault;
    amazon: AmazonAuthApi | null;
    walmart: WalmartAuthApi;
    defaultLookbackDays: number;
    /** OMS's public origin for consent links; unset: the origin the API request came to. */
    consentLinkBase?: string | null;
    /** Where ignored shadow marketplaces and revoked consents are noted (no secrets, no buyer data). */
    log?: Readonly<{ warn: (fields: Record<string, unknown>, message: string) => void }>;
    /** Walmart Connect with OMS's app; null when WALMART_APP_CLIENT_ID etc. are not set. */
    walmartConnect?: WalmartConnectApi | null;
    /** The origin of WALMART_REDIRECT_URI: Walmart consent links point there, so the binding cookie comes back with the callback. */
    walmartConsentLinkBase?: string | null;
    /**
     * An authorization's credentials were replaced or destroyed (new consent, renewed secrets,
     * revocation): access tokens minted from the old ones must not be used again.
     */
    credentialsChanged?: (authorizationId: string) => void;
  }>;

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

  /** Stores follow their authorization (the domain says which command each store gets). */
  const storeRequestsFor = async (auth: Known, metadata: EventMetadata): Promise<AppendRequest[]> => {
    const out = await Promise.all(
      linkedMarketplaces(auth).map(async (m) => {
        const { state } = await loadState(storeDecider, decodeStore, deps.store, storeStreamId(m.storeId));
        return storeRequest(m.storeId, storeCommandFor(auth, m, state, now()), metadata);
      }),
    );
    return out.filter((r): r is AppendRequest => r !== null);
  };

  /** Participations → marketplaces (domain); the shadow / "Non-Amazon" marketplaces it drops are logged. */
  const marketplacesFrom = (auth: Known, participations: readonly Participation[]): Marketplace[] => {
    const { marketplaces, ignored } = marketplacesOf(auth, participations, (marketplaceId) => nameUuid(`store/${auth.authorizationId}/${marketplaceId}`));
    if (ignored.length) {
      deps.log?.warn(
        { authorizationId: auth.authorizationId, ignored: ignored.map((p) => ({ marketplaceId: p.marketplaceId, name: p.name, countryCode: p.countryCode })) },
        'participations name marketplaces that are not Amazon marketplaces; no store is created for them',
      );
    }
    return marketplaces;
  };

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
    const at = now();
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
      renewal: renewalOf(a.renewBy, at),
      scopes: a.scopes ? { ...a.scopes } : null,
      // Issue #15: acknowledging, shipping and cancelling Walmart orders needs Orders at full access.
      permissionWarnings: a.platform === 'walmart' && a.scopes?.orders === 'view_only' ? [ORDERS_VIEW_ONLY_WARNING] : [],
      marketplaces: a.marketplaces.map((m) => ({ ...m })),
      lastFailure: a.lastFailure ? { ...a.lastFailure } : null,
      mergedInto: a.mergedInto,
      countryCode: a.countryCode,
      renewalDue: renewalDueOf(a.status, a.renewBy, at),
      excludedMarketplaceIds: [...a.excludedMarketplaceIds],
      walmartConnect: a.connect?.sellerId ? { sellerId: a.connect.sellerId, market: a.connect.market } : null,
    };
  };

  /**
   * One claim per marketplace account across all tenants (Amazon: region + selling partner; Walmart:
   * the key): which authorization holds it. Written with an expected version, so two connections of
   * one account at once cannot both win. Claims of older versions were per tenant; they are still read.
   */
  const claimOf = async (tenantId: string, key: string): Promise<Claim> => {
    const streamId = accountClaimStreamId(sha256(key));
    const events = await deps.store.readStream(streamId);
    const owner = claimOwnerIn(events.map(decodeClaim)) ?? claimOwnerIn((await deps.store.readStream(legacyAccountClaimStreamId(tenantId, sha256(key)))).map(decodeClaim));
    return { streamId, owner, revision: events.length - 1 };
  };
  /** Written with every grant, renewal and reinstatement, even by the holder: it is what serializes two connections of one account. */
  const claimRequest = (claim: Claim, authorizationId: string, metadata: EventMetadata): AppendRequest => ({
    streamId: claim.streamId,
    events: toNewEvents([accountClaimed(authorizationId)], metadata, deps.ids),
    expected: claim.revision < 0 ? 'no_stream' : claim.revision,
  });

  /**
   * A connection that lost the race for an account's claim: answered as the account being connected
   * (by the winner), not as a bare conflict.
   */
  const raceLost = async (error: unknown, claimKey: string, tenantId: string, self: string): Promise<DomainError> => {
    if (!(error instanceof ConcurrencyError)) throw error;
    const holder = await holderOf(await claimOf(tenantId, claimKey), tenantId, self);
    if (!holder.live) throw error;
    return alreadyConnected(holder.live, tenantId);
  };

  /** Who holds the account now (the domain decides what the holder's state means). */
  const holderOf = async (claim: Claim, tenantId: string, self: string): Promise<AccountHolder> =>
    accountHolder(claim.owner && claim.owner !== self ? (await load(claim.owner)).state : null, tenantId);

  /** Appends, and on refusal removes the secret stored for it, so no vault secret is orphaned. */
  const appendOrForget = async (requests: readonly AppendRequest[], secretRef: string) => {
    try {
      await deps.store.appendMany(requests);
    } catch (error) {
      await deps.vault.deleteSecret(secretRef);
      throw error;
    }
    // Every authorization these requests touched may hold a new secret now.
    for (const r of requests) if (r.streamId.startsWith(AUTHORIZATION_STREAM_PREFIX)) deps.credentialsChanged?.(r.streamId.slice(AUTHORIZATION_STREAM_PREFIX.length));
  };

  /** A new consent's state and its link: OMS's own route first (it binds the browser), then the marketplace. */
  const consentLink = (authorizationId: string, linkBase: string, publicBase = deps.consentLinkBase) => {
    const state = `${authorizationId}.${randomBytes(32).toString('base64url')}`;
    const url = new URL(CONSENT_LINK_PATH, publicBase ?? linkBase);
    url.searchParams.set('state', state);
    return { state, consentUrl: url.toString(), expiresAt: new Date(deps.clock.now().getTime() + CONSENT_TTL_MS).toISOString() };
  };

  /**
   * The callback's first step, for every platform: check the state and its browser binding, then
   * redeem the state with one append at the version read, before any marketplace call. `fail`
   * records the refusal (the state is spent) and throws it.
   */
  const redeemConsent = async (
    input: { state: string; bindingHash: string | null },
    metadata: EventMetadata,
    complete: 'CompleteAmazonConsent' | 'CompleteWalmartConsent',
  ) => {
    const authorizationId = authorizationIdOfState(input.state);
    const stateHash = sha256(input.state);
    const loaded = await load(authorizationId);
    const pending = checkConsentState(loaded.state, stateHash, now());
    const meta = { ...metadata, actor: `tenant:${pending.tenantId}` };
    const redeemed = request(loaded, authorizationId, { type: 'RedeemConsentState', data: { stateHash, bindingHash: input.bindingHash, now: now() } }, meta);
    try {
      await deps.store.appendMany([redeemed.request!]);
    } catch (error) {
      // A duplicate callback redeemed it first: that one goes on, this one changed nothing.
      if (error instanceof ConcurrencyError) throw invalidConsentState();
      throw error;
    }
    const current = { state: redeemed.state, revision: loaded.revision + 1 };
    const fail = async (reason: string, detail: string, refusal: DomainError = new DomainError('authorization_failed', detail, { reason })): Promise<never> => {
      const failed = request(current, authorizationId, { type: complete, data: { stateHash, outcome: { ok: false, reason, detail }, now: now() } }, meta);
      await deps.store.appendMany([failed.request!]);
      throw refusal;
    };
    /** A refusal the domain decided, recorded the same way. */
    const failWith = async (failure: ConsentFailure): Promise<never> => fail(failure.reason, failure.detail, failure.refusal);
    return { authorizationId, stateHash, pending, meta, current, fail, failWith };
  };

  const requireWalmartConnect = (): WalmartConnectApi => {
    if (!deps.walmartConnect) {
      throw new DomainError('walmart_connect_not_configured', 'Walmart Connect is not configured (WALMART_APP_CLIENT_ID, WALMART_APP_CLIENT_SECRET, WALMART_REDIRECT_URI)');
    }
    return deps.walmartConnect;
  };

  /** Starts a Walmart Connect consent on a new or an existing authorization: OMS's consent link with a one-time state. */
  const requestWalmartConsent = async (
    caller: Caller,
    loaded: { state: Authorization; revision: number },
    authorizationId: string,
    input: { name: string; note: string | null; market: WalmartMarket; initialLookbackDays: number },
    linkBase: string,
  ) => {
    requireWalmartConnect();
    const link = consentLink(authorizationId, linkBase, deps.walmartConsentLinkBase);
    const { request: req } = request(loaded, authorizationId, {
      type: 'RequestWalmartConsent',
      data: { authorizationId, tenantId: caller.tenantId, ...input, stateHash: sha256(link.state), stateExpiresAt: link.expiresAt, now: now() },
    }, caller.metadata);
    await deps.store.appendMany([req!]);
    return { authorizationId, ...link };
  };

  const service = {
    /** Step 1 of Amazon's website workflow: a consent link with a one-time state (10 minutes). */
    startAmazon: async (
      caller: Caller,
      input: { name: string; note?: string | null; region?: AmazonRegion; countryCode?: string; excludeMarketplaceIds?: readonly string[]; initialLookbackDays?: number },
      linkBase: string,
    ) => {
      requireAmazon();
      const { region, countryCode } = amazonSiteFor(input);
      const authorizationId = deps.ids.newId();
      const link = consentLink(authorizationId, linkBase);
      const { request: req } = request({ state: authorizationDecider.initialState(), revision: -1 }, authorizationId, {
        type: 'RequestAmazonConsent',
        data: {
          authorizationId,
          tenantId: caller.tenantId,
          name: input.name,
          note: input.note ?? null,
          region,
          countryCode,
          excludedMarketplaceIds: [...new Set(input.excludeMarketplaceIds ?? [])],
          initialLookbackDays: input.initialLookbackDays ?? deps.defaultLookbackDays,
          stateHash: sha256(link.state),
          stateExpiresAt: link.expiresAt,
          now: now(),
        },
      }, caller.metadata);
      await deps.store.appendMany([req!]);
      return { authorizationId, ...link };
    },

    /** Re-authorization (renewal) of an Amazon authorization: a new consent for the same account. */
    reauthorizeAmazon: async (caller: Caller, authorizationId: string, linkBase: string) => {
      requireAmazon();
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const link = consentLink(authorizationId, linkBase);
      const { request: req } = request(loaded, authorizationId, {
        type: 'RequestAmazonConsent',
        data: {
          authorizationId, tenantId: caller.tenantId, name: loaded.state.name, note: loaded.state.note, region: loaded.state.region ?? 'NA',
          initialLookbackDays: loaded.state.initialLookbackDays, stateHash: sha256(link.state), stateExpiresAt: link.expiresAt, now: now(),
        },
      }, caller.metadata);
      await deps.store.appendMany([req!]);
      return { authorizationId, ...link };
    },

    /** Walmart Connect (OAuth 2.0): a consent link to Walmart's authorize page for the market, with a one-time state (10 minutes). */
    startWalmartConnect: async (caller: Caller, input: { name: string; note?: string | null; market?: WalmartMarket; initialLookbackDays?: number }, linkBase: string) =>
      requestWalmartConsent(caller, { state: authorizationDecider.initialState(), revision: -1 }, deps.ids.newId(), {
        name: input.name, note: input.note ?? null, market: input.market ?? 'us', initialLookbackDays: input.initialLookbackDays ?? deps.defaultLookbackDays,
      }, linkBase),

    /**
     * Re-authorization through a consent: Amazon's (renewal), or Walmart Connect's — a renewal, or a
     * key-based Walmart authorization moving to OAuth (it keeps its stores, order identities and watermarks).
     */
    reauthorizeByConsent: async (caller: Caller, authorizationId: string, linkBase: string) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      if (loaded.state.platform !== 'walmart') return service.reauthorizeAmazon(caller, authorizationId, linkBase);
      const { name, note, initialLookbackDays } = loaded.state;
      return requestWalmartConsent(caller, loaded, authorizationId, { name, note, market: loaded.state.connect?.market ?? 'us', initialLookbackDays }, linkBase);
    },

    /**
     * Walmart sent the seller back. As for Amazon: state, binding and redemption first; then the code
     * is exchanged with WM_PARTNER.ID = the callback's sellerId (Walmart binds the code to the seller,
     * so an edited sellerId is refused there), the granted scopes are read (orders at full access, or
     * refused), and the seller's account claim is checked before anything is stored.
     */
    completeWalmart: async (
      input: { state: string; bindingHash: string | null; code: string | null; sellerId: string | null; clientId: string | null; error: string | null },
      metadata: EventMetadata,
    ) => {
      const { authorizationId, stateHash, pending, meta, current, fail, failWith } = await redeemConsent(input, metadata, 'CompleteWalmartConsent');
      if (input.error !== null) return failWith(walmartConsentDenied());
      const connect = requireWalmartConnect();
      if (!input.code || !input.sellerId) return fail('walmart_invalid_callback', 'Walmart’s answer had no authorization code or seller; start the authorization again.');
      const market = pending.connect?.market ?? 'us';
      const seller = { sellerId: input.sellerId, market };
      let tokens: { accessToken: string; refreshToken: string };
      try {
        tokens = await connect.exchangeCode(input.code, seller);
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        return fail(
          error.code === 'invalid_grant' ? 'walmart_invalid_grant' : `walmart_${error.code}`,
          error.code === 'invalid_grant'
            ? 'Walmart refused the authorization code (expired, already used, or issued for another seller or app). Start the authorization again.'
            : 'Walmart did not complete the exchange; try again later.',
        );
      }
      let scopes: Record<string, string>;
      try {
        scopes = await deps.walmart.scopes(tokens.accessToken);
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        return fail('walmart_scopes_unreadable', 'Walmart did not say which permissions were granted; try again later.');
      }
      const refused = walmartConsentFailure(pending, input.sellerId, scopes);
      if (refused) return failWith(refused);
      const claimKey = accountKeys.walmartSeller(input.sellerId);
      const claim = await claimOf(pending.tenantId, claimKey);
      const holder = await holderOf(claim, pending.tenantId, authorizationId);
      if (holder.live) return fail('account_already_connected', 'The account is connected already', alreadyConnected(holder.live, pending.tenantId));

      const renewBy = renewByFor(now());
      const secret = JSON.stringify({ refreshToken: tokens.refreshToken, sellerId: input.sellerId, market });
      const requests: AppendRequest[] = [];
      let target: Known;
      let secretRef: string;
      if (holder.revoked) {
        // The same seller again after a revoke: that authorization continues (stores, order identities).
        const revokedId = holder.revoked.authorizationId;
        secretRef = await deps.vault.storeSecret(deps.ids.newId(), secret);
        const merged = request(current, authorizationId, { type: 'MergeInto', data: { into: revokedId, now: now() } }, meta);
        const back = request(await load(revokedId), revokedId, { type: 'Reinstate', data: { secretRef, scopes, renewBy, clientIdHint: null, via: authorizationId, now: now() } }, meta);
        requests.push(merged.request!, back.request!);
        target = back.state as Known;
      } else {
        secretRef = await deps.vault.storeSecret(authorizationId, secret);
        const done = request(current, authorizationId, { type: 'CompleteWalmartConsent', data: { stateHash, outcome: { ok: true, sellerId: input.sellerId, secretRef, scopes, renewBy }, now: now() } }, meta);
        requests.push(done.request!);
        target = done.state as Known;
        if (target.marketplaces.length === 0) {
          const marketplace = WALMART_MARKETPLACES[market];
          const storeId = nameUuid(`store/${authorizationId}/${marketplace.marketplaceId}`);
          const synced = request({ state: target, revision: -2 }, authorizationId, {
            type: 'SyncMarketplaces', data: { marketplaces: [{ ...marketplace, isParticipating: true, hasSuspendedListings: false, storeId }], now: now() },
          }, meta);
          requests.push(...mergeSameStream(requests, synced.request!));
          target = synced.state as Known;
        }
      }
      requests.push(claimRequest(claim, target.authorizationId, meta));
      requests.push(...(await storeRequestsFor(target, meta)));
      try {
        await appendOrForget(compact(requests), secretRef);
      } catch (error) {
        const refusal = await raceLost(error, claimKey, pending.tenantId, target.authorizationId);
        return fail('account_already_connected', 'The account is connected already', refusal);
      }
      // Moving from keys (or renewing): the previous secret is destroyed once the new one is in place.
      if (pending.secretRef && !holder.revoked) await deps.vault.deleteSecret(pending.secretRef);
      return { ...view(target), warning: null };
    },

    /**
     * The seller's browser followed the consent link: once per state, it is bound to that browser by
     * the hash of a one-time cookie (set by the route), and sent on to the marketplace's consent page.
     * Platform-neutral: Walmart's Connect uses the same step.
     */
    followConsentLink: async (input: { state: string; bindingHash: string }, metadata: EventMetadata) => {
      const authorizationId = authorizationIdOfState(input.state);
      const loaded = await load(authorizationId);
      const followed = request(loaded, authorizationId, { type: 'FollowConsentLink', data: { stateHash: sha256(input.state), bindingHash: input.bindingHash, now: now() } }, metadata);
      try {
        await deps.store.appendMany([followed.request!]);
      } catch (error) {
        if (error instanceof ConcurrencyError) throw consentLinkUsed();
        throw error;
      }
      const auth = followed.state as Known;
      if (auth.platform === 'walmart') {
        // Walmart's nonce is one-time too: a fresh one per link, which itself works once.
        const url = requireWalmartConnect().consentUrl(auth.connect?.market ?? 'us', input.state, randomBytes(16).toString('hex'));
        return { authorizationId, marketplaceUrl: url, secureLink: deps.walmartConsentLinkBase?.startsWith('https:') ?? false };
      }
      // Behind a TLS-terminating proxy the request looks like plain HTTP; an https public origin still makes the cookie Secure.
      const secureLink = deps.consentLinkBase?.startsWith('https:') ?? false;
      return { authorizationId, marketplaceUrl: requireAmazon().consentUrl(auth.region!, input.state, auth.countryCode), secureLink };
    },

    /**
     * Step 2: Amazon redirected back. The state and its browser binding are checked and the state is
     * redeemed before anything else (a forged, expired, replayed, unbound or duplicate callback changes
     * nothing). Then the code is exchanged and the account behind the new refresh token is asked of
     * Amazon itself (the query's selling_partner_id is only a claim to compare). A renewal by another
     * account, or an account connected elsewhere, is refused before anything is merged or stored; a
     * revoked authorization of the same account and tenant is reinstated with its stores.
     */
    completeAmazon: async (input: { state: string; code: string; sellingPartnerId: string; bindingHash: string | null }, metadata: EventMetadata) => {
      const { authorizationId, stateHash, pending, meta, current, fail, failWith } = await redeemConsent(input, metadata, 'CompleteAmazonConsent');

      const amazon = requireAmazon();
      const region = pending.region!;
      let refreshToken: string;
      try {
        ({ refreshToken } = await amazon.exchangeCode(input.code));
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        return fail(
          error.code === 'invalid_grant' ? 'lwa_invalid_grant' : `lwa_${error.code}`,
          error.code === 'invalid_grant'
            ? 'Amazon refused the authorization code (expired after 5 minutes, already used, or issued to another app). Start the authorization again.'
            : 'Login with Amazon did not complete the exchange; try again later.',
        );
      }
      let participations: Participation[] | null = null;
      let accountId: string;
      try {
        const { accessToken } = await amazon.accessToken(refreshToken);
        participations = await amazon.participations(region, accessToken).catch((error: unknown) => {
          if (error instanceof MarketplaceError) return null;
          throw error;
        });
        const marketplaceId = participations?.find((p) => p.isParticipating)?.marketplaceId ?? DEFAULT_MARKETPLACE[region];
        accountId = await amazon.sellerIdOf(region, accessToken, marketplaceId);
      } catch (error) {
        if (!(error instanceof MarketplaceError)) throw error;
        return fail('account_unverified', 'Amazon did not confirm which account consented; try again later.');
      }
      const refused = amazonConsentFailure(pending, input.sellingPartnerId, accountId);
      if (refused) return failWith(refused);
      const claimKey = accountKeys.amazon(region, accountId);
      const claim = await claimOf(pending.tenantId, claimKey);
      const holder = await holderOf(claim, pending.tenantId, authorizationId);
      if (holder.live) return fail('account_already_connected', 'The account is connected already', alreadyConnected(holder.live, pending.tenantId));

      const renewBy = renewByFor(now());
      const requests: AppendRequest[] = [];
      let target: Known;
      let secretRef: string;
      if (holder.revoked) {
        // The same account again after a revoke: that authorization continues (stores, order identities).
        const revokedId = holder.revoked.authorizationId;
        secretRef = await deps.vault.storeSecret(authorizationId, refreshToken);
        const merged = request(current, authorizationId, { type: 'MergeInto', data: { into: revokedId, now: now() } }, meta);
        const back = request(await load(revokedId), revokedId, { type: 'Reinstate', data: { secretRef, scopes: null, renewBy, clientIdHint: null, via: authorizationId, now: now() } }, meta);
        requests.push(merged.request!, back.request!);
        target = back.state as Known;
      } else {
        secretRef = await deps.vault.storeSecret(authorizationId, refreshToken);
        const done = request(current, authorizationId, {
          type: 'CompleteAmazonConsent',
          data: { stateHash, outcome: { ok: true, accountId, secretRef, renewBy }, now: now() },
        }, meta);
        requests.push(done.request!);
        target = done.state as Known;
      }
      requests.push(claimRequest(claim, target.authorizationId, meta));
      let warning: string | null = null;
      if (participations) {
        const synced = request({ state: target, revision: -2 }, target.authorizationId, { type: 'SyncMarketplaces', data: { marketplaces: marketplacesFrom(target, participations), now: now() } }, meta);
        if (synced.request) requests.push(...mergeSameStream(requests, synced.request));
        target = synced.state as Known;
      } else {
        warning = 'The marketplace participations could not be read; use “sync marketplaces” to create the stores.';
      }
      requests.push(...(await storeRequestsFor(target, meta)));
      try {
        await appendOrForget(compact(requests), secretRef);
      } catch (error) {
        const refusal = await raceLost(error, claimKey, pending.tenantId, target.authorizationId);
        return fail('account_already_connected', 'The account is connected already', refusal);
      }
      const previous = pending.secretRef && pending.secretRef !== secretRef && !holder.revoked ? pending.secretRef : null;
      if (previous) await deps.vault.deleteSecret(previous);
      return { ...view(target), warning };
    },

    /**
     * Walmart: verify the pasted keys and their order permission, then keep them (encrypted) with one
     * store. A key connected already is refused (account_already_connected); a key of a revoked
     * authorization of this tenant reinstates it with its store.
     */
    createWalmart: async (caller: Caller, input: { name: string; note?: string | null; clientId: string; clientSecret: string; initialLookbackDays?: number }) => {
      const clientId = input.clientId.trim();
      const clientSecret = input.clientSecret.trim();
      const scopes = await verifyWalmart(clientId, clientSecret);
      const claim = await claimOf(caller.tenantId, accountKeys.walmartKey(clientId));
      const holder = await holderOf(claim, caller.tenantId, '');
      if (holder.live) throw alreadyConnected(holder.live, caller.tenantId);
      const secret = JSON.stringify({ clientId, clientSecret });
      if (holder.revoked) {
        // The revoked authorization's data key is destroyed: the new secret gets an owner of its own.
        const revokedId = holder.revoked.authorizationId;
        const secretRef = await deps.vault.storeSecret(deps.ids.newId(), secret);
        const back = request(await load(revokedId), revokedId, { type: 'Reinstate', data: { secretRef, scopes, renewBy: null, clientIdHint: clientIdHintOf(clientId), via: null, now: now() } }, caller.metadata);
        const target = back.state as Known;
        await appendOrForget(compact([back.request, claimRequest(claim, revokedId, caller.metadata), ...(await storeRequestsFor(target, caller.metadata))]), secretRef).catch(
          async (error: unknown) => {
            throw await raceLost(error, accountKeys.walmartKey(clientId), caller.tenantId, revokedId);
          },
        );
        return view(target);
      }
      const authorizationId = deps.ids.newId();
      const secretRef = await deps.vault.storeSecret(authorizationId, secret);
      const granted = request({ state: authorizationDecider.initialState(), revision: -1 }, authorizationId, {
        type: 'GrantWalmart',
        data: {
          authorizationId, tenantId: caller.tenantId, name: input.name, note: input.note ?? null, accountId: walmartAccountOf(clientId),
          clientIdHint: clientIdHintOf(clientId), secretRef, scopes, initialLookbackDays: input.initialLookbackDays ?? deps.defaultLookbackDays, now: now(),
        },
      }, caller.metadata);
      const withStore = request({ state: granted.state, revision: 0 }, authorizationId, {
        type: 'SyncMarketplaces',
        data: { marketplaces: [{ ...WALMART_MARKETPLACE, isParticipating: true, hasSuspendedListings: false, storeId: nameUuid(`store/${authorizationId}/${WALMART_MARKETPLACE.marketplaceId}`) }], now: now() },
      }, caller.metadata);
      const authRequest: AppendRequest = { ...granted.request!, events: [...granted.request!.events, ...withStore.request!.events] };
      await appendOrForget(compact([authRequest, claimRequest(claim, authorizationId, caller.metadata), ...(await storeRequestsFor(withStore.state as Known, caller.metadata))]), secretRef).catch(
        async (error: unknown) => {
          throw await raceLost(error, accountKeys.walmartKey(clientId), caller.tenantId, authorizationId);
        },
      );
      return view(withStore.state as Known);
    },

    /**
     * New Walmart keys for an existing authorization (the old secret is destroyed); the authorization
     * then shows the new key's account and hint. A revoked authorization is refused before anything
     * is stored, and so is a key that another authorization holds.
     */
    replaceWalmartKeys: async (caller: Caller, authorizationId: string, input: { clientId: string; clientSecret: string }) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      // Decided before anything else: a revoked authorization answers 409 and nothing is stored.
      checkTakesKeys(loaded.state);
      const clientId = input.clientId.trim();
      const clientSecret = input.clientSecret.trim();
      const account = { accountId: walmartAccountOf(clientId), clientIdHint: clientIdHintOf(clientId) };
      const scopes = await verifyWalmart(clientId, clientSecret);
      const claim = await claimOf(caller.tenantId, accountKeys.walmartKey(clientId));
      const holder = await holderOf(claim, caller.tenantId, authorizationId);
      if (holder.live) throw alreadyConnected(holder.live, caller.tenantId);
      const secretRef = await deps.vault.storeSecret(authorizationId, JSON.stringify({ clientId, clientSecret }));
      const renewed = request(loaded, authorizationId, { type: 'RenewSecrets', data: { secretRef, scopes, renewBy: null, account, now: now() } }, caller.metadata);
      await appendOrForget(compact([renewed.request, claimRequest(claim, authorizationId, caller.metadata)]), secretRef);
      if (loaded.state.secretRef) await deps.vault.deleteSecret(loaded.state.secretRef);
      return view(renewed.state as Known);
    },

    get: async (tenantId: string, authorizationId: string) => view((await loadOwned(tenantId, authorizationId)).state),

    /** The tenant's authorizations (read model), each with `renewalDue`; `due: 'renewal'` keeps only those due within 30 days. */
    list: async (tenantId: string, filter: { due?: 'renewal' } = {}) => {
      const items = (await deps.queries(tenantId).authorizations.list()).map((a) => ({
        ...a,
        renewalDue: renewalDueOf(a.status, a.renewBy, now()),
      }));
      return filter.due === 'renewal' ? items.filter((a) => a.renewalDue) : items;
    },

    /**
     * The operator leaves a participating marketplace without a store (`enabled: false`; an existing
     * store stops pulling, its orders stay) or adds it (again). Only Amazon authorizations have more
     * than one marketplace.
     */
    selectMarketplace: async (caller: Caller, authorizationId: string, marketplaceId: string, enabled: boolean) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const selected = request(loaded, authorizationId, { type: 'SelectMarketplace', data: { marketplaceId, enabled, now: now() } }, caller.metadata);
      if (!selected.request) return view(selected.state as Known);
      let target = selected.state as Known;
      const withStores = request({ state: target, revision: -2 }, authorizationId, {
        type: 'SyncMarketplaces',
        data: { marketplaces: marketplacesFrom(target, target.marketplaces), now: now() },
      }, caller.metadata);
      target = withStores.state as Known;
      const requests: AppendRequest[] = [selected.request];
      if (withStores.request) requests.push(...mergeSameStream(requests, withStores.request));
      await deps.store.appendMany(compact([...requests, ...(await storeRequestsFor(target, caller.metadata))]));
      return view(target);
    },

    /**
     * The marketplace refused the refresh token for good (invalid_grant: consent revoked): the
     * authorization needs the seller again and its stores stop pulling. Called by the token source;
     * transient failures never come here.
     */
    requireReauthorization: async (authorizationId: string, reason: string, detail: string) => {
      const loaded = await load(authorizationId);
      if (loaded.state.status === 'absent') return;
      const metadata = { actor: 'system:tokens' };
      const r = request(loaded, authorizationId, { type: 'RequireReauthorization', data: { reason, detail, now: now() } }, metadata);
      if (!r.request) return;
      try {
        await deps.store.appendMany([r.request, ...(await storeRequestsFor(r.state as Known, metadata))]);
      } catch (error) {
        // Two pulls noticing it at once: one mark is enough.
        if (!(error instanceof ConcurrencyError)) throw error;
        return;
      }
      deps.log?.warn({ authorizationId, reason }, 'the marketplace refused the authorization’s refresh token; it needs re-authorization');
    },

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
      if (action === 'Revoke') {
        // A reinstated authorization's secret has an owner of its own; delete it along with the data key.
        if (loaded.state.secretRef) await deps.vault.deleteSecret(loaded.state.secretRef);
        await deps.vault.destroyOwner(authorizationId);
        deps.credentialsChanged?.(authorizationId);
      }
      return view(r.state as Known);
    },

    /** Read the account's marketplace participations again and create stores for new ones. */
    syncMarketplaces: async (caller: Caller, authorizationId: string) => {
      const loaded = await loadOwned(caller.tenantId, authorizationId);
      const auth = loaded.state;
      checkSyncable(auth);
      const refreshToken = await deps.vault.readSecret(auth.secretRef);
      const participations = await fetchParticipations(auth.region, refreshToken).catch(unavailable);
      const r = request(loaded, authorizationId, { type: 'SyncMarketplaces', data: { marketplaces: marketplacesFrom(auth, participations), now: now() } }, caller.metadata);
      await deps.store.appendMany(compact([r.request, ...(await storeRequestsFor(r.state as Known, caller.metadata))]));
      return view(r.state as Known);
    },
  };
  return service;

  async function verifyWalmart(clientId: string, clientSecret: string) {
    checkWalmartKeys(clientId, clientSecret);
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
    checkWalmartKeyScopes(scopes);
    return scopes;
  }
};

/** Walmart names no seller behind a key (token detail has only scopes): a key is the account we can tell. */
const walmartAccountOf = (clientId: string) => sha256(clientId).slice(0, 16);

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
