import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError, NotFoundError } from '../shared/errors.js';
import { authorizationEvent as ev, type AmazonRegion, type AuthorizationEvent, type AuthorizationEventOf } from './events.js';

export type WalmartMarket = 'us' | 'ca' | 'mx';

export type Marketplace = AuthorizationEventOf<'MarketplacesSynced'>['data']['marketplaces'][number];
export type AuthorizationStatus = 'pending' | 'active' | 'paused' | 'failed' | 'revoked' | 'merged' | 'reauthorization_required';

export type Authorization =
  | Readonly<{ status: 'absent' }>
  | Readonly<{
      status: AuthorizationStatus;
      authorizationId: string;
      tenantId: string;
      platform: 'amazon' | 'walmart';
      name: string;
      note: string | null;
      region: AmazonRegion | null;
      initialLookbackDays: number;
      /** A consent in flight (first authorization or re-authorization); `bindingHash` once its link was followed. */
      pending: Readonly<{ stateHash: string; expiresAt: string; bindingHash: string | null }> | null;
      /** The state a callback redeemed and is completing (the marketplace is being asked). */
      redeemed: string | null;
      accountId: string | null;
      clientIdHint: string | null;
      secretRef: string | null;
      scopes: Readonly<Record<string, string>> | null;
      grantedAt: string | null;
      renewBy: string | null;
      marketplaces: readonly Marketplace[];
      lastFailure: Readonly<{ reason: string; detail: string; at: string }> | null;
      mergedInto: string | null;
      /** Amazon: the store's country the seller picked (its Seller Central host); null when started by region. */
      countryCode: string | null;
      /** Participating marketplaces the operator left without a store. */
      excludedMarketplaceIds: readonly string[];
      /** Walmart Connect: the market of its consent, and the seller once granted (null: Amazon, or Walmart keys). */
      connect?: Readonly<{ market: WalmartMarket; sellerId: string | null }> | null;
    }>;

type Known = Exclude<Authorization, { status: 'absent' }>;

/** Amazon asks public apps to renew every 365 days. */
export const RENEWAL_DAYS = 365;
export const renewByFor = (grantedAt: string) => new Date(Date.parse(grantedAt) + RENEWAL_DAYS * 86_400_000).toISOString();
/** Authorizations this close to their renewal date are listed as due. */
export const RENEWAL_DUE_DAYS = 30;
export const isRenewalDue = (renewBy: string | null, now: string) => renewBy !== null && Date.parse(renewBy) - Date.parse(now) <= RENEWAL_DUE_DAYS * 86_400_000;
/** Only a working (active or paused) authorization is listed as due for renewal. */
export const renewalDueOf = (status: string, renewBy: string | null, now: string) => (status === 'active' || status === 'paused') && isRenewalDue(renewBy, now);
/** The operator is warned this many whole days before the renewal date. */
export const RENEWAL_WARNING_DAYS = 30;
/** The renewal as the operator sees it: whole days left, and a warning once they are few. */
export const renewalOf = (renewBy: string | null, now: string): Readonly<{ renewBy: string; daysLeft: number; warning: boolean }> | null => {
  if (renewBy === null) return null;
  const daysLeft = Math.floor((Date.parse(renewBy) - Date.parse(now)) / 86_400_000);
  return { renewBy, daysLeft, warning: daysLeft <= RENEWAL_WARNING_DAYS };
};

/** Refusal codes of authorizations and their consents (their HTTP statuses live in src/http/errorStatuses.ts). */
export const authorizationErrorCodes = [
  'invalid_state',
  'state_expired',
  'authorization_exists',
  'authorization_revoked',
  'authorization_not_active',
  'authorization_failed',
  'state_not_bound',
  'consent_link_used',
  'account_already_connected',
  'credentials_identical',
  'credentials_rejected',
  'missing_permission',
  'store_pause_not_supported',
  'marketplace_unavailable',
  'marketplace_not_found',
  'country_region_mismatch',
  'consent_denied',
  'walmart_connect_not_configured',
] as const;
export type AuthorizationErrorCode = (typeof authorizationErrorCodes)[number];

export type GrantOutcome =
  | Readonly<{ ok: true; accountId: string; secretRef: string; renewBy: string | null }>
  | Readonly<{ ok: false; reason: string; detail: string }>;

