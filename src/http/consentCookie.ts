import { createHash, randomBytes } from 'node:crypto';

/**
 * The one-time cookie that binds a consent state to the browser that followed OMS's consent link
 * (Amazon now, Walmart Connect next). Only its hash is recorded; the callback must bring it back.
 * httpOnly (no script reads it), SameSite=Lax (sent on the marketplace's top-level redirect back,
 * not on cross-site subrequests), scoped to the authorization routes and to the consent's lifetime.
 */
const PATH = '/v1/authorizations';
const MAX_AGE_SECONDS = 600;

/** One cookie per authorization, so two consents in one browser do not overwrite each other. */
const cookieName = (state: string) => `oms_consent_${(state.split('.')[0] ?? '').replace(/[^0-9a-f-]/g, '').slice(0, 36)}`;

export const bindingHashOf = (value: string) => createHash('sha256').update(value).digest('hex');

/** A fresh binding: its hash to record first, then the Set-Cookie (Secure when OMS is reached over HTTPS). */
export const newConsentBinding = (state: string) => {
  const value = randomBytes(32).toString('base64url');
  return {
    bindingHash: bindingHashOf(value),
    setCookie: (secure: boolean) => `${cookieName(state)}=${value}; Path=${PATH}; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
  };
};

/** Spent by the callback whatever its outcome: the binding works once. */
export const clearConsentBinding = (state: string, secure: boolean) =>
  `${cookieName(state)}=; Path=${PATH}; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

/** The binding's hash from the request's Cookie header, or null when the browser brought none. */
export const bindingHashFrom = (cookieHeader: string | undefined, state: string): string | null => {
  const name = cookieName(state);
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value ? bindingHashOf(value) : null;
    }
  }
  return null;
};
