import { MarketplaceError } from '../../domain/ports/marketplaces.js';

export type HttpResult = Readonly<{ status: number; headers: Headers; body: unknown; text: string }>;

/**
 * One HTTP call with a deadline; the body is parsed as JSON when it is JSON. Network failures and
 * timeouts become MarketplaceErrors; status codes are left to the caller to interpret.
 */
export const httpCall = async (url: string, init: RequestInit & { timeoutMs?: number }): Promise<HttpResult> => {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 20_000) });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new MarketplaceError('timeout', null, `no answer from ${new URL(url).host} in time`);
    throw new MarketplaceError('server_error', null, `cannot reach ${new URL(url).host}`);
  }
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null; // callers decide whether a non-JSON body is an error
    }
  }
  return { status: res.status, headers: res.headers, body, text };
};

/** Seconds from Retry-After, as milliseconds (null when absent or unparseable). */
export const retryAfterMs = (headers: Headers): number | null => {
  const v = headers.get('retry-after');
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
};

/** A status the marketplace answered that the caller has no special meaning for. */
export const genericFailure = (what: string, r: HttpResult): MarketplaceError => {
  if (r.status === 429) return new MarketplaceError('rate_limited', 429, `${what}: rate limited`, retryAfterMs(r.headers));
  if (r.status >= 500) return new MarketplaceError('server_error', r.status, `${what}: marketplace error ${r.status}`, retryAfterMs(r.headers));
  if (r.status === 401) return new MarketplaceError('unauthorized', 401, `${what}: unauthorized`);
  if (r.status === 403) return new MarketplaceError('forbidden', 403, `${what}: forbidden`);
  return new MarketplaceError('bad_request', r.status, `${what}: refused with ${r.status}`);
};
