import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * A safety net, not a licence: code must never hand credentials or buyer data to the logger.
 * Exact paths only — pino's `*` matches one level, so the common nestings are listed explicitly.
 * There is deliberately no bare `code`: `err.code` (ECONNREFUSED, SQL states) is what an operator
 * needs; the consent flow's one-time code is logged as neither (`spapi_oauth_code`, query values).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-access-token"]',
  'req.headers["wm_sec.access_token"]',
  'res.headers["set-cookie"]',
  ...['accessToken', 'refreshToken', 'clientSecret', 'clientBasic', 'client_secret', 'refresh_token', 'access_token',
    'password', 'secret', 'apiKey', 'token', 'authorization', 'masterKey', 'spapi_oauth_code',
    'buyer', 'shipTo', 'shippingAddress', 'buyerInfo', 'email', 'phone'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export type { Logger };

/** Query parameters whose values are credentials (the consent callback's code and state, tokens). */
const SECRET_QUERY_KEYS = new Set(['code', 'spapi_oauth_code', 'state', 'mws_auth_token', 'access_token', 'refresh_token', 'token', 'client_secret', 'apikey', 'api_key', 'authorization']);

/** Values that are credentials whatever they are called: OMS API keys and bearer credentials. */
const SECRET_VALUE = /omsk\.|bearer\s/i;

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
};

/**
 * The URL as logged: secret query values replaced (by parameter name and by value pattern), a
 * path that carries a credential replaced whole, and no query string at all for a URL no route
 * matched (nothing there is ours to interpret).
 */
export const redactUrl = (url: string, opts: { matched?: boolean } = {}): string => {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const path = SECRET_VALUE.test(decoded(rawPath)) ? '/[redacted]' : rawPath;
  if (q < 0) return path;
  if (opts.matched === false) return path;
  const shown = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    const secretKey = SECRET_VALUE.test(key);
    const secret = secretKey || SECRET_QUERY_KEYS.has(key.toLowerCase()) || SECRET_VALUE.test(value);
    shown.append(secretKey ? '[redacted]' : key, secret ? '[redacted]' : value);
  }
  return `${path}?${shown.toString()}`;
};

/**
 * Correlation ids accepted from callers: short, plain tokens (a UUID, a trace id). Anything else —
 * markup, kilobytes, an API key pasted by mistake — is replaced by a generated id, so what is echoed
 * and logged is never the caller's arbitrary text.
 */
export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export const acceptedCorrelationId = (value: unknown): string | null =>
  typeof value === 'string' && CORRELATION_ID.test(value) && !SECRET_VALUE.test(value) ? value : null;

type LoggedRequest = { method?: string; url?: string; ip?: string; is404?: boolean };

export const createLogger = (opts: { level: string }, destination?: DestinationStream): Logger =>
  pino(
    {
      level: opts.level,
      base: { service: 'oms' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Fastify logs each request through this serializer: keep the route, never secret query values.
      serializers: {
        req: (req: LoggedRequest) => ({
          method: req.method,
          url: req.url ? redactUrl(req.url, { matched: req.is404 !== true }) : undefined,
          remoteAddress: req.ip,
        }),
      },
    },
    destination,
  );