export type AuthorizationCommand =
  | Readonly<{
      type: 'RequestAmazonConsent';
      data: Readonly<{
        authorizationId: string;
        tenantId: string;
        name: string;
        note: string | null;
        region: AmazonRegion;
        countryCode?: string | null;
        excludedMarketplaceIds?: readonly string[];
        initialLookbackDays: number;
        stateHash: string;
        stateExpiresAt: string;
        now: string;
      }>;
    }>
  | Readonly<{
      type: 'RequestWalmartConsent';
      data: Readonly<{
        authorizationId: string;
        tenantId: string;
        name: string;
        note: string | null;
        market: WalmartMarket;
        initialLookbackDays: number;
        stateHash: string;
        stateExpiresAt: string;
        now: string;
      }>;
    }>
  | Readonly<{
      type: 'CompleteWalmartConsent';
      data: Readonly<{
        stateHash: string;
        outcome:
          | Readonly<{ ok: true; sellerId: string; secretRef: string; scopes: Readonly<Record<string, string>>; renewBy: string }>
          | Readonly<{ ok: false; reason: string; detail: string }>;
        now: string;
      }>;
    }>
  | Readonly<{ type: 'FollowConsentLink'; data: Readonly<{ stateHash: string; bindingHash: string; now: string }> }>
  | Readonly<{ type: 'RedeemConsentState'; data: Readonly<{ stateHash: string; bindingHash: string | null; now: string }> }>
  | Readonly<{ type: 'CompleteAmazonConsent'; data: Readonly<{ stateHash: string; outcome: GrantOutcome; now: string }> }>
  | Readonly<{
      type: 'Reinstate';
      data: Readonly<{ secretRef: string; scopes: Readonly<Record<string, string>> | null; renewBy: string | null; clientIdHint: string | null; via: string | null; now: string }>;
    }>
  | Readonly<{ type: 'MergeInto'; data: Readonly<{ into: string; now: string }> }>
  | Readonly<{
      type: 'GrantWalmart';
      data: Readonly<{
        authorizationId: string;
        tenantId: string;
        name: string;
        note: string | null;
        accountId: string;
        clientIdHint: string;
        secretRef: string;
        scopes: Readonly<Record<string, string>>;
        initialLookbackDays: number;
        now: string;
      }>;
    }>
  | Readonly<{
      type: 'RenewSecrets';
      data: Readonly<{
        secretRef: string;
        scopes: Readonly<Record<string, string>> | null;
        renewBy: string | null;
        /** New Walmart keys name their own account and hint. */
        account?: Readonly<{ accountId: string; clientIdHint: string | null }>;
        now: string;
      }>;
    }>
  | Readonly<{ type: 'ChangeInfo'; data: Readonly<{ name?: string; note?: string | null; now: string }> }>
  | Readonly<{ type: 'SyncMarketplaces'; data: Readonly<{ marketplaces: readonly Marketplace[]; now: string }> }>
  | Readonly<{ type: 'Pause' | 'Resume' | 'Revoke'; data: Readonly<{ now: string }> }>
  | Readonly<{ type: 'SelectMarketplace'; data: Readonly<{ marketplaceId: string; enabled: boolean; now: string }> }>
  | Readonly<{ type: 'RequireReauthorization'; data: Readonly<{ reason: string; detail: string; now: string }> }>;

export const initialState = (): Authorization => ({ status: 'absent' });

/** A consent state that is not one OMS issued, was used already, or lost to a duplicate callback. */
export const invalidConsentState = () =>
  new DomainError('invalid_state', 'This authorization link is not valid or was used already; start the authorization again');

/** A consent link followed a second time (or by two browsers at once). */
export const consentLinkUsed = () => new DomainError('consent_link_used', 'This authorization link was opened already (it works once); start the authorization again');

const known = (state: Authorization): Known => {
  if (state.status === 'absent') throw new NotFoundError('Authorization');
  return state;
};

