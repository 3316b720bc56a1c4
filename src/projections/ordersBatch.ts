import type { RecordedEvent } from '../domain/ports/eventStore.js';
import { OrderPulled } from '../domain/order/events.js';
import { FulfillmentEvent, reasonsOf } from '../domain/order/fulfillmentEvents.js';
import { changedHoldReasons, holdReasonsChange, isOperatorEvent, operatorPatch, operatorStatements, type OperatorEvent } from './operatorPatches.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { sql, type LoadStep, type SqlStatement } from './projection.js';
import { recordset } from './recordset.js';
import { isWarehouseEvent, warehouseProgressStatements } from './warehouseProgress.js';
import { isHandoffStreamEvent } from '../domain/order/streamEvents.js';

/**
 * The `orders` projection for a whole batch, set-based: the same rows as `ordersProjection.apply`
 * event by event, in a few statements. Why it is the same:
 * - An OrderPulled writes the order's columns (an upsert); a hand-off event writes only hand-off
 *   columns (an UPDATE, a no-op while the row does not exist). The two sets of columns are
 *   disjoint, so within a segment all pulls can run first and all hand-off events after — unless a
 *   hand-off event precedes the first pull of its order in the segment (it may have hit no row).
 *   That pull then starts a new segment.
 * - Several pulls of one order in a segment fold into one row: the columns only an INSERT writes
 *   come from the first, the ones the upsert overwrites from the last, and `versions` counts them
 *   (a re-pull adds 1, as one by one).
 * - Every hand-off event sets its columns to values from the event alone (nothing relative), so
 *   several on one order fold into one patch: per column, the value of the last event setting it.
 *   Except a person's hold or release: it changes `hold_reasons` relative to the row's reasons and
 *   state. When the patch so far fixes those, the change folds into it; else everything before the
 *   event is written first, then the event alone.
 */

const decodeOrder = decodeWith(OrderPulled);
const decodeFulfillment = decodeWith(FulfillmentEvent);

/** rm_orders columns an OrderPulled writes: the first eight only when it inserts the row. */
const PULLED = recordset([
  ['order_id', 'text'], ['tenant_id', 'text'], ['store_id', 'text'], ['platform', 'text'], ['marketplace_id', 'text'],
  ['platform_order_id', 'text'], ['purchased_at', 'timestamptz'], ['first_pulled_at', 'timestamptz'],
  ['status', 'text'], ['platform_status', 'text'], ['fulfillment_channel', 'text'], ['platform_updated_at', 'timestamptz'],
  ['ship_by', 'timestamptz'], ['service_level', 'text'], ['ship_to_country', 'text'], ['lines', 'jsonb'], ['content_hash', 'text'],
  ['last_pulled_at', 'timestamptz'],
  // pulls of this order folded into the row
  ['versions', 'integer'],
] as const);

type PulledRow = {
  order_id: string;
  tenant_id: string;
  store_id: string;
  platform: string;
  marketplace_id: string;
  platform_order_id: string;
  purchased_at: string;
  first_pulled_at: string;
  status: string;
  platform_status: string;
  fulfillment_channel: string;
  platform_updated_at: string;
  ship_by: string | null;
  service_level: string | null;
  ship_to_country: string | null;
  lines: unknown;
  content_hash: string;
  last_pulled_at: string;
  versions: number;
};

/** Hand-off columns an event sets (absent = left as it is). */
type HandoffPatch = Partial<{
  handoff_state: string;
  hold_skus: unknown;
  hold_reasons: readonly string[];
  held_since: string | null;
  released_at: string;
  warehouse_lines: unknown;
  mapping_versions: unknown;
  last_message_type: string;
  last_message_at: string;
  buyer_data_erased_at: string;
}>;

/** Whether the patch so far fixes what a person's hold or release changes `hold_reasons` from. */
const foldsInto = (earlier: HandoffPatch | undefined, e: OperatorEvent) => {
  const change = holdReasonsChange(e);
  if (!change) return true;
  const { handoff_state: handoff, hold_reasons: reasons } = earlier ?? {};
  // A hold keeps the reasons only of a held order; a release keeps all but its own.
  return change === 'join' ? handoff !== undefined && (handoff !== 'held' || reasons !== undefined) : reasons !== undefined;
};

