/**
 * The console's one way to the /v1 API: same origin, the session cookie, the session's CSRF token on
 * every state-changing request, and the tenant an operator picked. Errors arrive as problem+json.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    /** The whole problem document (importers' per-row `issues`, Walmart's `hint`…). */
    readonly problem: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let tenantId: string | null = null;

export const setCsrfToken = (token: string | null) => void (csrfToken = token);
export const setTenant = (id: string | null) => void (tenantId = id);

/** Options of one request: a raw body (CSV) instead of JSON, or no picked tenant (administration). */
export type ApiOptions = { raw?: { body: string; contentType: string }; noTenant?: boolean; text?: boolean };

export const api = async <T>(method: string, path: string, body?: unknown, options: ApiOptions = {}): Promise<T> => {
  const headers: Record<string, string> = { accept: options.text ? 'text/csv, application/problem+json' : 'application/json' };
  if (options.raw) headers['content-type'] = options.raw.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (tenantId && !options.noTenant) headers['x-oms-tenant'] = tenantId;
  const sent = options.raw ? options.raw.body : body !== undefined ? JSON.stringify(body) : undefined;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(sent !== undefined ? { body: sent } : {}) });
  if (res.status === 204) return undefined as T;
  if (res.ok && options.text) return (await res.text()) as T;
  const payload = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    // Row-level issues (importers) are shown by the screen itself; schema issues name the field.
    const issues = Array.isArray(payload?.issues) && payload.code !== 'import_invalid' ? (payload.issues as { path: string; message: string }[]).map((i) => `${i.path}: ${i.message}`).join('; ') : '';
    const detail = typeof payload?.detail === 'string' ? payload.detail : `Request failed (${res.status})`;
    throw new ApiError(res.status, typeof payload?.code === 'string' ? payload.code : null, issues ? `${detail} — ${issues}` : detail, payload);
  }
  return payload as T;
};

/** A CSV file's text, uploaded as text/csv. */
export const uploadCsv = <T>(path: string, csv: string) => api<T>('POST', path, undefined, { raw: { body: csv, contentType: 'text/csv' } });

/** Hands text to the browser as a downloaded file (the API needs headers a plain link cannot send). */
export const saveFile = (name: string, text: string, type = 'text/csv') => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
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
  authorizationId: string;
  platform: string;
  marketplaceId: string;
  countryCode: string;
  marketplaceName: string;
  name: string;
  status: string;
  sync: { lastSuccessAt: string | null; nextRunAt: string | null; running: boolean; lastError: string | null; failures: number; state: string; reason: string | null; failingSince: string | null };
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
export type AuthorizationSummary = {
  authorizationId: string;
  platform: string;
  name: string;
  region: string | null;
  status: string;
  accountId: string | null;
  clientIdHint: string | null;
  renewBy: string | null;
  lastFailure: string | null;
};
export type Authorization = Omit<AuthorizationSummary, 'renewBy' | 'lastFailure'> & {
  note: string | null;
  initialLookbackDays: number;
  grantedAt: string | null;
  renewal: { renewBy: string; daysLeft: number; warning: boolean } | null;
  marketplaces: { marketplaceId: string; countryCode: string; name: string; isParticipating: boolean; hasSuspendedListings: boolean; storeId: string | null }[];
  lastFailure: { reason: string; detail: string; at: string } | null;
  mergedInto: string | null;
  /** Walmart Connect (OAuth 2.0): the seller and market; null for Amazon and Walmart keys. */
  walmartConnect: { sellerId: string; market: string } | null;
};
export type Consent = { authorizationId: string; consentUrl: string; state: string; expiresAt: string };
export type ImportIssue = { row: number | null; column: string | null; code: string; reason: string };
export type UnmappedSku = { platformSku: string; heldOrders: number; oldestHeldSince: string | null };
export type RejectedOrder = { storeId: string; platform: string; platformOrderId: string | null; reason: string; firstRejectedAt: string; lastRejectedAt: string; rejections: number; state: string };
export type ConsoleUser = { userId: string; email: string; role: Role; tenantId: string | null; mustChangePassword: boolean; status: string };
