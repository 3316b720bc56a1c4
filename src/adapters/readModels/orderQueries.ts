import { z } from 'zod';
import { OrderPulled } from '../../domain/order/events.js';
import { BuyerDataErased, FulfillmentEvent, reasonsOf, type HoldReason, type WarehouseLine } from '../../domain/order/fulfillmentEvents.js';
import type { PlatformOrderLine } from '../../domain/order/platformOrder.js';
import type { Page } from '../../domain/ports/cursors.js';
import type { EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type {
  HandoffStep,
  HistoryEntry,
  HoldReasonView,
  OrderDetail,
  OrderListFilter,
  OrderQueries,
  OrderSummary,
  RejectedFilter,
  RejectedOrder,
  UnmappedSku,
  WarehouseLineFilter,
  WarehouseLineRow,
} from '../../domain/ports/orderQueries.js';
import type { Sql } from '../../domain/ports/sql.js';
import { decodeWith } from '../../domain/shared/commandHandler.js';
import { listCursor, type ListCursor } from '../shared/cursorCodec.js';
import { isoFromUtcText, packing, utcText } from '../sql/packedRow.js';
import { marketplaceSyncQueries } from './marketplaceSyncQueries.js';
import { warehouseView } from './warehouseView.js';
import { fulfillmentDecider } from '../../domain/order/fulfillment.js';
import { orderStreamId } from '../../domain/order/streams.js';

/** What the stored buyer data is replaced by in any output: its ciphertext is not for clients either. */
export const SEALED = '[sealed]';
/** What it is replaced by once its key was shredded (BuyerDataErased): nothing can open it any more. */
export const ERASED = '[erased]';

/** The erasure recorded in an order stream, if any. */
export const erasureIn = (events: readonly RecordedEvent[]): RecordedEvent | undefined => events.find((e) => e.type === 'BuyerDataErased');

// Cursors carry the exact purchase time as PostgreSQL prints it (microseconds, UTC): a JS Date would
// round it to milliseconds, and a rounded key would skip or repeat rows at a page boundary.
const orderCursor = listCursor('orders', z.tuple([z.iso.datetime(), z.guid()]));
const lineCursor = listCursor('warehouse-lines', z.tuple([z.iso.datetime(), z.guid(), z.number().int().min(1)]));
const rejectedCursor = listCursor('rejected-orders', z.tuple([z.iso.datetime(), z.string().min(1).max(300)]));

const page = <R, T, K>(rows: R[], limit: number, view: (row: R) => T, cursor: ListCursor<K>, keyOf: (row: R) => K): Page<T> => {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(view), nextCursor: more ? cursor.encode(keyOf(items.at(-1)!)) : null };
};

const PURCHASE_KEY = `to_char(o.purchased_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS purchase_key`;

/** What a closed-set filter value looks like; only such text is ever written into the SQL. */
const CLOSED_SET_WORD = /^[a-z_]{1,32}$/;

/**
 * A WHERE clause that begins with the tenant; conditions are added with their parameters. Only the
 * filters asked for reach the SQL, so the planner sees each query's real shape and picks its index.
 */
const tenantWhere = (tenantId: string) => {
  const params: unknown[] = [tenantId];
  const conditions = ['o.tenant_id = $1'];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  return {
    params,
    param,
    /**
     * A value from a closed set (status, hand-off state, platform, confirmation: words the API checked)
     * written into the text, so the plan the list makes once for any parameters still knows it (the
     * held orders' partial index, how common the value is). Anything else is bound as a parameter.
     */
    word: (value: string) => (CLOSED_SET_WORD.test(value) ? `'${value}'` : param(value)),
    and: (condition: string) => void conditions.push(condition),
    sql: () => conditions.join(' AND '),
  };
};

const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Summary rows carry their times as ISO 8601 text, formatted by PostgreSQL (see isoText). */
type OrderRow = {
  order_id: string;
  store_id: string;
  platform: string;
  marketplace_id: string;
  platform_order_id: string;
  status: string;
  platform_status: string;
  fulfillment_channel: string;
  purchased_at: string;
  platform_updated_at: string;
  ship_by: string | null;
  service_level: string | null;
  handoff_state: string;
  hold_skus: string[];
  held_since: string | null;
  released_at: string | null;
  last_message_type: string | null;
  last_message_at: string | null;
  line_count: number;
  purchase_key: string;
};

