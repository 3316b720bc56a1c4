import type { Fault } from '../faults.js';
import type { Clock } from '../shared/clock.js';
import type { SandboxReply } from '../shared/http.js';
import { forbidden, thresholdViolated, UNAUTHORIZED_INFO, unauthorized, walmartError } from './errors.js';

/** Renders a response-replacing fault as Walmart's gateway would answer it. */
export const renderWalmartFault = (fault: Fault, clock: Clock): SandboxReply => {
  switch (fault.kind) {
    case 'throttle':
      return thresholdViolated({
        'x-current-token-count': '0',
        'x-next-replenishment-time': String(clock.now() + 60_000),
        ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
      });
    case 'serverError': {
      const status = fault.status ?? 500;
      // An unreachable gateway answers with a bare status and no Walmart body.
      if (status === 502 || status === 503) return { status };
      return status === 504
        ? walmartError(504, 'DOWNSTREAM_SYSTEM_TIME_OUT', { description: 'The downstream system timed out.', category: 'SYSTEM' })
        : walmartError(status, 'SYSTEM_ERROR.GMP_GATEWAY_API', { description: 'Internal system error.', category: 'SYSTEM' });
    }
    case 'expiredToken':
    case 'invalidToken':
      return unauthorized(UNAUTHORIZED_INFO.token);
    case 'sandboxKey':
      return unauthorized(UNAUTHORIZED_INFO.client);
    case 'missingScope':
      return forbidden('orders');
    default:
      return walmartError(500, 'SYSTEM_ERROR.GMP_GATEWAY_API', { description: 'Internal system error.', category: 'SYSTEM' });
  }
};
