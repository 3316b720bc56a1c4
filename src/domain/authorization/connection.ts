import { DomainError } from '../shared/errors.js';
import { amazonSiteOf } from './amazonSites.js';
import { invalidConsentState, requireUsable, type Authorization } from './decider.js';
import type { AmazonRegion } from './events.js';

/**
 * Who may connect which marketplace account, and what a consent's callback must show before it is
 * granted. Pure: the application reads the claims, the vault and the marketplaces, and asks here.
 */
type Known = Exclude<Authorization, { status: 'absent' }>;

/** What the seller is told to do about a refusal of their keys or consent. */
export const HINTS = {
  credentials_identical:
    'The Client ID and the Client Secret are the same text, which is a copy mistake: copy each value again (paste them into a text editor to compare first).',
  credentials_rejected:
    'Walmart rejected these keys. Use PRODUCTION keys (sandbox keys do not work here), created for this solution provider; if they still fail, reset the key or generate a new one with all permissions and try again.',
  missing_permission: 'Enable the “Orders” permission for this key in the Walmart Developer Portal (recommended: enable all permissions), then authorize again.',
  connect_orders_access:
    'OMS needs Orders at full access (acknowledging and shipping orders need it). Connect again and approve the Orders permission with full access on Walmart’s page.',
  consent_denied: 'The seller declined on Walmart’s page. Connect again and choose “Approve” to let OMS read and acknowledge the orders.',
} as const;

/** The authorization a consent state names (`<authorizationId>.<random>`); anything else was not issued by OMS. */
export const authorizationIdOfState = (state: string): string => {
  const authorizationId = state.split('.')[0] ?? '';
  if (!/^[0-9a-f-]{36}$/.test(authorizationId)) throw invalidConsentState();
  return authorizationId;
};

/**
 * The store's country (the seed's "site") decides the region and the Seller Central host; a region
 * alone is still accepted (then the region's main Seller Central, as before). Both must agree.
 */
export const amazonSiteFor = (input: Readonly<{ region?: AmazonRegion; countryCode?: string }>): { region: AmazonRegion; countryCode: string | null } => {
  if (input.countryCode === undefined) {
    if (!input.region) throw new DomainError('country_region_mismatch', 'Give the country of the store (e.g. "CA"); a region alone is accepted for compatibility');
    return { region: input.region, countryCode: null };
  }
  const site = amazonSiteOf(input.countryCode);
  if (!site) throw new DomainError('country_region_mismatch', `Amazon has no marketplace in country ${input.countryCode}`);
  if (input.region && input.region !== site.region) {
    throw new DomainError('country_region_mismatch', `${site.countryCode} belongs to Amazon's ${site.region} region, not ${input.region}; leave the region out`);
  }
  return { region: site.region, countryCode: site.countryCode };
};

/** The keys of the account claims: one marketplace account is connected once, across tenants. */
export const accountKeys = {
  amazon: (region: AmazonRegion, sellingPartnerId: string) => `amazon/${region}/${sellingPartnerId}`,
  walmartKey: (clientId: string) => `walmart/${clientId}`,
  walmartSeller: (sellerId: string) => `walmart-seller/${sellerId}`,
} as const;

export type AccountHolder = Readonly<{ live: Known | null; revoked: Known | null }>;

/**
 * Who holds the account (the claim's owner, null when unclaimed or claimed by the asking
 * authorization itself): a live authorization (active, paused, or waiting for consent again) refuses
 * a second connection; a revoked one of the same tenant is reinstated; anything else leaves the account free.
 */
export const holderOf = (owner: Authorization | null, tenantId: string): AccountHolder => {
  if (owner === null || owner.status === 'absent') return { live: null, revoked: null };
  if (owner.status === 'active' || owner.status === 'paused' || owner.status === 'reauthorization_required') return { live: owner, revoked: null };
  return { live: null, revoked: owner.status === 'revoked' && owner.tenantId === tenantId ? owner : null };
};

/** The refusal for an account held elsewhere: within the tenant it names the holder; across tenants nothing about it. */
export const alreadyConnected = (holder: Known, tenantId: string): DomainError =>
  holder.tenantId === tenantId
    ? new DomainError('account_already_connected', `This account is connected already as authorization ${holder.authorizationId} (“${holder.name}”)`, {
        authorizationId: holder.authorizationId,
        hint: `Re-authorize that authorization instead: POST /v1/authorizations/${holder.authorizationId}/reauthorize`,
      })
    : new DomainError('account_already_connected', 'This account is connected elsewhere; one marketplace account can be connected once', {
        hint: 'Ask whoever connected it to revoke that connection first, or contact the fulfilment company',
      });