export const evolve = (state: Authorization, event: AuthorizationEvent): Authorization => {
  switch (event.type) {
    case 'AmazonConsentRequested': {
      const d = event.data;
      const pending = { stateHash: d.stateHash, expiresAt: d.stateExpiresAt, bindingHash: null };
      if (state.status !== 'absent') return { ...state, pending, redeemed: null };
      return {
        status: 'pending', authorizationId: d.authorizationId, tenantId: d.tenantId, platform: 'amazon', name: d.name, note: d.note,
        region: d.region, initialLookbackDays: d.initialLookbackDays, pending, redeemed: null, accountId: null, clientIdHint: null, secretRef: null,
        scopes: null, grantedAt: null, renewBy: null, marketplaces: [], lastFailure: null, mergedInto: null,
        countryCode: d.countryCode ?? null, excludedMarketplaceIds: d.excludedMarketplaceIds ?? [],
      };
    }
    case 'WalmartConsentRequested': {
      const d = event.data;
      const pending = { stateHash: d.stateHash, expiresAt: d.stateExpiresAt, bindingHash: null };
      if (state.status !== 'absent') return { ...state, pending, redeemed: null, connect: { market: d.market, sellerId: state.connect?.sellerId ?? null } };
      return {
        status: 'pending', authorizationId: d.authorizationId, tenantId: d.tenantId, platform: 'walmart', name: d.name, note: d.note,
        region: null, initialLookbackDays: d.initialLookbackDays, pending, redeemed: null, accountId: null, clientIdHint: null, secretRef: null,
        scopes: null, grantedAt: null, renewBy: null, marketplaces: [], lastFailure: null, mergedInto: null, connect: { market: d.market, sellerId: null },
        countryCode: null, excludedMarketplaceIds: [],
      };
    }
    case 'WalmartConnectGranted': {
      const d = event.data;
      const s = known(state);
      return {
        ...s, status: s.status === 'paused' ? 'paused' : 'active', pending: null, redeemed: null, accountId: d.sellerId, clientIdHint: null,
        secretRef: d.secretRef, scopes: d.scopes, grantedAt: d.grantedAt, renewBy: d.renewBy, lastFailure: null, connect: { market: d.market, sellerId: d.sellerId },
      };
    }
    case 'ConsentLinkFollowed': {
      const s = known(state);
      return s.pending ? { ...s, pending: { ...s.pending, bindingHash: event.data.bindingHash } } : s;
    }
    case 'ConsentStateRedeemed':
      return { ...known(state), pending: null, redeemed: event.data.stateHash };
    case 'AuthorizationGranted': {
      const d = event.data;
      return {
        status: 'active', authorizationId: d.authorizationId, tenantId: d.tenantId, platform: d.platform, name: d.name, note: d.note,
        region: d.region, initialLookbackDays: d.initialLookbackDays, pending: null, redeemed: null, accountId: d.accountId, clientIdHint: d.clientIdHint,
        secretRef: d.secretRef, scopes: d.scopes, grantedAt: d.grantedAt, renewBy: d.renewBy,
        marketplaces: state.status === 'absent' ? [] : state.marketplaces, lastFailure: null, mergedInto: null,
        countryCode: state.status === 'absent' ? null : state.countryCode,
        excludedMarketplaceIds: state.status === 'absent' ? [] : state.excludedMarketplaceIds,
      };
    }
    case 'AuthorizationFailed': {
      const s = known(state);
      const lastFailure = { reason: event.data.reason, detail: event.data.detail, at: event.data.failedAt };
      return { ...s, pending: null, redeemed: null, lastFailure, status: s.status === 'pending' ? 'failed' : s.status };
    }
    case 'AuthorizationRenewed': {
      const s = known(state);
      const d = event.data;
      return {
        ...s, pending: null, redeemed: null, secretRef: d.secretRef, scopes: d.scopes ?? s.scopes, renewBy: d.renewBy ?? s.renewBy, lastFailure: null,
        // Consenting again is the way back from a revoked consent.
        status: s.status === 'reauthorization_required' ? 'active' : s.status,
        accountId: d.accountId ?? s.accountId, clientIdHint: d.clientIdHint === undefined ? s.clientIdHint : d.clientIdHint,
      };
    }
    case 'AuthorizationReinstated': {
      const d = event.data;
      return {
        ...known(state), status: 'active', pending: null, redeemed: null, secretRef: d.secretRef, scopes: d.scopes, renewBy: d.renewBy,
        clientIdHint: d.clientIdHint, lastFailure: null, grantedAt: d.reinstatedAt,
      };
    }
    case 'AuthorizationMerged':
      return { ...known(state), status: 'merged', pending: null, redeemed: null, mergedInto: event.data.into };
    case 'AuthorizationInfoChanged':
      return { ...known(state), name: event.data.name, note: event.data.note };
    case 'MarketplacesSynced':
      return { ...known(state), marketplaces: event.data.marketplaces };
    case 'AuthorizationPaused':
      return { ...known(state), status: 'paused' };
    case 'AuthorizationResumed':
      return { ...known(state), status: 'active' };
    case 'AuthorizationRevoked':
      return { ...known(state), status: 'revoked', pending: null, redeemed: null, secretRef: null };
    case 'MarketplaceSelectionChanged': {
      const s = known(state);
      const others = s.excludedMarketplaceIds.filter((id) => id !== event.data.marketplaceId);
      return { ...s, excludedMarketplaceIds: event.data.enabled ? others : [...others, event.data.marketplaceId] };
    }
    case 'AuthorizationReauthorizationRequired': {
      const d = event.data;
      return { ...known(state), status: 'reauthorization_required', lastFailure: { reason: d.reason, detail: d.detail, at: d.requiredAt } };
    }
    default:
      return assertNever(event, 'AuthorizationEvent');
  }
};