/** The columns `e` sets, given the patch before it (which `foldsInto` found sufficient). */
const handoffPatch = (e: FulfillmentEvent, earlier: HandoffPatch | undefined): HandoffPatch => {
  if (isOperatorEvent(e)) {
    const change = holdReasonsChange(e);
    const reasons = change ? { hold_reasons: changedHoldReasons(change, earlier?.handoff_state ?? 'none', earlier?.hold_reasons ?? []) } : {};
    return { ...operatorPatch(e), ...reasons };
  }
  switch (e.type) {
    case 'OrderHeld':
      return { handoff_state: 'held', hold_skus: e.data.unmappedSkus, hold_reasons: reasonsOf(e.data).map((r) => r.code), held_since: e.data.heldSince };
    case 'FulfillmentOrderReleased':
      return {
        handoff_state: 'released', hold_skus: [], hold_reasons: [], held_since: null, released_at: e.data.releasedAt, warehouse_lines: e.data.lines,
        mapping_versions: e.data.mappingVersions, last_message_type: 'FulfillmentOrderReleased', last_message_at: e.data.releasedAt,
      };
    case 'FulfillmentOrderUpdated':
      return { warehouse_lines: e.data.lines, mapping_versions: e.data.mappingVersions, hold_reasons: [], last_message_type: 'FulfillmentOrderUpdated', last_message_at: e.data.updatedAt };
    case 'FulfillmentOrderCancelled':
      return { handoff_state: 'cancelled', last_message_type: 'FulfillmentOrderCancelled', last_message_at: e.data.cancelledAt };
    case 'OrderHoldDropped':
      return { handoff_state: 'dropped', hold_skus: [], hold_reasons: [], held_since: null };
    case 'OrderFulfilledByMarketplace':
      return { handoff_state: 'marketplace' };
    case 'OrderReleaseAuthorized':
      return {};
    case 'OrderWithdrawn':
      return { handoff_state: 'withdrawn', hold_skus: [], hold_reasons: [], held_since: null };
    case 'FulfillmentOrderCancellationRequested':
      return { last_message_type: 'FulfillmentOrderCancellationRequested', last_message_at: e.data.requestedAt };
    case 'BuyerDataErased':
      return { buyer_data_erased_at: e.data.erasedAt };
  }
};

const UPSERT_PULLED = `
  INSERT INTO rm_orders (${PULLED.names})
  SELECT ${PULLED.select} FROM ${PULLED.from(1, 'r')}
  ON CONFLICT (order_id) DO UPDATE SET
    status = EXCLUDED.status, platform_status = EXCLUDED.platform_status, fulfillment_channel = EXCLUDED.fulfillment_channel,
    platform_updated_at = EXCLUDED.platform_updated_at, ship_by = EXCLUDED.ship_by, service_level = EXCLUDED.service_level,
    ship_to_country = EXCLUDED.ship_to_country, lines = EXCLUDED.lines, content_hash = EXCLUDED.content_hash,
    versions = rm_orders.versions + EXCLUDED.versions, last_pulled_at = EXCLUDED.last_pulled_at`;

/** `column` from the patch when the patch sets it, else unchanged. */
const patched = (column: keyof HandoffPatch, type: 'text' | 'jsonb' | 'timestamptz') => {
  const value = type === 'jsonb' ? `r.p -> '${column}'` : type === 'text' ? `r.p ->> '${column}'` : `(r.p ->> '${column}')::timestamptz`;
  return `${column} = CASE WHEN r.p ? '${column}' THEN ${value} ELSE o.${column} END`;
};

const UPDATE_HANDOFF = `
  UPDATE rm_orders o SET
    ${patched('handoff_state', 'text')}, ${patched('hold_skus', 'jsonb')}, ${patched('hold_reasons', 'jsonb')},
    ${patched('held_since', 'timestamptz')},
    ${patched('released_at', 'timestamptz')}, ${patched('warehouse_lines', 'jsonb')}, ${patched('mapping_versions', 'jsonb')},
    ${patched('last_message_type', 'text')}, ${patched('last_message_at', 'timestamptz')},
    ${patched('buyer_data_erased_at', 'timestamptz')}
    FROM jsonb_to_recordset($1::jsonb) AS r(order_id text, p jsonb)
   WHERE o.order_id = r.order_id`;

/** What a segment of a batch writes: orders' folded pulls, and hand-off patches by order. */
type Segment = Readonly<{
  pulled: ReadonlyMap<string, PulledRow>;
  /** Orders whose first pull in the segment is their stream's first event: no row exists for them yet. */
  fresh: ReadonlySet<string>;
  patches: ReadonlyMap<string, HandoffPatch>;
}>;

/**
 * The batch cut into segments (see the top of this file), each written by `write`; warehouse
 * reports and a person's hold or release that does not fold go between them as their own statements.
 */
