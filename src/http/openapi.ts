import { STATUS_CODES } from 'node:http';

/**
 * What every operation of /openapi.json carries besides its route's own schema: an operationId, a
 * summary, and the problem+json answers it can give, all with one shared Problem schema. Added to
 * the generated document (not to the routes' response schemas), so answers are not re-validated.
 */
type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { in?: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, unknown>;
};

export const PROBLEM_SCHEMA = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is stable and `type` names its documentation page (`/problems/<code>`, see docs/errors/); ' +
    '`title` is the HTTP status phrase; validation answers list at most 100 `issues` with `totalIssues`.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri-reference', examples: ['/problems/sku_exists', 'about:blank'] },
    title: { type: 'string', examples: ['Conflict'] },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
    detail: { type: 'string' },
    issues: { type: 'array', maxItems: 100, items: { type: 'object' } },
    totalIssues: { type: 'integer', minimum: 0 },
  },
  additionalProperties: true,
} as const;

export const CAPABILITY_TAGS = [
  { name: 'tenants', description: 'Tenants and their API keys (admin token), and who is calling' },
  { name: 'authorizations', description: 'Connected Amazon and Walmart accounts: consent, keys, pause, revoke' },
  { name: 'stores', description: 'Marketplace stores, their pulls and synchronization' },
  { name: 'products', description: 'System SKUs: the warehouse’s products' },
  { name: 'mappings', description: 'Platform SKU → system SKUs × quantity, per store; CSV import and export' },
  { name: 'orders', description: 'Pulled orders, their hand-off to the warehouse and their history' },
  { name: 'warehouse', description: 'The warehouse feed: the messages the WMS receives' },
];

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

const problem = (status: number) => ({
  description: STATUS_CODES[status] ?? 'Error',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** `GET /v1/stores/{storeId}/pulls` → `getStoresByStoreIdPulls`: unique per method and path. */
export const operationIdOf = (method: string, path: string): string =>
  method +
  path
    .split('/')
    .filter((s) => s && s !== 'v1')
    .map((s) => (s.startsWith('{') ? `By${s.slice(1, -1)}` : s))
    .map((s) => s.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()))
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');

/** The first sentence of the description (without markdown), else the method and path. */
const summaryOf = (method: string, path: string, op: Operation): string => {
  const first = op.description?.split(/(?<=[.:;])\s|\n/)[0]?.replace(/[`*]/g, '').replace(/[.:;]$/, '').trim();
  return first && first.length <= 120 ? first : `${method.toUpperCase()} ${path}`;
};

/** The error statuses an operation can answer, from what it takes and whether it needs a key. */
const errorStatuses = (method: string, path: string, op: Operation): number[] => {
  const authenticated = path.startsWith('/v1/') && !(Array.isArray(op.security) && op.security.length === 0);
  const statuses = new Set<number>([400, 500]);
  if (authenticated) [401, 403, 429].forEach((s) => statuses.add(s));
  else if (path.startsWith('/v1/')) statuses.add(429);
  if (path.includes('{')) statuses.add(404);
  if (method !== 'get') [409, 413, 415, 422].forEach((s) => statuses.add(s));
  statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
};

export const completeOpenApi = <T extends Json>(doc: T): T => {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method)) continue;
      op.operationId ??= operationIdOf(method, path);
      op.summary ??= summaryOf(method, path, op);
      op.tags ??= [path.split('/')[2] ?? 'oms'];
      op.responses ??= {};
      for (const status of errorStatuses(method, path, op)) op.responses[String(status)] ??= problem(status);
    }
  }
  const components = (doc.components ?? {}) as Json & { schemas?: Json };
  return {
    ...doc,
    servers: [{ url: '/', description: 'This OMS instance: paths are relative to where it is served' }],
    tags: CAPABILITY_TAGS,
    components: { ...components, schemas: { ...(components.schemas ?? {}), Problem: PROBLEM_SCHEMA } },
  };
};
