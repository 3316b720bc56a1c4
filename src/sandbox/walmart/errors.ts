import type { SandboxReply } from '../shared/http.js';

type ErrorFields = Readonly<{
  field?: string;
  description: string;
  info?: string;
  severity?: 'INFO' | 'WARN' | 'ERROR';
  category?: 'APPLICATION' | 'SYSTEM' | 'REQUEST' | 'DATA';
}>;

/** Walmart's gateway error body: `{ errors: { error: [GatewayError] } }` (reference §B2). */
export const walmartError = (
  status: number,
  code: string,
  fields: ErrorFields,
  headers: Readonly<Record<string, string>> = {},
): SandboxReply => ({
  status,
  headers,
  json: {
    errors: {
      error: [
        {
          code,
          field: fields.field ?? code.split('.')[0],
          description: fields.description,
          info: fields.info ?? fields.description,
          severity: fields.severity ?? 'ERROR',
          category: fields.category ?? 'DATA',
          causes: [],
          errorIdentifiers: {},
        },
      ],
    },
  },
});

export const unauthorized = (info: string, headers?: Readonly<Record<string, string>>): SandboxReply =>
  walmartError(401, 'UNAUTHORIZED.GMP_GATEWAY_API', { field: 'UNAUTHORIZED', description: 'Unauthorized', info }, headers);

export const UNAUTHORIZED_INFO = {
  header: 'Unauthorized token or incorrect authorization header. Authorization: Basic Base64Encode(clientId:clientSecret)',
  client: 'Unauthorized token or invalid Client ID.',
  token: 'Unauthorized token. The access token is invalid, expired or was issued for another environment.',
} as const;

export const forbidden = (scope: string, headers?: Readonly<Record<string, string>>): SandboxReply =>
  walmartError(
    403,
    'FORBIDDEN.GMP_GATEWAY_API',
    { field: 'FORBIDDEN', description: 'Forbidden', info: `The key does not have the permission for this API (${scope}).` },
    headers,
  );

export const badRequest = (code: string, field: string, description: string, headers?: Readonly<Record<string, string>>): SandboxReply =>
  walmartError(400, code, { field, description, category: 'REQUEST' }, headers);

export const thresholdViolated = (headers: Readonly<Record<string, string>>): SandboxReply =>
  walmartError(
    429,
    'REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API',
    { field: 'REQUEST_THRESHOLD_VIOLATED', description: 'Too Many Requests', info: 'Request limit exceeded. Retry after the next replenishment time.', category: 'REQUEST' },
    headers,
  );

/** Walmart answers an order search without results with a 404 at INFO severity, not an empty list. */
export const contentNotFound = (description: string, headers?: Readonly<Record<string, string>>): SandboxReply =>
  walmartError(
    404,
    'CONTENT_NOT_FOUND.GMP_ORDER_API',
    { field: 'data', description, info: 'Requested content could not be found.', severity: 'INFO', category: 'APPLICATION' },
    headers,
  );