const planBatch = <S extends LoadStep>(events: readonly RecordedEvent[], write: (segment: Segment) => S[]): (S | SqlStatement)[] => {
  const steps: (S | SqlStatement)[] = [];
  let pulled = new Map<string, PulledRow>();
  let fresh = new Set<string>();
  let patches = new Map<string, HandoffPatch>();
  const endSegment = () => {
    if (pulled.size || patches.size) steps.push(...write({ pulled, fresh, patches }));
    pulled = new Map();
    fresh = new Set();
    patches = new Map();
  };
  for (const recorded of events) {
    // A warehouse report adds to what the row holds: everything before it is written first, then it.
    if (isWarehouseEvent(recorded)) {
      endSegment();
      steps.push(...warehouseProgressStatements(recorded));
      continue;
    }
    if (!isHandoffStreamEvent(recorded)) continue;
    if (recorded.type !== 'OrderPulled') {
      const e = decodeFulfillment(recorded);
      const earlier = patches.get(e.data.orderId);
      if (isOperatorEvent(e) && !foldsInto(earlier, e)) {
        endSegment();
        steps.push(...operatorStatements(e));
        continue;
      }
      patches.set(e.data.orderId, { ...earlier, ...handoffPatch(e, earlier) });
      continue;
    }
    const { data: d } = decodeOrder(recorded);
    const o = d.order;
    if (patches.has(d.orderId) && !pulled.has(d.orderId)) endSegment();
    const earlier = pulled.get(d.orderId);
    if (!earlier && recorded.revision === 0) fresh.add(d.orderId);
    pulled.set(d.orderId, {
      order_id: d.orderId,
      tenant_id: earlier?.tenant_id ?? d.tenantId,
      store_id: earlier?.store_id ?? d.storeId,
      platform: earlier?.platform ?? o.platform,
      marketplace_id: earlier?.marketplace_id ?? o.marketplaceId,
      platform_order_id: earlier?.platform_order_id ?? o.platformOrderId,
      purchased_at: earlier?.purchased_at ?? o.createdAt,
      first_pulled_at: earlier?.first_pulled_at ?? d.pulledAt,
      status: o.status,
      platform_status: o.platformStatus,
      fulfillment_channel: o.fulfillmentChannel,
      platform_updated_at: o.updatedAt,
      ship_by: o.shipBy,
      service_level: o.serviceLevel,
      ship_to_country: o.shipToCountry,
      lines: o.lines,
      content_hash: d.contentHash,
      last_pulled_at: d.pulledAt,
      versions: (earlier?.versions ?? 0) + 1,
    });
  }
  endSegment();
  return steps;
};

const upsertPulled = (rows: Iterable<PulledRow>) => sql(UPSERT_PULLED, PULLED.encode(rows));
const updateHandoff = (patches: Iterable<[string, HandoffPatch]>) => sql(UPDATE_HANDOFF, JSON.stringify([...patches].map(([order_id, p]) => ({ order_id, p }))));

/** Each segment as an upsert of its pulls and an update of its hand-off patches. */
const asStatements = ({ pulled, patches }: Segment): SqlStatement[] => [
  ...(pulled.size ? [upsertPulled(pulled.values())] : []),
  ...(patches.size ? [updateHandoff(patches)] : []),
];

/** The hand-off columns in a fixed order (a COPY's column list). */
const HANDOFF_COLUMNS = [
  'handoff_state', 'hold_skus', 'hold_reasons', 'held_since', 'released_at', 'warehouse_lines', 'mapping_versions',
  'last_message_type', 'last_message_at', 'buyer_data_erased_at',
] as const satisfies readonly (keyof HandoffPatch)[];

/**
 * Each segment with its new orders' rows loaded by COPY: a new order's hand-off patch folds into its
 * row (one COPY per set of hand-off columns set; the others keep their defaults, as they would
 * before an update), so its events are one row write. Re-pulls are upserted and the patches of
 * orders already in the table updated, as in `asStatements`.
 */
const loading = ({ pulled, fresh, patches }: Segment): LoadStep[] => {
  const copies = new Map<string, { columns: string[]; rows: unknown[][] }>();
  const repulled: PulledRow[] = [];
  for (const row of pulled.values()) {
    if (!fresh.has(row.order_id)) {
      repulled.push(row);
      continue;
    }
    const patch = patches.get(row.order_id) ?? {};
    // As the UPDATE reads the patch from JSON: a column whose value is undefined is not set.
    const set = HANDOFF_COLUMNS.filter((c) => patch[c] !== undefined);
    const key = set.join(',');
    let copy = copies.get(key);
    if (!copy) copies.set(key, (copy = { columns: [...PULLED.columns, ...set], rows: [] }));
    const values: unknown[] = PULLED.columns.map((c) => row[c]);
    for (const c of set) values.push(patch[c]);
    copy.rows.push(values);
  }
  const updates = [...patches].filter(([id]) => !fresh.has(id));
  return [
    ...[...copies.values()].map(({ columns, rows }) => ({ copy: 'rm_orders', columns, rows })),
    ...(repulled.length ? [upsertPulled(repulled)] : []),
    ...(updates.length ? [updateHandoff(updates)] : []),
  ];
};

export const ordersBatchStatements = (events: readonly RecordedEvent[]): SqlStatement[] => planBatch(events, asStatements);

/**
 * The batch for a rebuild on a database that can COPY: orders whose stream starts in the batch (their
 * first pull is the stream's first event, so no row exists for them) are loaded with COPY — cheaper
 * for the server than `jsonb_to_recordset` and the upsert — and the rest written as in
 * `ordersBatchStatements`. Same rows as that one.
 */
export const ordersLoadStatements = (events: readonly RecordedEvent[]): LoadStep[] => planBatch(events, loading);
