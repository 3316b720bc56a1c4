import { z } from 'zod';

export const AmazonRegion = z.enum(['NA', 'EU', 'FE']);
export type AmazonRegion = z.infer<typeof AmazonRegion>;

const Base = { authorizationId: z.string(), tenantId: z.string() };

/**
 * A seller started an Amazon authorization: basic info, region, look-back, and the one-time consent
 * state — only its hash (the state itself travels through the browser), valid until `stateExpiresAt`.
 * Also written for a re-authorization of an existing authorization (then `name` etc. repeat).
 */
export const AmazonConsentRequested = z.object({
  type: z.literal('AmazonConsentRequested'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    name: z.string(),
    note: z.string().nullable(),
    region: AmazonRegion,
    initialLookbackDays: z.number().int().min(3).max(5),
    stateHash: z.string(),
    stateExpiresAt: z.iso.datetime(),
    requestedAt: z.iso.datetime(),
    /** The store's country the seller picked (its Seller Central host); absent when only a region was given. */
    countryCode: z.string().nullable().optional(),
    /** Participating marketplaces the operator wants no store for (yet). */
    excludedMarketplaceIds: z.array(z.string()).optional(),
  }),
});

export const WalmartMarket = z.enum(['us', 'ca', 'mx']);

/**
 * A Walmart Connect (OAuth 2.0) consent was started: for a new authorization, or for an existing
 * Walmart one (renewal, or moving key-based credentials to Connect). Like AmazonConsentRequested,
 * only the one-time state's hash is kept.
 */
export const WalmartConsentRequested = z.object({
  type: z.literal('WalmartConsentRequested'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    name: z.string(),
    note: z.string().nullable(),
    market: WalmartMarket,
    initialLookbackDays: z.number().int().min(3).max(5),
    stateHash: z.string(),
    stateExpiresAt: z.iso.datetime(),
    requestedAt: z.iso.datetime(),
  }),
});

/**
 * A Walmart seller authorized OMS's app through Connect: the refresh token is in the vault
 * (`secretRef`, one year, hence `renewBy`), `sellerId` is the account. The authorization is active on
 * OAuth from now on; a key-based one keeps its stores (`previousSecretRef`: the keys, destroyed).
 */
export const WalmartConnectGranted = z.object({
  type: z.literal('WalmartConnectGranted'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    sellerId: z.string(),
    market: WalmartMarket,
    secretRef: z.string(),
    previousSecretRef: z.string().nullable(),
    scopes: z.record(z.string(), z.string()),
    grantedAt: z.iso.datetime(),
    renewBy: z.iso.datetime(),
  }),
});

/**
 * The marketplace accepted the credentials. `secretRef` points into the vault (refresh token or
 * client secret); `accountId` is Amazon's selling_partner_id or the Walmart client id's fingerprint.
 */
export const AuthorizationGranted = z.object({
  type: z.literal('AuthorizationGranted'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    platform: z.enum(['amazon', 'walmart']),
    name: z.string(),
    note: z.string().nullable(),
    region: AmazonRegion.nullable(),
    accountId: z.string(),
    clientIdHint: z.string().nullable(),
    initialLookbackDays: z.number().int().min(3).max(5),
    secretRef: z.string(),
    scopes: z.record(z.string(), z.string()).nullable(),
    grantedAt: z.iso.datetime(),
    renewBy: z.iso.datetime().nullable(),
  }),
});

/** An attempt failed: the reason code says why (invalid_grant, credentials_rejected, missing_permission…). */
export const AuthorizationFailed = z.object({
  type: z.literal('AuthorizationFailed'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, reason: z.string(), detail: z.string(), failedAt: z.iso.datetime() }),
});

/**
 * The browser that followed the consent link (OMS's own route, before the marketplace) got a one-time
 * cookie; only its hash is kept. The callback must bring that cookie back: a state copied to another
 * browser, or replayed from a log, is refused.
 */
export const ConsentLinkFollowed = z.object({
  type: z.literal('ConsentLinkFollowed'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, stateHash: z.string(), bindingHash: z.string(), followedAt: z.iso.datetime() }),
});

/**
 * A callback took the consent state for itself, before calling the marketplace: the one-time state
 * is spent here, so a duplicate callback (sent twice at once) finds it gone and changes nothing.
 */
export const ConsentStateRedeemed = z.object({
  type: z.literal('ConsentStateRedeemed'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, stateHash: z.string(), redeemedAt: z.iso.datetime() }),
});

/**
 * The same account was authorized again: this authorization's secrets are replaced. New Walmart keys
 * also bring their own `accountId` / `clientIdHint` (absent in events of older versions).
 */