/**
 * Is this consent state the one this authorization issued, unused and in time? Checked before any
 * call to Amazon, so a forged, expired or replayed state has no side effect at all.
 */
export const checkConsentState = (state: Authorization, stateHash: string, now: string): Known => {
  if (state.status === 'absent' || state.pending === null || state.pending.stateHash !== stateHash) {
    throw invalidConsentState();
  }
  if (Date.parse(state.pending.expiresAt) <= Date.parse(now)) {
    throw new DomainError('state_expired', 'This authorization link expired (10 minutes); start the authorization again');
  }
  return state;
};

/**
 * Was the consent link followed, in the browser this callback comes from? The cookie set when the
 * link was followed must come back: its hash is the one recorded.
 */
export const checkConsentBinding = (state: Known, bindingHash: string | null): void => {
  if (state.pending?.bindingHash == null || bindingHash === null || state.pending.bindingHash !== bindingHash) {
    throw new DomainError(
      'state_not_bound',
      'This authorization link was not opened in this browser (the consent must be finished in the browser that opened the link OMS gave); start the authorization again',
    );
  }
};

const ids = (s: Known) => ({ authorizationId: s.authorizationId, tenantId: s.tenantId });

/** Refuses a revoked or merged authorization (a revoked one comes back when its account is connected again: reinstated). */
export const requireUsable = (s: Known) => {
  if (s.status === 'revoked') {
    throw new DomainError(
      'authorization_revoked',
      'The authorization was revoked; connect the account again (a new Amazon consent or the Walmart keys): this authorization then continues with its stores',
    );
  }
  if (s.status === 'merged') throw new DomainError('authorization_not_active', `The authorization was merged into ${s.mergedInto}`);
};

