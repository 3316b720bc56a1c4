import { z } from 'zod';

/**
 * Which authorization holds a marketplace account (an `accountKeys` key), across all tenants: the
 * last `AccountClaimed` of the account's claim stream names it. Appended with every grant, renewal
 * and reinstatement with the version read, so two connections of one account at once cannot both
 * win (docs/consent.md).
 */
export const AccountClaimed = z.object({
  type: z.literal('AccountClaimed'),
  schemaVersion: z.literal(1),
  data: z.object({ authorizationId: z.string() }),
});
export type AccountClaimed = z.infer<typeof AccountClaimed>;

export const accountClaimed = (authorizationId: string): AccountClaimed => ({ type: 'AccountClaimed', schemaVersion: 1, data: { authorizationId } });

/** The owner an account's claim events name: the last one's authorization, null when unclaimed. */
export const claimOwnerIn = (claims: readonly AccountClaimed[]): string | null => claims.at(-1)?.data.authorizationId ?? null;

/**
 * `accountclaim-<digest>`: one stream per account. `keyDigest` is the SHA-256 (hex) of the account
 * key, hashed by the caller (the domain has no crypto); a seller id never shows in a stream id.
 */
export const accountClaimStreamId = (keyDigest: string): string => `accountclaim-${keyDigest.slice(0, 32)}`;

/** Claims written before they were global were kept per tenant: still read, for that tenant only. */
export const legacyAccountClaimStreamId = (tenantId: string, keyDigest: string): string => `accountclaim-${tenantId}.${keyDigest.slice(0, 32)}`;
