/**
 * The console's one way to the /v1 API: same origin, the session cookie, the session's CSRF token on
 * every state-changing request, and the tenant an operator picked. Errors arrive as problem+json.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let tenantId: string | null = null;

export const setCsrfToken = (token: string | null) => void (csrfToken = token);
export const setTenant = (id: string | null) => void (tenantId = id);

export const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (tenantId) headers['x-oms-tenant'] = tenantId;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 204) return undefined as T;
  const payload = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const issues = Array.isArray(payload?.issues) ? (payload.issues as { path: string; message: string }[]).map((i) => `${i.path}: ${i.message}`).join('; ') : '';
    const detail = typeof payload?.detail === 'string' ? payload.detail : `Request failed (${res.status})`;
    throw new ApiError(res.status, typeof payload?.code === 'string' ? payload.code : null, issues ? `${detail} — ${issues}` : detail);
  }
  return payload as T;
};

/** A query string from the given values (undefined and empty ones left out). */
export const query = (values: Record<string, string | number | null | undefined>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
};

export type Role = 'operator' | 'seller_admin' | 'seller_viewer' | 'auditor';
export type SessionInfo = {
  user: { userId: string; email: string; role: Role; tenantId: string | null; mustChangePassword: boolean };
  csrfToken: string;
  tenants: { tenantId: string; name: string }[];
};
export type Store = {
  storeId: string;
  platform: string;
  marketplaceId: string;
  countryCode: string;
  marketplaceName: string;
  name: string;
  status: string;
  sync: { lastSuccessAt: string | null; nextRunAt: string | null; running: boolean; lastError: string | null; failures: number };
};
export type Product = { sku: string; name: string; barcode: string | null; status: string };
export type Mapping = { platformSku: string; components: { sku: string; quantity: number }[]; version: number; updatedAt: string };
export type Page<T> = { items: T[]; nextCursor: string | null };
export type OrderSummary = {
  orderId: string;
  storeId: string;
  platform: string;
  platformOrderId: string;
  status: string;
  purchasedAt: string;
  handoff: { state: string; holdSkus: string[] };
  lineCount: number;
};
export type OrderDetail = OrderSummary & {
  platformStatus: string;
  shipBy: string | null;
  lines: { lineId: string; platformSku: string; quantityOrdered: number; title: string | null }[];
  warehouseLines: { lineId: string; sku: string; quantity: number; source: { platformSku: string; factor: number; mappingVersion: number } }[];
};
export type HistoryEntry = { revision: number; type: string; recordedAt: string; actor: string | null };
