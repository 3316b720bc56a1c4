import type { Clock } from '../shared/clock.js';
import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { badRequest, contentNotFound } from './errors.js';
import type { WalmartOrderRecord, WalmartOrderStore } from './orderStore.js';
import { presentCanada } from './marketShapes.js';
import { SHIP_NODE_TYPES, WALMART_LINE_STATUSES, type WalmartMarket, type WalmartOrder } from './types.js';

const DAY = 86_400_000;
const MAX_LIMIT = 200;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export type ListOrdersDeps = Readonly<{
  store: WalmartOrderStore;
  clock: Clock;
  /** Orders older than this are not served (Walmart: 180 days). */
  historyDays: number;
  /** Results one search can page through before its cursor stops (spec 20,000; current docs 10,000). */
  maxOrdersPerQuery: number;
}>;

/** Query parameters that are filters: repeated verbatim in nextCursor so the next page searches the same way. */
const FILTER_PARAMS = [
  'sku', 'customerOrderId', 'purchaseOrderId', 'status', 'createdStartDate', 'createdEndDate',
  'fromExpectedShipDate', 'toExpectedShipDate', 'lastModifiedStartDate', 'lastModifiedEndDate',
  'productInfo', 'shipNodeType', 'replacementInfo', 'orderType',
] as const;

type Search = {
  limit: number;
  createdStart: number;
  createdEnd: number;
  range: Partial<Record<'lastModifiedStart' | 'lastModifiedEnd' | 'shipFrom' | 'shipTo', number>>;
  /** null: every ship node (Canada's search has no shipNodeType). */
  shipNodeType: string | null;
  text: Partial<Record<'sku' | 'customerOrderId' | 'purchaseOrderId' | 'status' | 'orderType', string>>;
};

type Rejected = Readonly<{ error: SandboxReply }>;
const invalid = (field: string, description: string) => badRequest('INVALID_REQUEST_PARAM', field, description);
const reject = (field: string, description: string): Rejected => ({ error: invalid(field, description) });

const parseDate = (query: URLSearchParams, name: string): number | Rejected | undefined => {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  return ISO_DATE.test(raw) && Number.isFinite(ms) ? ms : reject(name, `${name} must be yyyy-MM-dd or an ISO 8601 date-time.`);
};

const parseSearch = (query: URLSearchParams, now: number, deps: ListOrdersDeps, released: boolean, market: WalmartMarket): Search | Rejected => {
  // Canada's createdStartDate is required (its spec); the US defaults it to 7 days ago.
  if (market === 'ca' && !released && !query.has('createdStartDate')) return { error: badRequest('MISSING_REQUEST_PARAM', 'createdStartDate', 'createdStartDate is required.') };
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? 100 : Number(rawLimit);
  if (!/^\d+$/.test(rawLimit ?? '100') || limit < 1 || limit > MAX_LIMIT) return reject('limit', `limit must be between 1 and ${MAX_LIMIT}.`);
  const dates: Record<string, number | undefined> = {};
  for (const name of ['createdStartDate', 'createdEndDate', 'lastModifiedStartDate', 'lastModifiedEndDate', 'fromExpectedShipDate', 'toExpectedShipDate']) {
    const value = parseDate(query, name);
    if (typeof value === 'object') return value;
    dates[name] = value;
  }
  if (released && (query.has('lastModifiedStartDate') || query.has('lastModifiedEndDate') || query.has('status'))) {
    return reject('status', 'Released orders cannot be filtered by status or lastModified dates.');
  }
  const status = query.get('status');
  if (status !== null && !(WALMART_LINE_STATUSES as readonly string[]).includes(status)) return reject('status', `Unknown status ${status}.`);
  const shipNodeType = market === 'ca' ? null : (query.get('shipNodeType') ?? 'SellerFulfilled');
  if (shipNodeType !== null && !(SHIP_NODE_TYPES as readonly string[]).includes(shipNodeType)) return reject('shipNodeType', `Unknown shipNodeType ${shipNodeType}.`);
  const orderType = query.get('orderType');
  if (orderType !== null && orderType !== 'REGULAR' && orderType !== 'REPLACEMENT') return reject('orderType', `Unknown orderType ${orderType}.`);
  // Documented defaults: created in the last 7 days; nothing older than the history limit is served.
  const createdStart = Math.max(dates.createdStartDate ?? now - 7 * DAY, now - deps.historyDays * DAY);
  const createdEnd = dates.createdEndDate ?? now;
  if (createdEnd < createdStart) return reject('createdEndDate', 'createdEndDate must not be before createdStartDate.');
  const text: Search['text'] = {};
  for (const name of ['sku', 'customerOrderId', 'purchaseOrderId', 'orderType'] as const) {
    const value = query.get(name);
    if (value !== null) text[name] = value;
  }
  if (released) text.status = 'Created';
  else if (status !== null) text.status = status;
  const range: Search['range'] = {};
  if (dates.lastModifiedStartDate !== undefined) range.lastModifiedStart = dates.lastModifiedStartDate;
  if (dates.lastModifiedEndDate !== undefined) range.lastModifiedEnd = dates.lastModifiedEndDate;
  if (dates.fromExpectedShipDate !== undefined) range.shipFrom = dates.fromExpectedShipDate;
  if (dates.toExpectedShipDate !== undefined) range.shipTo = dates.toExpectedShipDate;
  return { limit, createdStart, createdEnd, range, shipNodeType, text };
};

