import { floorToSecond, isoSeconds, type Clock } from '../shared/clock.js';
import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { invalidInput } from './errors.js';
import { findMarketplace, type Region } from './marketplaces.js';
import type { AmazonOrderStore } from './orderStore.js';
import { viewOrder } from './orderView.js';
import type { TokenCodec } from './paginationToken.js';
import { FULFILLED_BY, FULFILLMENT_STATUSES, INCLUDED_DATA, type AmazonOrder, type IncludedData } from './types.js';

/** searchOrders' end bound must be at least two minutes before the request (model: createdBefore). */
export const END_BOUND_LAG_MS = 120_000;
const MAX_MARKETPLACES = 50;
const MAX_PAGE = 100;

type Filters = Readonly<{
  mode: 'created' | 'updated';
  after: number;
  before: number | undefined;
  marketplaceIds: readonly string[];
  statuses: readonly string[];
  fulfilledBy: readonly string[];
}>;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** SP-API lists arrive comma-separated (Swagger csv); repeated parameters are accepted too. */
export const listParam = (query: URLSearchParams, name: string): string[] =>
  query.getAll(name).flatMap((value) => value.split(',')).map((v) => v.trim()).filter((v) => v !== '');

const parseInstant = (query: URLSearchParams, name: string): number | string | undefined => {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  return ISO_8601.test(raw) && Number.isFinite(ms) ? ms : `${name} must be an ISO 8601 date-time.`;
};

const checkEnum = (name: string, values: readonly string[], allowed: readonly string[]): string | undefined => {
  const bad = values.find((v) => !allowed.includes(v));
  return bad === undefined ? undefined : `${name} contains an invalid value: ${bad}.`;
};

/** Validates the filters the way the model describes them; returns an error detail or the filters. */
const parseFilters = (query: URLSearchParams, region: Region, now: number): Filters | string => {
  const createdAfter = parseInstant(query, 'createdAfter');
  const createdBefore = parseInstant(query, 'createdBefore');
  const updatedAfter = parseInstant(query, 'lastUpdatedAfter');
  const updatedBefore = parseInstant(query, 'lastUpdatedBefore');
  for (const value of [createdAfter, createdBefore, updatedAfter, updatedBefore]) if (typeof value === 'string') return value;
  const created = createdAfter !== undefined || createdBefore !== undefined;
  const updated = updatedAfter !== undefined || updatedBefore !== undefined;
  if (created && updated) {
    return 'Either createdAfter/createdBefore or lastUpdatedAfter/lastUpdatedBefore may be provided, not both.';
  }
  const after = (created ? createdAfter : updatedAfter) as number | undefined;
  const before = (created ? createdBefore : updatedBefore) as number | undefined;
  const [afterName, beforeName] = created ? ['createdAfter', 'createdBefore'] : ['lastUpdatedAfter', 'lastUpdatedBefore'];
  if (after === undefined) return 'Exactly one of createdAfter and lastUpdatedAfter must be provided.';
  if (before !== undefined && before < after) return `${beforeName} must be equal to or after ${afterName}.`;
  if (before !== undefined && before > now - END_BOUND_LAG_MS) {
    return `${beforeName} must be at least two minutes before the time of the request.`;
  }
  const marketplaceIds = listParam(query, 'marketplaceIds');
  if (marketplaceIds.length > MAX_MARKETPLACES) return `marketplaceIds accepts at most ${MAX_MARKETPLACES} values.`;
  const foreign = marketplaceIds.find((id) => findMarketplace(id)?.region !== region);
  if (foreign !== undefined) return `Invalid marketplaceId for this endpoint: ${foreign}.`;
  const statuses = listParam(query, 'fulfillmentStatuses');
  const fulfilledBy = listParam(query, 'fulfilledBy');
  const enumError =
    checkEnum('fulfillmentStatuses', statuses, FULFILLMENT_STATUSES) ?? checkEnum('fulfilledBy', fulfilledBy, FULFILLED_BY);
  if (enumError !== undefined) return enumError;
  return {
    mode: created ? 'created' : 'updated',
    after,
    before,
    marketplaceIds: [...new Set(marketplaceIds)].sort(),
    statuses: [...new Set(statuses)].sort(),
    fulfilledBy: [...new Set(fulfilledBy)].sort(),
  };
};

