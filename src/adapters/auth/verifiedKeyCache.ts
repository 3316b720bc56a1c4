import { createHash } from 'node:crypto';
import type { VerifiedKeys } from '../../domain/ports/verifiedKeys.js';

/**
 * API keys that verified recently, so a client's burst of requests reads its tenant's stream once
 * per TTL instead of once per request (that read was a third of a list request's node CPU).
 *
 * - Keyed by SHA-256 of the whole token: the key is never held in clear, and a token with a wrong
 *   secret has another digest, so it can never hit an entry (only tokens that verified are remembered).
 * - `forget(keyId)` drops the key's entry at once (revocation in this process), and stops a check that
 *   was already running from remembering what it read before the revocation (`since` below). Other
 *   instances keep a revoked key for at most the TTL (docs/http-security.md).
 * - Bounded: past `maxEntries` the oldest entry goes; expired entries are dropped when met.
 */
export type VerifiedKeyCache<V> = VerifiedKeys<V> & Readonly<{ size: () => number }>;

export type VerifiedKeyCacheOptions = Readonly<{ ttlMs?: number; maxEntries?: number; now?: () => number }>;

const digestOf = (token: string) => createHash('sha256').update(token).digest('base64');

export const verifiedKeyCache = <V>(opts: VerifiedKeyCacheOptions = {}): VerifiedKeyCache<V> => {
  const ttlMs = opts.ttlMs ?? 2_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? (() => performance.now());
  const entries = new Map<string, { keyId: string; value: V; expiresAt: number }>();
  const digestByKey = new Map<string, string>();
  // Bumped by every forget: a verification that started before it may have read the key as valid.
  let forgets = 0;

  const drop = (digest: string) => {
    const entry = entries.get(digest);
    if (!entry) return;
    entries.delete(digest);
    if (digestByKey.get(entry.keyId) === digest) digestByKey.delete(entry.keyId);
  };

  return {
    get: (token) => {
      const digest = digestOf(token);
      const entry = entries.get(digest);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        drop(digest);
        return undefined;
      }
      return entry.value;
    },
    mark: () => forgets,
    remember: (token, keyId, value, since) => {
      if (since !== forgets || ttlMs <= 0 || maxEntries <= 0) return;
      const digest = digestOf(token);
      drop(digest);
      // Map order is insertion order: the first entry is the oldest.
      while (entries.size >= maxEntries) drop(entries.keys().next().value!);
      entries.set(digest, { keyId, value, expiresAt: now() + ttlMs });
      digestByKey.set(keyId, digest);
    },
    forget: (keyId) => {
      forgets++;
      const digest = digestByKey.get(keyId);
      if (digest !== undefined) drop(digest);
    },
    size: () => entries.size,
  };
};