/**
 * A callback the authorization records as failed (AuthorizationFailed with `reason` and `detail`),
 * answered with `refusal` (by default authorization_failed).
 */
export type ConsentFailure = Readonly<{ reason: string; detail: string; refusal?: DomainError }>;

/**
 * Amazon's callback, once the account behind the new refresh token is known from Amazon itself:
 * the callback's selling_partner_id is only a claim to compare, and a renewal must be the same account.
 */
export const amazonConsentFailure = (pending: Known, claimedAccountId: string, accountId: string): ConsentFailure | null => {
  if (accountId !== claimedAccountId) {
    return { reason: 'account_claim_mismatch', detail: 'The account named in the callback is not the account that consented; start the authorization again from OMS.' };
  }
  if (pending.accountId !== null && pending.accountId !== accountId) {
    return { reason: 'account_mismatch', detail: 'A different Amazon account consented than the one this authorization belongs to; log in to the right account and try again' };
  }
  return null;
};

/** The seller declined on Walmart's page. */
export const walmartConsentDenied = (): ConsentFailure => ({
  reason: 'consent_denied',
  detail: 'The seller did not authorize OMS on Walmart’s page.',
  refusal: new DomainError('consent_denied', 'The seller did not authorize OMS on Walmart’s page', { hint: HINTS.consent_denied }),
});

/** Walmart Connect's grant: Orders at full access, and a renewal (or a move from keys) by the same seller. */
export const walmartConsentFailure = (pending: Known, sellerId: string, scopes: Readonly<Record<string, string>>): ConsentFailure | null => {
  if (scopes.orders !== 'full_access') {
    const granted = scopes.orders ?? 'no_access';
    return {
      reason: 'missing_permission',
      detail: `Orders were granted as ${granted}, OMS needs full access.`,
      refusal: new DomainError('missing_permission', `The seller granted Orders as ${granted}; OMS needs full access`, { permission: 'orders', granted, hint: HINTS.connect_orders_access }),
    };
  }
  const wasSeller = pending.connect?.sellerId ?? null;
  if (wasSeller !== null && wasSeller !== sellerId && pending.status !== 'pending' && pending.status !== 'failed') {
    return { reason: 'account_mismatch', detail: 'A different Walmart seller authorized than the one this authorization belongs to; log in as that seller and try again' };
  }
  return null;
};

/** Pasted Walmart keys, before Walmart is asked: both present, and not the same text twice. */
export const checkWalmartKeys = (clientId: string, clientSecret: string): void => {
  if (!clientId || !clientSecret) throw new DomainError('credentials_rejected', 'Both the Client ID and the Client Secret are needed', { hint: HINTS.credentials_rejected });
  if (clientId === clientSecret) throw new DomainError('credentials_identical', 'The Client ID and the Client Secret are identical', { hint: HINTS.credentials_identical });
};

/** The key's permissions as Walmart reports them: Orders at full access or view-only (pulling works; see the warning). */
export const checkWalmartKeyScopes = (scopes: Readonly<Record<string, string>>): void => {
  const orders = scopes.orders ?? 'no_access';
  if (orders !== 'full_access' && orders !== 'view_only') {
    throw new DomainError('missing_permission', 'This key has no access to Orders', { permission: 'orders', hint: HINTS.missing_permission });
  }
};

/** New keys go to a Walmart authorization that is not revoked or merged; checked before anything is stored. */
export const checkTakesKeys = (state: Known): void => {
  if (state.platform !== 'walmart') throw new DomainError('authorization_not_active', 'Only Walmart authorizations take keys');
  requireUsable(state);
};

/** Only an Amazon authorization with a consent has participations to read. */
export function checkSyncable(state: Known): asserts state is Known & { region: AmazonRegion; secretRef: string } {
  if (state.platform !== 'amazon' || !state.secretRef || !state.region) {
    throw new DomainError('authorization_not_active', 'Only an active Amazon authorization has marketplaces to sync');
  }
}

/** What the operator sees of a key: its last four characters. */
export const clientIdHintOf = (clientId: string) => `…${clientId.slice(-4)}`;
