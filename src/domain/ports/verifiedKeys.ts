/**
 * API keys that verified recently, remembered for a short time so that a client's burst of requests
 * does not read its tenant's stream on each (adapter: adapters/auth/verifiedKeyCache.ts).
 */
export type VerifiedKeys<V> = Readonly<{
  /** The value remembered for this token, if it verified less than the TTL ago. */
  get: (token: string) => V | undefined;
  /** A mark to take before verifying; `remember` with it is ignored if a key was forgotten since. */
  mark: () => number;
  remember: (token: string, keyId: string, value: V, since: number) => void;
  /** Drop the key at once (its revocation in this process). */
  forget: (keyId: string) => void;
}>;