type OrderDetailRow = OrderRow & {
  ship_to_country: string | null;
  lines: PlatformOrderLine[];
  warehouse_lines: WarehouseLine[];
  mapping_versions: Record<string, number>;
  versions: number;
  first_pulled_at: Date;
  last_pulled_at: Date;
};

/**
 * A timestamptz column as the text Date.toISOString() gives (UTC, milliseconds truncated as a JS
 * Date truncates them). A list page has 300 such values: formatting them in the query spares the
 * driver a Date per value and the view a toISOString each (a tenth of a list request's node CPU).
 */
const isoText = (column: string) => `to_char(o.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

const SUMMARY_COLUMNS = `o.order_id, o.store_id, o.platform, o.marketplace_id, o.platform_order_id, o.status, o.platform_status,
  o.fulfillment_channel, ${isoText('purchased_at')}, ${isoText('platform_updated_at')}, ${isoText('ship_by')}, o.service_level,
  o.handoff_state, o.hold_skus, ${isoText('held_since')}, ${isoText('released_at')}, o.last_message_type, ${isoText('last_message_at')},
  jsonb_array_length(o.lines) AS line_count, ${PURCHASE_KEY}`;

/**
 * The list's columns packed into one text per row (adapters/sql/packedRow.ts: node-postgres decodes
 * each field on its own, and 50 rows × 20 fields was most of a list request's node CPU); the times
 * as PostgreSQL's text of the UTC wall time, turned into ISO 8601 here (to_char cost the server more
 * than the whole packing). A page with a row the packing cannot carry is read column by column.
 */
const SUMMARY_PACKING = packing([
  { sql: 'o.order_id' }, { sql: 'o.store_id' }, { sql: 'o.platform' }, { sql: 'o.marketplace_id' }, { sql: 'o.platform_order_id' },
  { sql: 'o.status' }, { sql: 'o.platform_status' }, { sql: 'o.fulfillment_channel' }, { sql: utcText('o.purchased_at') },
  { sql: utcText('o.platform_updated_at') }, { sql: utcText('o.ship_by'), nullable: true }, { sql: 'o.service_level', nullable: true },
  { sql: 'o.handoff_state' }, { sql: 'o.hold_skus' }, { sql: utcText('o.held_since'), nullable: true },
  { sql: utcText('o.released_at'), nullable: true }, { sql: 'o.last_message_type', nullable: true },
  { sql: utcText('o.last_message_at'), nullable: true }, { sql: 'jsonb_array_length(o.lines)' },
]);

/** A nullable time: its ISO text, null for NULL, undefined when it cannot be carried packed. */
const timeOf = (text: string | null): string | null | undefined => (text === null ? null : (isoFromUtcText(text) ?? undefined));

/** A packed list row as the row the columns give, or null when it cannot be carried packed. */
const unpackOrderRow = (packed: string | null): OrderRow | null => {
  const v = SUMMARY_PACKING.unpack(packed);
  if (!v) return null;
  const purchased = v[8]!;
  const purchasedAt = isoFromUtcText(purchased);
  const purchaseKey = isoFromUtcText(purchased, 6);
  const updatedAt = isoFromUtcText(v[9]!);
  const shipBy = timeOf(v[10] ?? null);
  const heldSince = timeOf(v[14] ?? null);
  const releasedAt = timeOf(v[15] ?? null);
  const lastMessageAt = timeOf(v[17] ?? null);
  if (!purchasedAt || !purchaseKey || !updatedAt || shipBy === undefined || heldSince === undefined || releasedAt === undefined || lastMessageAt === undefined) {
    return null;
  }
  return {
    order_id: v[0]!, store_id: v[1]!, platform: v[2]!, marketplace_id: v[3]!, platform_order_id: v[4]!, status: v[5]!,
    platform_status: v[6]!, fulfillment_channel: v[7]!, purchased_at: purchasedAt, platform_updated_at: updatedAt, ship_by: shipBy,
    service_level: v[11] ?? null, handoff_state: v[12]!, hold_skus: v[13] === '[]' ? [] : (JSON.parse(v[13]!) as string[]),
    held_since: heldSince, released_at: releasedAt, last_message_type: v[16] ?? null, last_message_at: lastMessageAt,
    line_count: Number(v[18]), purchase_key: purchaseKey,
  };
};

const toSummary = (r: OrderRow): OrderSummary => ({
  orderId: r.order_id,
  storeId: r.store_id,
  platform: r.platform,
  marketplaceId: r.marketplace_id,
  platformOrderId: r.platform_order_id,
  status: r.status,
  platformStatus: r.platform_status,
  fulfillmentChannel: r.fulfillment_channel,
  purchasedAt: r.purchased_at,
  updatedAt: r.platform_updated_at,
  shipBy: r.ship_by,
  serviceLevel: r.service_level,
  handoff: {
    state: r.handoff_state,
    holdSkus: r.hold_skus,
    heldSince: r.held_since,
    releasedAt: r.released_at,
    lastMessageType: r.last_message_type,
    lastMessageAt: r.last_message_at,
  },
  lineCount: r.line_count,
});

const decodePulled = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);
const FULFILLMENT_TYPES = new Set<string>(FulfillmentEvent.options.map((o) => o.shape.type.value));

const handoffStep = (recorded: RecordedEvent): HandoffStep => {
  const e = decodeFulfillment(recorded);
  const base = { type: e.type, revision: recorded.revision, recordedAt: recorded.recordedAt };
  switch (e.type) {
    case 'OrderHeld':
      return { ...base, at: e.data.heldSince, unmappedSkus: e.data.unmappedSkus, holdReasons: reasonsOf(e.data).map((reason) => reason.code) };
    case 'FulfillmentOrderReleased':
      return { ...base, at: e.data.releasedAt, mappingVersions: e.data.mappingVersions, lineCount: e.data.lines.length };
    case 'FulfillmentOrderUpdated':
      return { ...base, at: e.data.updatedAt, mappingVersions: e.data.mappingVersions, lineCount: e.data.lines.length };
    case 'FulfillmentOrderCancelled':
      return { ...base, at: e.data.cancelledAt, reason: e.data.reason };
    case 'OrderHoldDropped':
      return { ...base, at: e.data.droppedAt, reason: e.data.reason };
    case 'OrderFulfilledByMarketplace':
      return { ...base, at: e.data.recordedAt };
    case 'OrderReleaseAuthorized':
      return { ...base, at: e.data.authorizedAt, reason: e.data.reason, actor: e.data.actor };
    case 'OrderWithdrawn':
      return { ...base, at: e.data.withdrawnAt, reason: e.data.reason };
    case 'FulfillmentOrderCancellationRequested':
      return { ...base, at: e.data.requestedAt, platformLineIds: e.data.lines.map((l) => l.platformLineId) };
    case 'BuyerDataErased':
      return { ...base, at: e.data.erasedAt, reason: e.data.trigger };
    // People's actions: who and why.
    case 'OrderHeldByOperator':
      return { ...base, at: e.data.heldAt, reason: e.data.reason, actor: e.data.actor };
    case 'OrderReleasedByOperator':
      return { ...base, at: e.data.releasedAt, reason: e.data.reason, actor: e.data.actor };
    case 'OrderCancelledByOperator':
      return { ...base, at: e.data.cancelledAt, reason: e.data.reason, actor: e.data.actor };
    case 'FulfillmentOrderResent':
      return { ...base, at: e.data.resentAt, reason: e.data.reason, actor: e.data.actor };
    case 'ShipToCorrected':
      return { ...base, at: e.data.correctedAt, reason: e.data.reason, actor: e.data.actor };
    case 'BuyerDataViewed':
      return { ...base, at: e.data.viewedAt, actor: e.data.actor };
  }
};

/** Events after which an OrderHeld's reasons no longer stand (the decider's evolve clears them). */
const CLEARING_EVENTS = ['FulfillmentOrderReleased', 'FulfillmentOrderUpdated', 'OrderHoldDropped', 'OrderWithdrawn', 'OrderCancelledByOperator'];

/**
 * The reasons of the order's current hold, from its latest OrderHeld (the row says whether it is
 * held) — unless a release or another end of that hold came after it (a person's later hold is not it).
 */
const holdReasonViews = (events: readonly RecordedEvent[], since: string | null): HoldReasonView[] => {
  const last = events.filter((e) => e.type === 'OrderHeld' || CLEARING_EVENTS.includes(e.type)).at(-1);
  if (!last || last.type !== 'OrderHeld') return [];
  const e = decodeFulfillment(last);
  if (e.type !== 'OrderHeld') return [];
  return reasonsOf(e.data).flatMap((reason): HoldReasonView[] => {
    switch (reason.code) {
      case 'unmapped_sku':
        return reason.platformSkus.map((platformSku) => ({ code: reason.code, platformSku, since }));
      case 'address_incomplete':
        return [{ code: reason.code, missingFields: reason.missingFields, since }];
      case 'unknown_status':
        return [{ code: reason.code, platformStatus: reason.platformStatus, since }];
      case 'unknown_fulfillment':
        return [{ code: reason.code, since }];
      case 'duplicate_order':
        return [{ code: reason.code, ownerStoreId: reason.ownerStoreId, ownerOrderId: reason.ownerOrderId, since }];
      case 'cancellation_requested':
        return [{ code: reason.code, platformLineIds: reason.platformLineIds, since }];
      case 'operator_hold':
        // Shown from the person's hold itself (operatorHoldView), which a later OrderHeld may not repeat yet.
        return [];
    }
  });
};

/** The person's hold standing now (held since, who, why), from the order's own events. */
const operatorHoldView = (events: readonly RecordedEvent[]): HoldReasonView[] => {
  const state = events
    .filter((e) => e.type === 'OrderPulled' || FULFILLMENT_TYPES.has(e.type))
    .map((e) => (e.type === 'OrderPulled' ? decodePulled(e) : decodeFulfillment(e)))
    .reduce(fulfillmentDecider.evolve, fulfillmentDecider.initialState());
  const hold = state.operatorHold;
  return hold ? [{ code: 'operator_hold', since: hold.since, reason: hold.reason, actor: hold.actor }] : [];
};

/**
 * Event data as an auditor may see it: every `personalData` value (the sealed buyer name, address,
 * phone, e-mail) is replaced by a marker, wherever it sits and whatever event version wrote it.
 */
const redact = (value: unknown, marker: string = SEALED): unknown => {
  if (Array.isArray(value)) return value.map((v) => redact(v, marker));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'personalData' ? (v === null || v === undefined ? null : marker) : redact(v, marker)]),
  );
};

const text = (v: unknown) => (typeof v === 'string' ? v : null);

const buyerDataOf = (events: readonly RecordedEvent[], personalData: string | null): OrderDetail['buyerData'] => {
  const erased = erasureIn(events);
  if (erased) return { state: 'erased', erasedAt: decodeWith(BuyerDataErased)(erased).data.erasedAt };
  return { state: personalData === null ? 'none' : 'sealed', erasedAt: null };
};

/**
 * The condition for held orders with one hold reason now: the codes the orders projection keeps in
 * `hold_reasons` (migration 130, GIN-indexed for held orders), as the decider's evolve keeps them.
 */
const holdReasonCondition = (code: HoldReason['code'], param: (value: unknown) => string) =>
  `o.hold_reasons @> jsonb_build_array(${param(code)}::text)`;

/**
 * Queries over the order read model (rm_orders) and, for one order, its own stream. Every query is
 * bound to one tenant by construction (`forTenant`): the WHERE clause starts with the tenant, and an
 * order's stream is read only after its row was found for that tenant — another tenant's order is
 * indistinguishable from a missing one.
 *
 * Lists are keyset-paged by (purchased_at DESC, order_id) — the order of the tenant's indexes
 * (migrations 007 and 009) — so a page costs about `limit` index entries at any depth.
 */
export const orderQueries = (deps: Readonly<{ db: Sql; store: EventStore }>): OrderQueries => {
  const { db, store } = deps;

  return {
    forTenant: (tenantId: string) => {
      /** The order's row if it belongs to this tenant; the gate before its stream is read. */
      const row = async (orderId: string) =>
        (
          await db.query<OrderDetailRow>(
            `SELECT ${SUMMARY_COLUMNS}, o.ship_to_country, o.lines, o.warehouse_lines, o.mapping_versions, o.versions,
                    o.first_pulled_at, o.last_pulled_at
               FROM rm_orders o WHERE o.tenant_id = $1 AND o.order_id = $2`,
            [tenantId, orderId],
          )
        ).rows[0] ?? null;

      const streamOf = async (orderId: string) => {
        const events = await store.readStream(orderStreamId(orderId));
        // Belt and braces: the stream must say it is this tenant's order too.
        const first = events[0]?.data as { tenantId?: unknown } | undefined;
        return first?.tenantId === tenantId ? events : [];
      };

      return {
        list: async (f: OrderListFilter): Promise<Page<OrderSummary>> => {
          const w = tenantWhere(tenantId);
          if (f.storeId) w.and(`o.store_id = ${w.param(f.storeId)}`);
          if (f.platform) w.and(`o.platform = ${w.word(f.platform)}`);
          if (f.status) w.and(`o.status = ${w.word(f.status)}`);
          if (f.handoff) w.and(`o.handoff_state = ${w.word(f.handoff)}`);
          if (f.holdReason) {
            w.and(`o.handoff_state = 'held'`);
            w.and(holdReasonCondition(f.holdReason, w.param));
          }
          if (f.confirmation) {
            const state = w.word(f.confirmation);
            w.and(`COALESCE((SELECT s.state FROM rm_marketplace_sync s WHERE s.order_id = o.order_id), 'none') = ${state}`);
          }
          if (f.from) w.and(`o.purchased_at >= ${w.param(f.from)}::timestamptz`);
          if (f.to) w.and(`o.purchased_at < ${w.param(f.to)}::timestamptz`);
          if (f.sku) {
            w.and(
              `(o.lines @> ${w.param(JSON.stringify([{ platformSku: f.sku }]))}::jsonb
                OR o.warehouse_lines @> ${w.param(JSON.stringify([{ sku: f.sku }]))}::jsonb)`,
            );
          }
          if (f.q) {
            w.and(`o.platform_order_id ILIKE ${w.param(containsPattern(f.q))}`);
            // Trigram candidates from the GIN index (migration 009); shorter text has no trigram to look up.
            if (f.q.length >= 3) w.and(`search_trigrams(o.platform_order_id) @> search_trigrams(${w.param(f.q)}::text)`);
          }
          if (f.after) {
            const [purchasedAt, orderId] = orderCursor.decode(f.after);
            const t = w.param(purchasedAt);
            // The first term bounds the index range; the second resolves ties on order_id.
            w.and(`o.purchased_at <= ${t}::timestamptz AND (o.purchased_at < ${t}::timestamptz OR o.order_id > ${w.param(orderId)})`);
          }
          const limit = w.param(f.limit + 1);
          const rest = `FROM rm_orders o WHERE ${w.sql()} ORDER BY o.purchased_at DESC, o.order_id LIMIT ${limit}`;
          // One text per combination of filters and closed-set values asked for (a few dozen in
          // practice), each planned once per connection: planning cost PostgreSQL as much as running.
          const packed = await db.query<{ r: string | null }>(`SELECT ${SUMMARY_PACKING.sql} AS r ${rest}`, w.params, { prepare: 'planOnce' });
          const unpacked = packed.rows.map((p) => unpackOrderRow(p.r));
          const rows = unpacked.every((r) => r !== null)
            ? unpacked
            : (await db.query<OrderRow>(`SELECT ${SUMMARY_COLUMNS} ${rest}`, w.params)).rows;
          return page(rows, f.limit, toSummary, orderCursor, (r): [string, string] => [r.purchase_key, r.order_id]);
        },

        get: async (orderId: string): Promise<OrderDetail | null> => {
          const r = await row(orderId);
          if (!r) return null;
          const events = await streamOf(orderId);
          const pulled = events.filter((e) => e.type === 'OrderPulled').at(-1);
          const order = pulled ? decodePulled(pulled).data.order : null;
          return {
            ...toSummary(r),
            deliverBy: order?.deliverBy ?? null,
            shipToCountry: r.ship_to_country,
            shipToRegion: order?.shipToRegion ?? null,
            orderTotal: order?.orderTotal ?? null,
            versions: r.versions,
            firstPulledAt: r.first_pulled_at.toISOString(),
            lastPulledAt: r.last_pulled_at.toISOString(),
            lines: r.lines,
            warehouseLines: r.warehouse_lines,
            holdReasons: r.handoff_state === 'held' ? [...holdReasonViews(events, r.held_since), ...operatorHoldView(events)] : [],
            mappingVersions: r.mapping_versions,
            handoffHistory: events.filter((e) => FULFILLMENT_TYPES.has(e.type)).map(handoffStep),
            marketplaceSync: await marketplaceSyncQueries(db).forOrder(tenantId, orderId),
            warehouse: warehouseView(events),
            buyerData: buyerDataOf(events, order?.personalData ?? null),
          };
        },

        /** The order's events for audit, oldest first; null when the order is not this tenant's. */
        history: async (orderId: string): Promise<HistoryEntry[] | null> => {
          if (!(await row(orderId))) return null;
          const events = await streamOf(orderId);
          // After erasure the sealed values are provably unreadable: say so rather than "sealed".
          const marker = erasureIn(events) ? ERASED : SEALED;
          return events.map((e) => ({
            revision: e.revision,
            type: e.type,
            recordedAt: e.recordedAt,
            actor: text(e.metadata.actor),
            correlationId: text(e.metadata.correlationId),
            causationId: text(e.metadata.causationId),
            schemaVersion: typeof e.metadata.schemaVersion === 'number' ? e.metadata.schemaVersion : 1,
            data: redact(e.data, marker) as Record<string, unknown>,
          }));
        },

        /** The platform SKUs holding a store's orders; null when the store is not this tenant's. */
        unmappedSkus: async (storeId: string): Promise<UnmappedSku[] | null> => {
          const owned = await db.query('SELECT 1 FROM rm_stores WHERE tenant_id = $1 AND store_id = $2', [tenantId, storeId]);
          if (owned.rows.length === 0) return null;
          const { rows } = await db.query<{ platform_sku: string; held_orders: number; oldest: Date | null }>(
            `SELECT s.platform_sku, count(*)::int AS held_orders, min(o.held_since) AS oldest
               FROM rm_orders o CROSS JOIN LATERAL jsonb_array_elements_text(o.hold_skus) AS s(platform_sku)
              WHERE o.tenant_id = $1 AND o.handoff_state = 'held' AND o.store_id = $2
              GROUP BY s.platform_sku ORDER BY held_orders DESC, s.platform_sku`,
            [tenantId, storeId],
          );
          return rows.map((r) => ({ platformSku: r.platform_sku, heldOrders: r.held_orders, oldestHeldSince: iso(r.oldest) }));
        },

        /**
         * Orders pulls could not read, latest first. Resolved once a pull recorded the same
         * marketplace order of the store after the last rejection (rm_orders' row is newer).
         */
        rejected: async (f: RejectedFilter): Promise<Page<RejectedOrder>> => {
          const w = tenantWhere(tenantId);
          if (f.storeId) w.and(`o.store_id = ${w.param(f.storeId)}`);
          if (f.state) w.and(f.state === 'resolved' ? 'r.order_id IS NOT NULL' : 'r.order_id IS NULL');
          if (f.after) {
            const [at, key] = rejectedCursor.decode(f.after);
            const t = w.param(at);
            w.and(`(o.last_rejected_at < ${t}::timestamptz OR (o.last_rejected_at = ${t}::timestamptz AND o.rejection_key > ${w.param(key)}))`);
          }
          const limit = w.param(f.limit + 1);
          const { rows } = await db.query<{
            rejection_key: string;
            store_id: string;
            platform: string;
            platform_order_id: string | null;
            reason: string;
            payload_hash: string;
            last_pull_id: string;
            first_rejected_at: Date;
            last_rejected_at: Date;
            rejected_key: string;
            rejections: number;
            order_id: string | null;
          }>(
            `SELECT o.rejection_key, o.store_id, o.platform, o.platform_order_id, o.reason, o.payload_hash, o.last_pull_id, o.first_rejected_at,
                    o.last_rejected_at, o.rejections, r.order_id,
                    to_char(o.last_rejected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS rejected_key
               FROM rm_rejected_orders o
               LEFT JOIN rm_orders r
                 ON r.store_id = o.store_id AND r.platform_order_id = o.platform_order_id AND r.last_pulled_at > o.last_rejected_at
              WHERE ${w.sql()}
              ORDER BY o.last_rejected_at DESC, o.rejection_key LIMIT ${limit}`,
            w.params,
          );
          return page(
            rows,
            f.limit,
            (r) => ({
              storeId: r.store_id,
              platform: r.platform,
              platformOrderId: r.platform_order_id,
              reason: r.reason,
              payloadHash: r.payload_hash,
              lastPullId: r.last_pull_id,
              firstRejectedAt: r.first_rejected_at.toISOString(),
              lastRejectedAt: r.last_rejected_at.toISOString(),
              rejections: r.rejections,
              state: r.order_id === null ? ('open' as const) : ('resolved' as const),
              orderId: r.order_id,
            }),
            rejectedCursor,
            (r): [string, string] => [r.rejected_key, r.rejection_key],
          );
        },

        /**
         * The SKU-expansion table: one row per warehouse line of every order that was released (a
         * later cancellation keeps the lines that were sent; `handoffState` tells).
         */
        warehouseLines: async (f: WarehouseLineFilter): Promise<Page<WarehouseLineRow>> => {
          const w = tenantWhere(tenantId);
          w.and('o.released_at IS NOT NULL');
          if (f.storeId) w.and(`o.store_id = ${w.param(f.storeId)}`);
          if (f.orderId) w.and(`o.order_id = ${w.param(f.orderId)}`);
          if (f.sku) {
            const sku = w.param(f.sku);
            // Orders first (GIN on warehouse_lines), then the matching lines of each.
            w.and(
              `(o.warehouse_lines @> ${w.param(JSON.stringify([{ sku: f.sku }]))}::jsonb
                OR o.warehouse_lines @> ${w.param(JSON.stringify([{ source: { platformSku: f.sku } }]))}::jsonb)
               AND (l.line->>'sku' = ${sku} OR l.line->'source'->>'platformSku' = ${sku})`,
            );
          }
          if (f.after) {
            const [purchasedAt, orderId, ordinal] = lineCursor.decode(f.after);
            const t = w.param(purchasedAt);
            const id = w.param(orderId);
            w.and(
              `o.purchased_at <= ${t}::timestamptz
               AND (o.purchased_at < ${t}::timestamptz OR o.order_id > ${id} OR (o.order_id = ${id} AND l.ordinal > ${w.param(ordinal)}))`,
            );
          }
          const limit = w.param(f.limit + 1);
          const { rows } = await db.query<{
            order_id: string;
            store_id: string;
            platform_order_id: string;
            handoff_state: string;
            released_at: Date | null;
            purchase_key: string;
            ordinal: number;
            line: WarehouseLine;
          }>(
            `SELECT o.order_id, o.store_id, o.platform_order_id, o.handoff_state, o.released_at, ${PURCHASE_KEY}, l.ordinal::int AS ordinal, l.line
               FROM rm_orders o CROSS JOIN LATERAL jsonb_array_elements(o.warehouse_lines) WITH ORDINALITY AS l(line, ordinal)
              WHERE ${w.sql()}
              ORDER BY o.purchased_at DESC, o.order_id, l.ordinal LIMIT ${limit}`,
            w.params,
          );
          return page(
            rows,
            f.limit,
            (r) => ({
              orderId: r.order_id,
              storeId: r.store_id,
              platformOrderId: r.platform_order_id,
              handoffState: r.handoff_state,
              releasedAt: iso(r.released_at),
              lineId: r.line.lineId,
              sku: r.line.sku,
              quantity: r.line.quantity,
              source: r.line.source,
            }),
            lineCursor,
            (r): [string, string, number] => [r.purchase_key, r.order_id, r.ordinal],
          );
        },
      };
    },
  };
};