const matches = (record: WalmartOrderRecord, search: Search): boolean => {
  const { order, lastModified } = record;
  const { range, text } = search;
  if (search.shipNodeType !== null && (order.shipNode?.type ?? 'SellerFulfilled') !== search.shipNodeType) return false;
  // Canada lists its WFS orders apart (/v3/ca/orders/wfs, not served here).
  if (search.shipNodeType === null && order.shipNode?.type === 'WFSFulfilled') return false;
  if (range.lastModifiedStart !== undefined && lastModified < range.lastModifiedStart) return false;
  if (range.lastModifiedEnd !== undefined && lastModified > range.lastModifiedEnd) return false;
  if (range.shipFrom !== undefined && order.shippingInfo.estimatedShipDate < range.shipFrom) return false;
  if (range.shipTo !== undefined && order.shippingInfo.estimatedShipDate > range.shipTo) return false;
  if (text.purchaseOrderId !== undefined && order.purchaseOrderId !== text.purchaseOrderId) return false;
  if (text.customerOrderId !== undefined && order.customerOrderId !== text.customerOrderId) return false;
  if (text.orderType !== undefined && (order.orderType ?? 'REGULAR') !== text.orderType) return false;
  const lines = order.orderLines.orderLine;
  if (text.sku !== undefined && !lines.some((line) => line.item.sku === text.sku)) return false;
  if (text.status !== undefined && !lines.some((l) => l.orderLineStatuses.orderLineStatus.some((s) => s.status === text.status))) return false;
  return true;
};

/** Optional extras the caller asks for (productInfo, replacementInfo). */
export const presentOrder = (order: WalmartOrder, query: URLSearchParams): WalmartOrder => {
  const withProduct = query.get('productInfo') === 'true';
  const withReplacement = query.get('replacementInfo') === 'true';
  if (!withProduct && !withReplacement) return order;
  return {
    ...order,
    ...(withReplacement ? { orderType: order.orderType ?? 'REGULAR' } : {}),
    orderLines: {
      orderLine: order.orderLines.orderLine.map((line) =>
        withProduct
          ? { ...line, item: { ...line.item, imageUrl: `https://i5.walmartimages.com/asr/${line.item.sku.toLowerCase()}.jpeg`, weight: { value: '1.25', unit: 'Pounds' } } }
          : line,
      ),
    },
  };
};