export const parseIncludedData = (query: URLSearchParams): ReadonlySet<IncludedData> | string => {
  const values = listParam(query, 'includedData');
  return checkEnum('includedData', values, INCLUDED_DATA) ?? new Set(values as IncludedData[]);
};

const parsePageSize = (query: URLSearchParams): number | string => {
  const raw = query.get('maxResultsPerPage');
  if (raw === null) return MAX_PAGE;
  const size = Number(raw);
  return /^\d+$/.test(raw) && size >= 1 && size <= MAX_PAGE ? size : `maxResultsPerPage must be between 1 and ${MAX_PAGE}.`;
};

export type SearchDeps = Readonly<{ store: AmazonOrderStore; clock: Clock; codec: TokenCodec; paginationTokenTtlMs: number }>;

/** GET /orders/2026-01-01/orders for the seller and region an access token stands for. */
export const searchOrders = (
  deps: SearchDeps,
  request: SandboxRequest,
  account: Readonly<{ sellerId: string; region: Region }>,
  headers: Readonly<Record<string, string>>,
): SandboxReply => {
  const now = deps.clock.now();
  const filters = parseFilters(request.query, account.region, now);
  if (typeof filters === 'string') return invalidInput(filters, headers);
  const include = parseIncludedData(request.query);
  if (typeof include === 'string') return invalidInput(include, headers);
  const pageSize = parsePageSize(request.query);
  if (typeof pageSize === 'string') return invalidInput(pageSize, headers);

  const canonical = JSON.stringify(filters);
  const tokenText = request.query.get('paginationToken');
  const cursor = tokenText === null ? undefined : deps.codec.decode(tokenText);
  if (tokenText !== null) {
    if (cursor === undefined) return invalidInput('Invalid paginationToken.', headers);
    if (cursor.expiresAt <= now) return invalidInput('The paginationToken has expired.', headers);
    // The model: every parameter except maxResultsPerPage and includedData must repeat the first request's value.
    if (cursor.filters !== canonical) {
      return invalidInput('Parameters must match the request that produced the paginationToken.', headers);
    }
  }
  const end = cursor?.end ?? floorToSecond(filters.before ?? now - END_BOUND_LAG_MS);

  const { byCreated, byUpdated } = deps.store.indexes(account.sellerId, account.region);
  const index = filters.mode === 'created' ? byCreated : byUpdated;
  const marketplaces = new Set(filters.marketplaceIds);
  const statuses = new Set(filters.statuses);
  const fulfilledBy = new Set(filters.fulfilledBy);
  const page: { ms: number; id: string; order: AmazonOrder }[] = [];
  let more = false;
  for (let at = cursor === undefined ? index.lowerBound(filters.after) : index.upperBound(cursor.lastMs, cursor.lastId); ; at += 1) {
    const entry = index.at(at);
    if (entry === undefined || entry.ms > end) break;
    const order = deps.store.get(entry.id)?.order;
    if (order === undefined) continue;
    if (marketplaces.size > 0 && !marketplaces.has(order.salesChannel.marketplaceId)) continue;
    if (statuses.size > 0 && !statuses.has(order.fulfillment?.fulfillmentStatus ?? '')) continue;
    if (fulfilledBy.size > 0 && !fulfilledBy.has(order.fulfillment?.fulfilledBy ?? '')) continue;
    if (page.length === pageSize) {
      more = true;
      break;
    }
    page.push({ ...entry, order });
  }

  const last = page[page.length - 1];
  const nextToken =
    more && last !== undefined
      ? deps.codec.encode({ filters: canonical, end, lastMs: last.ms, lastId: last.id, expiresAt: now + deps.paginationTokenTtlMs })
      : undefined;
  return {
    status: 200,
    headers,
    json: {
      orders: page.map((entry) => viewOrder(entry.order, include)),
      ...(nextToken !== undefined ? { pagination: { nextToken } } : {}),
      [filters.mode === 'created' ? 'createdBefore' : 'lastUpdatedBefore']: isoSeconds(end),
    },
  };
};
