import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `omsk.<tenantId>.<keyId>.<secret>`: the tenant and key id say where to look,
 * the 256-bit secret proves possession. Only HMAC-SHA256(salt, secret) is kept: the secret is
 * random, so a slow password hash adds nothing.
 */
const PREFIX = 'omsk';

export type IssuedKey = Readonly<{ keyId: string; token: string; salt: string; keyHash: string }>;

export const hashSecret = (salt: string, secret: string) => createHmac('sha256', salt).update(secret).digest('hex');

export const issueKeyMaterial = (tenantId: string): IssuedKey => {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { keyId, token: `${PREFIX}.${tenantId}.${keyId}.${secret}`, salt, keyHash: hashSecret(salt, secret) };
};

export const parseApiKey = (token: string): { tenantId: string; keyId: string; secret: string } | null => {
  const m = /^omsk\.([0-9a-f-]{36})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { tenantId: m[1]!, keyId: m[2]!, secret: m[3]! } : null;
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of two strings of any length. */
export const safeEqual = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export const secretMatches = (salt: string, keyHash: string, secret: string) => safeEqual(hashSecret(salt, secret), keyHash);
