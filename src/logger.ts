import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * A safety net, not a licence: code must never hand credentials or buyer data to the logger.
 * pino's `*` matches one level, so the common nestings are listed explicitly.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-access-token"]',
  'req.headers["wm_sec.access_token"]',
  'res.headers["set-cookie"]',
  ...['accessToken', 'refreshToken', 'clientSecret', 'client_secret', 'refresh_token', 'access_token',
    'password', 'secret', 'apiKey', 'token', 'authorization', 'masterKey', 'code', 'spapi_oauth_code',
    'buyer', 'shipTo', 'shippingAddress', 'buyerInfo', 'email', 'phone'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export type { Logger };

/** Query parameters whose values are credentials (the consent callback's code and state, tokens). */
const SECRET_QUERY_KEYS = new Set(['code', 'spapi_oauth_code', 'state', 'mws_auth_token', 'access_token', 'refresh_token', 'token', 'client_secret', 'apikey', 'api_key']);

/** The URL with secret query values replaced, for logs. */
export const redactUrl = (url: string): string => {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SECRET_QUERY_KEYS.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
};

type LoggedRequest = { method?: string; url?: string; hostname?: string; ip?: string; id?: string };

export const createLogger = (opts: { level: string }, destination?: DestinationStream): Logger =>
  pino(
    {
      level: opts.level,
      base: { service: 'oms' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Fastify logs each request through this serializer: keep the route, never secret query values.
      serializers: {
        req: (req: LoggedRequest) => ({ method: req.method, url: req.url ? redactUrl(req.url) : undefined, remoteAddress: req.ip }),
      },
    },
    destination,
  );
