import { z } from 'zod';

/** A seller became a tenant of OMS. */
export const TenantCreated = z.object({
  type: z.literal('TenantCreated'),
  schemaVersion: z.literal(1),
  data: z.object({ tenantId: z.string(), name: z.string(), createdAt: z.iso.datetime() }),
});

/**
 * An API key was issued to the tenant. Only a salted hash of its secret is recorded: the key
 * itself was shown once and is never stored.
 */
export const ApiKeyIssued = z.object({
  type: z.literal('ApiKeyIssued'),
  schemaVersion: z.literal(1),
  data: z.object({
    tenantId: z.string(),
    keyId: z.string(),
    name: z.string(),
    salt: z.string(),
    keyHash: z.string(),
    issuedAt: z.iso.datetime(),
  }),
});

/** The key stops working from this event on. */
export const ApiKeyRevoked = z.object({
  type: z.literal('ApiKeyRevoked'),
  schemaVersion: z.literal(1),
  data: z.object({ tenantId: z.string(), keyId: z.string(), revokedAt: z.iso.datetime() }),
});

export const TenantEvent = z.discriminatedUnion('type', [TenantCreated, ApiKeyIssued, ApiKeyRevoked]);
export type TenantEvent = z.infer<typeof TenantEvent>;
type Data<T extends TenantEvent['type']> = Extract<TenantEvent, { type: T }>['data'];

export const tenantCreated = (data: Data<'TenantCreated'>): TenantEvent => ({ type: 'TenantCreated', schemaVersion: 1, data });
export const apiKeyIssued = (data: Data<'ApiKeyIssued'>): TenantEvent => ({ type: 'ApiKeyIssued', schemaVersion: 1, data });
export const apiKeyRevoked = (data: Data<'ApiKeyRevoked'>): TenantEvent => ({ type: 'ApiKeyRevoked', schemaVersion: 1, data });
