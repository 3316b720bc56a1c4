import { MarketplaceError } from '../../domain/ports/marketplaces.js';
import { genericFailure, type HttpResult } from './http.js';
import type { Outcome } from './retryPolicy.js';
import type { TokenBucket } from './tokenBucket.js';

/**
 * What a write call's answer means (acknowledge, confirm, cancel on either marketplace). The
 * marketplace's own error code and message go into the error — they name fields and states, not
 * buyer data — cut to a length fit for an event; the request body is never echoed.
 */
export const MAX_ERROR_MESSAGE = 300;

export const sanitized = (message: string) => message.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_MESSAGE);

export const interpretWrite = (
  r: HttpResult,
  what: string,
  bucket: TokenBucket,
  opts: Readonly<{ firstError: (r: HttpResult) => { code: string; message: string } | undefined; tokenRefused: (r: HttpResult) => boolean }>,
): Outcome<void> => {
  if (r.status >= 200 && r.status < 300) return { kind: 'done', value: undefined };
  if (r.status === 429) {
    bucket.drain();
    return { kind: 'transient', error: genericFailure(what, r) };
  }
  if (r.status >= 500) return { kind: 'transient', error: genericFailure(what, r) };
  if (opts.tokenRefused(r)) return { kind: 'tokenRejected', error: new MarketplaceError('unauthorized', r.status, `${what}: the access token was refused`) };
  const error = opts.firstError(r);
  const code = r.status === 403 ? 'forbidden' : r.status === 401 ? 'unauthorized' : 'bad_request';
  const message = error === undefined ? `${what}: refused with ${r.status}` : sanitized(`${what}: ${error.code}: ${error.message}`);
  return { kind: 'failed', error: new MarketplaceError(code, r.status, message) };
};