export const decide = (command: AuthorizationCommand, state: Authorization): AuthorizationEvent[] => {
  switch (command.type) {
    case 'RequestAmazonConsent': {
      const d = command.data;
      const consent = { stateHash: d.stateHash, stateExpiresAt: d.stateExpiresAt, requestedAt: d.now };
      if (state.status === 'absent') {
        const { authorizationId, tenantId, name, note, region, initialLookbackDays, countryCode } = d;
        const site = countryCode == null ? {} : { countryCode };
        const excluded = d.excludedMarketplaceIds?.length ? { excludedMarketplaceIds: [...d.excludedMarketplaceIds] } : {};
        return [ev('AmazonConsentRequested', { authorizationId, tenantId, name, note, region, initialLookbackDays, ...consent, ...site, ...excluded })];
      }
      // A re-authorization of an existing Amazon authorization keeps its name, region and look-back.
      requireUsable(state);
      if (state.platform !== 'amazon' || state.region === null) {
        throw new DomainError('authorization_not_active', 'Only Amazon authorizations are renewed through consent');
      }
      const { name, note, region, initialLookbackDays, countryCode } = state;
      return [ev('AmazonConsentRequested', { ...ids(state), name, note, region, initialLookbackDays, ...consent, ...(countryCode === null ? {} : { countryCode }) })];
    }
    case 'RequestWalmartConsent': {
      const d = command.data;
      const consent = { stateHash: d.stateHash, stateExpiresAt: d.stateExpiresAt, requestedAt: d.now };
      if (state.status === 'absent') {
        const { authorizationId, tenantId, name, note, market, initialLookbackDays } = d;
        return [ev('WalmartConsentRequested', { authorizationId, tenantId, name, note, market, initialLookbackDays, ...consent })];
      }
      // Renewal, or a key-based authorization moving to Connect: it keeps its name, look-back and market (keys are US).
      requireUsable(state);
      if (state.platform !== 'walmart') throw new DomainError('authorization_not_active', 'Only Walmart authorizations are connected through Walmart Connect');
      const { name, note, initialLookbackDays } = state;
      return [ev('WalmartConsentRequested', { ...ids(state), name, note, market: state.connect?.market ?? 'us', initialLookbackDays, ...consent })];
    }
    case 'CompleteWalmartConsent': {
      const s = known(state);
      if (s.redeemed === null || s.redeemed !== command.data.stateHash) {
        throw invalidConsentState();
      }
      const { outcome, now } = command.data;
      if (!outcome.ok) return [ev('AuthorizationFailed', { ...ids(s), reason: outcome.reason, detail: outcome.detail, failedAt: now })];
      const wasConnected = s.connect?.sellerId ?? null;
      if (wasConnected !== null && wasConnected !== outcome.sellerId && s.status !== 'pending' && s.status !== 'failed') {
        return [ev('AuthorizationFailed', { ...ids(s), reason: 'account_mismatch', detail: 'A different Walmart seller authorized than the one this authorization belongs to; log in as that seller and try again', failedAt: now })];
      }
      return [
        ev('WalmartConnectGranted', {
          ...ids(s), sellerId: outcome.sellerId, market: s.connect?.market ?? 'us', secretRef: outcome.secretRef, previousSecretRef: s.secretRef,
          scopes: { ...outcome.scopes }, grantedAt: now, renewBy: outcome.renewBy,
        }),
      ];
    }
    case 'FollowConsentLink': {
      const s = checkConsentState(state, command.data.stateHash, command.data.now);
      if (s.pending!.bindingHash !== null) {
        throw consentLinkUsed();
      }
      return [ev('ConsentLinkFollowed', { ...ids(s), stateHash: command.data.stateHash, bindingHash: command.data.bindingHash, followedAt: command.data.now })];
    }
    case 'RedeemConsentState': {
      const s = checkConsentState(state, command.data.stateHash, command.data.now);
      checkConsentBinding(s, command.data.bindingHash);
      return [ev('ConsentStateRedeemed', { ...ids(s), stateHash: command.data.stateHash, redeemedAt: command.data.now })];
    }
    case 'CompleteAmazonConsent': {
      const s = known(state);
      if (s.redeemed === null || s.redeemed !== command.data.stateHash) {
        throw invalidConsentState();
      }
      const { outcome, now } = command.data;
      if (!outcome.ok) return [ev('AuthorizationFailed', { ...ids(s), reason: outcome.reason, detail: outcome.detail, failedAt: now })];
      if (s.status === 'pending' || s.status === 'failed') {
        return [
          ev('AuthorizationGranted', {
            ...ids(s), platform: 'amazon', name: s.name, note: s.note, region: s.region, accountId: outcome.accountId, clientIdHint: null,
            initialLookbackDays: s.initialLookbackDays, secretRef: outcome.secretRef, scopes: null, grantedAt: now, renewBy: outcome.renewBy,
          }),
        ];
      }
      if (s.accountId !== outcome.accountId) {
        return [ev('AuthorizationFailed', { ...ids(s), reason: 'account_mismatch', detail: 'A different Amazon account consented than the one this authorization belongs to; log in to the right account and try again', failedAt: now })];
      }
      return [ev('AuthorizationRenewed', { ...ids(s), secretRef: outcome.secretRef, previousSecretRef: s.secretRef ?? '', scopes: null, renewedAt: now, renewBy: outcome.renewBy })];
    }
    case 'MergeInto': {
      const s = known(state);
      return [ev('AuthorizationMerged', { ...ids(s), into: command.data.into, mergedAt: command.data.now })];
    }
    case 'GrantWalmart': {
      if (state.status !== 'absent') throw new DomainError('authorization_exists', 'The authorization exists already');
      const d = command.data;
      return [
        ev('AuthorizationGranted', {
          authorizationId: d.authorizationId, tenantId: d.tenantId, platform: 'walmart', name: d.name, note: d.note, region: null,
          accountId: d.accountId, clientIdHint: d.clientIdHint, initialLookbackDays: d.initialLookbackDays, secretRef: d.secretRef,
          scopes: { ...d.scopes }, grantedAt: d.now, renewBy: null,
        }),
      ];
    }
    case 'RenewSecrets': {
      const s = known(state);
      requireUsable(s);
      const d = command.data;
      return [
        ev('AuthorizationRenewed', {
          ...ids(s), secretRef: d.secretRef, previousSecretRef: s.secretRef ?? '', scopes: d.scopes ? { ...d.scopes } : null, renewedAt: d.now, renewBy: d.renewBy,
          ...(d.account ? { accountId: d.account.accountId, clientIdHint: d.account.clientIdHint } : {}),
        }),
      ];
    }
    case 'Reinstate': {
      const s = known(state);
      if (s.status !== 'revoked') throw new DomainError('authorization_not_active', `Only a revoked authorization is reinstated (it is ${s.status})`);
      const d = command.data;
      return [
        ev('AuthorizationReinstated', {
          ...ids(s), secretRef: d.secretRef, scopes: d.scopes ? { ...d.scopes } : null, renewBy: d.renewBy, clientIdHint: d.clientIdHint, via: d.via, reinstatedAt: d.now,
        }),
      ];
    }
    case 'ChangeInfo': {
      const s = known(state);
      requireUsable(s);
      const name = command.data.name ?? s.name;
      const note = command.data.note === undefined ? s.note : command.data.note;
      if (name === s.name && note === s.note) return [];
      return [ev('AuthorizationInfoChanged', { ...ids(s), name, note, changedAt: command.data.now })];
    }
    case 'SyncMarketplaces': {
      const s = known(state);
      requireUsable(s);
      if (JSON.stringify(s.marketplaces) === JSON.stringify(command.data.marketplaces)) return [];
      return [ev('MarketplacesSynced', { ...ids(s), marketplaces: [...command.data.marketplaces], syncedAt: command.data.now })];
    }
    case 'Pause': {
      const s = known(state);
      requireUsable(s);
      if (s.status === 'paused') return [];
      if (s.status !== 'active') throw new DomainError('authorization_not_active', `Only an active authorization can be paused (it is ${s.status})`);
      return [ev('AuthorizationPaused', { ...ids(s), pausedAt: command.data.now })];
    }
    case 'Resume': {
      const s = known(state);
      requireUsable(s);
      if (s.status === 'active') return [];
      if (s.status !== 'paused') throw new DomainError('authorization_not_active', `Only a paused authorization can be resumed (it is ${s.status})`);
      return [ev('AuthorizationResumed', { ...ids(s), resumedAt: command.data.now })];
    }
    case 'Revoke': {
      const s = known(state);
      if (s.status === 'revoked') return [];
      return [ev('AuthorizationRevoked', { ...ids(s), revokedAt: command.data.now })];
    }
    case 'SelectMarketplace': {
      const s = known(state);
      requireUsable(s);
      const { marketplaceId, enabled, now } = command.data;
      if (!s.marketplaces.some((m) => m.marketplaceId === marketplaceId)) {
        throw new DomainError('marketplace_not_found', `The authorization's account has no participation in marketplace ${marketplaceId}; sync the marketplaces first`);
      }
      if (s.excludedMarketplaceIds.includes(marketplaceId) !== enabled) return [];
      return [ev('MarketplaceSelectionChanged', { ...ids(s), marketplaceId, enabled, changedAt: now })];
    }
    case 'RequireReauthorization': {
      const s = known(state);
      // Only a working authorization can lose its consent; anything else has no pulls to stop.
      if (s.status !== 'active' && s.status !== 'paused') return [];
      const { reason, detail, now } = command.data;
      return [ev('AuthorizationReauthorizationRequired', { ...ids(s), reason, detail, requiredAt: now })];
    }
    default:
      return assertNever(command, 'AuthorizationCommand');
  }
};

export const authorizationDecider: Decider<AuthorizationCommand, AuthorizationEvent, Authorization> = { decide, evolve, initialState };
export const AUTHORIZATION_STREAM_PREFIX = 'authorization-';
export const authorizationStreamId = (authorizationId: string) => `${AUTHORIZATION_STREAM_PREFIX}${authorizationId}`;
