import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { badRequest } from './errors.js';
import type { ListOrdersDeps } from './listOrders.js';
import { presentMexico } from './marketShapes.js';
import type { WalmartOrderRecord } from './orderStore.js';

/**
 * Mexico's order searches (orders spec, getAllOrdersUsingCursor and getAllOrders): both answer
 * `{meta, order:[…]}` newest first, 100 orders a page at most.
 * - GET /v3/orders/cursor: statusCodeFilter is required; createdStartDate and createdEndDate come
 *   both or neither, as yyyy-MM-dd'T'HH:mm:ss.SSSXXX; cursorMark "*" starts, meta.nextCursorMark
 *   continues (absent on the last page).
 * - GET /v3/orders: offset paging (offset at most 1000), dates in epoch seconds; also finds one
 *   order by purchaseOrderId or customerOrderId.
 */
const DAY = 86_400_000;
const MAX_LIMIT = 100;
const MAX_OFFSET = 1000;
export const MX_STATUSES = ['Created', 'Acknowledged', 'Shipped', 'Cancelled', 'OnHold', 'Delivered'] as const;
const CURSOR_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;

const invalid = (field: string, description: string) => badRequest('INVALID_REQUEST_PARAM', field, description);

const encodeMark = (ms: number, id: string) => Buffer.from(`mx:${ms}:${id}`).toString('base64url');
const decodeMark = (mark: string): { ms: number; id: string } | undefined => {
  const match = /^mx:(\d+):(\d+)$/.exec(Buffer.from(mark, 'base64url').toString('utf8'));
  return match === null ? undefined : { ms: Number(match[1]), id: match[2] as string };
};

type Filter = Readonly<{ from: number; to: number; status: string | null; purchaseOrderId: string | null; customerOrderId: string | null }>;

const matches = (record: WalmartOrderRecord, f: Filter) => {
  const { order } = record;
  if (order.orderDate < f.from || order.orderDate > f.to) return false;
  if (f.purchaseOrderId !== null && order.purchaseOrderId !== f.purchaseOrderId) return false;
  if (f.customerOrderId !== null && order.customerOrderId !== f.customerOrderId) return false;
  if (f.status !== null && !order.orderLines.orderLine.some((l) => l.orderLineStatuses.orderLineStatus.some((s) => s.status === f.status))) return false;
  return true;
};

/** A seller's Mexican orders matching the filter, newest first, from (before) a position. */
const search = (deps: ListOrdersDeps, partnerId: string, f: Filter, after?: { ms: number; id: string }) => {
  const index = deps.store.byOrderDate(partnerId);
  const start = after === undefined ? index.size() - 1 : index.lowerBound(after.ms, after.id) - 1;
  const found: WalmartOrderRecord[] = [];
  for (let at = start; at >= 0; at -= 1) {
    const entry = index.at(at);
    if (entry === undefined || entry.ms < f.from) break;
    const record = deps.store.get(entry.id);
    if (record !== undefined && record.market === 'mx' && matches(record, f)) found.push(record);
  }
  return found;
};

const limitOf = (query: URLSearchParams): number | SandboxReply => {
  const raw = query.get('limit') ?? '10';
  const limit = Number(raw);
  return /^\d+$/.test(raw) && limit >= 1 && limit <= MAX_LIMIT ? limit : invalid('limit', `limit must be between 1 and ${MAX_LIMIT}.`);
};

const text = (query: URLSearchParams, name: string) => query.get(name);

export const listMexicoOrdersByCursor = (deps: ListOrdersDeps, request: SandboxRequest, partnerId: string): SandboxReply => {
  const query = request.query;
  const now = deps.clock.now();
  const status = query.get('statusCodeFilter');
  if (status === null || status === '') return badRequest('MISSING_REQUEST_PARAM', 'statusCodeFilter', 'statusCodeFilter is required.');
  if (!(MX_STATUSES as readonly string[]).includes(status)) return invalid('statusCodeFilter', `statusCodeFilter must be one of ${MX_STATUSES.join(', ')}.`);
  const start = query.get('createdStartDate');
  const end = query.get('createdEndDate');
  if ((start === null) !== (end === null)) return invalid('createdStartDate', 'Pass both createdStartDate and createdEndDate, or neither.');
  for (const [name, value] of [['createdStartDate', start], ['createdEndDate', end]] as const) {
    if (value !== null && !CURSOR_DATE.test(value)) return invalid(name, `${name} must be yyyy-MM-ddTHH:mm:ss.SSSXXX.`);
  }
  const limit = limitOf(query);
  if (typeof limit !== 'number') return limit;
  const mark = query.get('cursorMark') ?? '*';
  const after = mark === '*' ? undefined : decodeMark(mark);
  if (mark !== '*' && after === undefined) return invalid('cursorMark', 'The cursorMark is invalid; pass nextCursorMark back as received.');
  const history = now - deps.historyDays * DAY;
  const f: Filter = {
    from: Math.max(start === null ? history : Date.parse(start), history),
    to: end === null ? now : Date.parse(end),
    status,
    purchaseOrderId: text(query, 'purchaseOrderId'),
    customerOrderId: text(query, 'customerOrderId'),
  };
  const all = search(deps, partnerId, f);
  const found = after === undefined ? all : search(deps, partnerId, f, after);
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const more = found.length > page.length && last !== undefined;
  return {
    status: 200,
    json: {
      meta: { totalCount: all.length, limit, ...(more ? { nextCursorMark: encodeMark(last.order.orderDate, last.order.purchaseOrderId) } : {}) },
      order: page.map((r) => presentMexico(r.order)),
    },
  };
};

export const listMexicoOrdersByOffset = (deps: ListOrdersDeps, request: SandboxRequest, partnerId: string): SandboxReply => {
  const query = request.query;
  const now = deps.clock.now();
  const seconds = (name: string, fallback: number): number | SandboxReply => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    return /^\d+$/.test(raw) ? Number(raw) * 1000 : invalid(name, `${name} must be epoch seconds.`);
  };
  const from = seconds('createdStartDate', now - 180 * DAY);
  if (typeof from !== 'number') return from;
  const to = seconds('createdEndDate', now);
  if (typeof to !== 'number') return to;
  const limit = limitOf(query);
  if (typeof limit !== 'number') return limit;
  const rawOffset = query.get('offset') ?? '0';
  const offset = Number(rawOffset);
  if (!/^\d+$/.test(rawOffset) || offset > MAX_OFFSET) return invalid('offset', `offset must be between 0 and ${MAX_OFFSET}.`);
  const status = query.get('statusCodeFilter');
  if (status !== null && !(MX_STATUSES as readonly string[]).includes(status)) return invalid('statusCodeFilter', `statusCodeFilter must be one of ${MX_STATUSES.join(', ')}.`);
  const found = search(deps, partnerId, {
    from: Math.max(from, now - deps.historyDays * DAY), to, status, purchaseOrderId: text(query, 'purchaseOrderId'), customerOrderId: text(query, 'customerOrderId'),
  });
  return { status: 200, json: { meta: { totalCount: found.length, limit }, order: found.slice(offset, offset + limit).map((r) => presentMexico(r.order)) } };
};
