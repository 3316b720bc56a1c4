import type { Fault } from '../faults.js';
import type { SandboxReply } from '../shared/http.js';
import { consentErrorPage } from './consent.js';
import { accessDenied, lwaError, quotaExceeded, serverError, spApiError, TOKEN_DETAILS } from './errors.js';
import type { AmazonRoute } from './routes.js';

const lwaFault = (fault: Fault): SandboxReply => {
  switch (fault.kind) {
    case 'throttle': {
      const reply = lwaError(429, 'temporarily_unavailable', 'Too many requests');
      const retry: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return { ...reply, headers: { ...reply.headers, ...retry } };
    }
    case 'serverError':
      return fault.status === 503
        ? lwaError(503, 'temporarily_unavailable', 'The service is temporarily unavailable')
        : lwaError(fault.status ?? 500, 'server_error', 'Internal server error');
    case 'expiredToken':
    case 'invalidToken':
      return lwaError(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
    case 'sandboxKey':
      return lwaError(401, 'invalid_client', 'Client authentication failed');
    case 'missingScope':
      return lwaError(400, 'invalid_scope', 'The request has an invalid parameter : scope');
    default:
      return lwaError(500, 'server_error', 'Internal server error');
  }
};

const spApiFault = (fault: Fault): SandboxReply => {
  switch (fault.kind) {
    case 'throttle':
      return quotaExceeded(fault.retryAfterSeconds);
    case 'serverError':
      return serverError(fault.status ?? 500);
    case 'expiredToken':
      return accessDenied(TOKEN_DETAILS.expired);
    case 'invalidToken':
      return accessDenied(TOKEN_DETAILS.invalid);
    // SP-API has no keys of its own; a token from elsewhere or an app without the role is simply denied.
    case 'sandboxKey':
    case 'missingScope':
      return accessDenied(TOKEN_DETAILS.denied);
    default:
      return spApiError(500, 'InternalFailure', 'We encountered an internal error. Please try again.', '');
  }
};

/** Renders a response-replacing fault the way the addressed Amazon service would answer. */
export const renderAmazonFault = (fault: Fault, route: AmazonRoute): SandboxReply => {
  if (route === 'lwaToken') return lwaFault(fault);
  if (route === 'consent') {
    const status = fault.kind === 'throttle' ? 429 : fault.kind === 'serverError' ? (fault.status ?? 500) : 400;
    return consentErrorPage(status, 'Something went wrong. Please try again later.');
  }
  return spApiFault(fault);
};
