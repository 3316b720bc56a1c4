export type CreateTenant = Readonly<{ type: 'CreateTenant'; data: Readonly<{ tenantId: string; name: string; now: string }> }>;

/** The shell generated the key and hashed its secret; the decider records only the hash. */
export type IssueApiKey = Readonly<{
  type: 'IssueApiKey';
  data: Readonly<{ tenantId: string; keyId: string; name: string; salt: string; keyHash: string; now: string }>;
}>;

/** Revoking a revoked key is a no-op, so a retried DELETE is safe. */
export type RevokeApiKey = Readonly<{ type: 'RevokeApiKey'; data: Readonly<{ tenantId: string; keyId: string; now: string }> }>;

export type TenantCommand = CreateTenant | IssueApiKey | RevokeApiKey;