/** Walmart's cursors show ISO instants with bare colons; everything else is percent-encoded. */
const encodeValue = (value: string) => encodeURIComponent(value).replace(/%3A/gi, ':');

const encodePosition = (ms: number, id: string) => Buffer.from(`${ms}:${id}`).toString('base64url');
const decodePosition = (text: string): { ms: number; id: string } | undefined => {
  const match = /^(\d+):(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return match === null ? undefined : { ms: Number(match[1]), id: match[2] as string };
};

/**
 * GET /v3/orders (and /v3/orders/released): newest first, paged by a `nextCursor` that is a ready-made
 * query string. The cursor freezes createdEndDate, so orders created while a client pages are left
 * for its next search instead of shifting pages under it.
 */
export const listOrders = (deps: ListOrdersDeps, request: SandboxRequest, partnerId: string, released: boolean, market: WalmartMarket = 'us'): SandboxReply => {
  const now = deps.clock.now();
  const query = request.query;
  const s = parseSearch(query, now, deps, released, market);
  if ('error' in s) return s.error;
  const continuing = query.get('hasMoreElements') === 'true';
  const position = continuing ? decodePosition(query.get('cursor') ?? '') : undefined;
  if (continuing && position === undefined) return invalid('cursor', 'The cursor is invalid; pass nextCursor back exactly as received.');
  if (continuing && query.get('partnerId') !== partnerId) return invalid('partnerId', 'The cursor belongs to another seller.');

  const index = deps.store.byOrderDate(partnerId);
  const startAt = position === undefined ? index.upperBound(s.createdEnd, '\uffff') - 1 : index.lowerBound(position.ms, position.id) - 1;
  const served = continuing ? Number(query.get('poIndex') ?? '0') : 0;
  const room = Math.max(0, Math.min(s.limit, deps.maxOrdersPerQuery - served));
  const page: WalmartOrderRecord[] = [];
  let more = false;
  let total = continuing ? Number(query.get('soIndex') ?? '0') : 0;
  for (let at = startAt; at >= 0; at -= 1) {
    const entry = index.at(at);
    if (entry === undefined || entry.ms < s.createdStart) break;
    const record = deps.store.get(entry.id);
    if (record === undefined || (record.market ?? 'us') !== market || !matches(record, s)) continue;
    if (page.length < room) page.push(record);
    else {
      more = true;
      // The first page reports the full count (Walmart's totalCount); later pages carry it in soIndex.
      if (continuing) break;
    }
    if (!continuing) total += 1;
  }
  if (page.length === 0 && !continuing) return contentNotFound('No orders found for the given search parameters.');

  const last = page[page.length - 1];
  const nextServed = served + page.length;
  const nextCursor =
    more && last !== undefined && nextServed < deps.maxOrdersPerQuery
      ? `?${[
          `limit=${s.limit}`,
          'hasMoreElements=true',
          `soIndex=${total}`,
          `poIndex=${nextServed}`,
          `partnerId=${partnerId}`,
          `sellerId=${partnerId}`,
          `createdStartDate=${new Date(s.createdStart).toISOString()}`,
          `createdEndDate=${new Date(s.createdEnd).toISOString()}`,
          ...FILTER_PARAMS.filter((name) => name !== 'createdStartDate' && name !== 'createdEndDate' && query.has(name)).map(
            (name) => `${name}=${encodeValue(query.get(name) ?? '')}`,
          ),
          `cursor=${encodePosition(last.order.orderDate, last.order.purchaseOrderId)}`,
        ].join('&')}`
      : null;
  const meta = { totalCount: total, limit: s.limit, nextCursor };
  // Canada's spec draws the list (OrdersListType) without the US's `list` wrapper, in its own order shape.
  if (market === 'ca') return { status: 200, json: { meta, elements: { order: page.map((record) => presentCanada(presentOrder(record.order, query))) } } };
  return { status: 200, json: { list: { meta, elements: { order: page.map((record) => presentOrder(record.order, query)) } } } };
};