export const AuthorizationRenewed = z.object({
  type: z.literal('AuthorizationRenewed'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    secretRef: z.string(),
    previousSecretRef: z.string(),
    scopes: z.record(z.string(), z.string()).nullable(),
    renewedAt: z.iso.datetime(),
    renewBy: z.iso.datetime().nullable(),
    accountId: z.string().optional(),
    clientIdHint: z.string().nullable().optional(),
  }),
});

/**
 * A revoked authorization's account was connected again by the same tenant: the authorization comes
 * back with new secrets and keeps its stores, so order identities and watermarks continue (no second
 * release of its orders). `via` is the authorization the new consent started as (now merged), if any.
 */
export const AuthorizationReinstated = z.object({
  type: z.literal('AuthorizationReinstated'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    secretRef: z.string(),
    scopes: z.record(z.string(), z.string()).nullable(),
    renewBy: z.iso.datetime().nullable(),
    clientIdHint: z.string().nullable(),
    via: z.string().nullable(),
    reinstatedAt: z.iso.datetime(),
  }),
});

/**
 * A new consent for an account this tenant authorized before: that authorization continues instead
 * (renewed in older versions; today only a revoked one is reinstated, a live one is refused).
 */
export const AuthorizationMerged = z.object({
  type: z.literal('AuthorizationMerged'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, into: z.string(), mergedAt: z.iso.datetime() }),
});

export const AuthorizationInfoChanged = z.object({
  type: z.literal('AuthorizationInfoChanged'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, name: z.string(), note: z.string().nullable(), changedAt: z.iso.datetime() }),
});

/** Marketplace participations as last read; participating ones have a store. */
export const MarketplacesSynced = z.object({
  type: z.literal('MarketplacesSynced'),
  schemaVersion: z.literal(1),
  data: z.object({
    ...Base,
    marketplaces: z.array(
      z.object({
        marketplaceId: z.string(),
        countryCode: z.string(),
        name: z.string(),
        isParticipating: z.boolean(),
        hasSuspendedListings: z.boolean(),
        storeId: z.string().nullable(),
      }),
    ),
    syncedAt: z.iso.datetime(),
  }),
});

export const AuthorizationPaused = z.object({
  type: z.literal('AuthorizationPaused'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, pausedAt: z.iso.datetime() }),
});

export const AuthorizationResumed = z.object({
  type: z.literal('AuthorizationResumed'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, resumedAt: z.iso.datetime() }),
});

/** Revoked by the seller: the secrets are destroyed (crypto-shredded) and pulls stop. Final. */
export const AuthorizationRevoked = z.object({
  type: z.literal('AuthorizationRevoked'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, revokedAt: z.iso.datetime() }),
});

/**
 * The operator chose whether a participating marketplace of this authorization has a store:
 * `enabled: false` leaves it without one (an existing store stops pulling), `true` adds it (again).
 */
export const MarketplaceSelectionChanged = z.object({
  type: z.literal('MarketplaceSelectionChanged'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, marketplaceId: z.string(), enabled: z.boolean(), changedAt: z.iso.datetime() }),
});

/**
 * The marketplace refused the authorization's refresh token for good (`invalid_grant`: the seller
 * revoked OMS, or the grant expired): pulls stop until the seller authorizes again, which brings the
 * authorization back with its stores.
 */
export const AuthorizationReauthorizationRequired = z.object({
  type: z.literal('AuthorizationReauthorizationRequired'),
  schemaVersion: z.literal(1),
  data: z.object({ ...Base, reason: z.string(), detail: z.string(), requiredAt: z.iso.datetime() }),
});

export const AuthorizationEvent = z.discriminatedUnion('type', [
  AmazonConsentRequested,
  WalmartConsentRequested,
  WalmartConnectGranted,
  ConsentLinkFollowed,
  ConsentStateRedeemed,
  AuthorizationGranted,
  AuthorizationFailed,
  AuthorizationRenewed,
  AuthorizationReinstated,
  AuthorizationMerged,
  AuthorizationInfoChanged,
  MarketplacesSynced,
  AuthorizationPaused,
  AuthorizationResumed,
  AuthorizationRevoked,
  MarketplaceSelectionChanged,
  AuthorizationReauthorizationRequired,
]);
export type AuthorizationEvent = z.infer<typeof AuthorizationEvent>;
export type AuthorizationEventOf<T extends AuthorizationEvent['type']> = Extract<AuthorizationEvent, { type: T }>;

export const authorizationEvent = <T extends AuthorizationEvent['type']>(type: T, data: AuthorizationEventOf<T>['data']) =>
  ({ type, schemaVersion: 1, data }) as AuthorizationEventOf<T>;
