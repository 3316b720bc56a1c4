import type { SandboxReply } from '../shared/http.js';

/** SP-API error body: `{ errors: [{ code, message, details? }] }` (every model's ErrorList). */
export const spApiError = (
  status: number,
  code: string,
  message: string,
  details?: string,
  headers: Readonly<Record<string, string>> = {},
): SandboxReply => ({
  status,
  headers,
  json: { errors: [{ code, message, ...(details !== undefined ? { details } : {}) }] },
});

export const invalidInput = (details: string, headers?: Readonly<Record<string, string>>): SandboxReply =>
  spApiError(400, 'InvalidInput', 'Invalid Input', details, headers);

/** The gateway's 403 for token problems; the reason is in `details`, as Amazon sends it. */
export const accessDenied = (details: string): SandboxReply =>
  spApiError(403, 'Unauthorized', 'Access to requested resource is denied.', details, {
    'x-amzn-ErrorType': 'AccessDeniedException',
  });

export const TOKEN_DETAILS = {
  missing: 'Access token is missing in the request header.',
  invalid: 'The access token you provided is revoked, malformed or invalid.',
  expired: 'The access token you provided has expired.',
  denied: '',
} as const;

export const quotaExceeded = (retryAfterSeconds?: number): SandboxReply =>
  spApiError(429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.', '', {
    ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
  });

export const serverError = (status: number): SandboxReply =>
  status === 503
    ? spApiError(503, 'ServiceUnavailable', 'Service temporarily unavailable. Please try again.', '')
    : spApiError(status, 'InternalFailure', 'We encountered an internal error. Please try again.', '');

/** LWA speaks OAuth 2.0: `{ error, error_description }`. */
export const lwaError = (status: number, error: string, description: string): SandboxReply => ({
  status,
  headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' },
  json: { error, error_description: description },
});

export const invalidGrant = (parameter: 'code' | 'refresh_token' | 'redirect_uri'): SandboxReply =>
  lwaError(400, 'invalid_grant', `The request has an invalid grant parameter : ${parameter}`);
