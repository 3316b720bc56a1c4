import type { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { sql, type SqlStatement } from './projection.js';

export type OperatorEvent = Extract<
  FulfillmentEvent,
  { type: 'OrderHeldByOperator' | 'OrderReleasedByOperator' | 'OrderCancelledByOperator' | 'FulfillmentOrderResent' | 'ShipToCorrected' | 'BuyerDataViewed' }
>;
export const OPERATOR_EVENT_TYPES: ReadonlySet<string> = new Set<OperatorEvent['type']>([
  'OrderHeldByOperator',
  'OrderReleasedByOperator',
  'OrderCancelledByOperator',
  'FulfillmentOrderResent',
  'ShipToCorrected',
  'BuyerDataViewed',
]);
export const isOperatorEvent = (e: FulfillmentEvent): e is OperatorEvent => OPERATOR_EVENT_TYPES.has(e.type);

/**
 * The rm_orders columns a person's action sets (absent = unchanged), shared by the one-event and the
 * batch paths of the orders projection so both write the same rows. `last_message_*` follow the
 * message the warehouse feed sends for the action (docs/order-actions.md).
 */
export type OperatorPatch = Partial<{
  handoff_state: string;
  hold_skus: unknown;
  hold_reasons: readonly string[];
  held_since: string | null;
  last_message_type: string;
  last_message_at: string;
}>;

export const operatorPatch = (e: OperatorEvent): OperatorPatch => {
  switch (e.type) {
    case 'OrderHeldByOperator':
      return {
        handoff_state: 'held',
        held_since: e.data.heldSince,
        ...(e.data.wasReleased ? { last_message_type: 'FulfillmentOrderCancelled', last_message_at: e.data.heldAt } : {}),
      };
    case 'OrderReleasedByOperator':
      return { handoff_state: e.data.handoff, ...(e.data.handoff === 'none' ? { held_since: null } : {}) };
    case 'OrderCancelledByOperator':
      return {
        handoff_state: 'cancelled',
        hold_skus: [],
        hold_reasons: [],
        held_since: null,
        ...(e.data.wasReleased ? { last_message_type: 'FulfillmentOrderCancelled', last_message_at: e.data.cancelledAt } : {}),
      };
    case 'FulfillmentOrderResent':
      return { last_message_type: 'FulfillmentOrderReleased', last_message_at: e.data.resentAt };
    case 'ShipToCorrected':
      return e.data.wasReleased ? { last_message_type: 'FulfillmentOrderUpdated', last_message_at: e.data.correctedAt } : {};
    case 'BuyerDataViewed':
      return {};
  }
};

/**
 * How a person's hold or release changes `hold_reasons`, as the decider's evolve does: a hold adds
 * `operator_hold` to the reasons of the hold it joins (none unless the order is held); a release
 * removes it. Relative to the row, so not in the patch.
 */
export type HoldReasonsChange = 'join' | 'leave';
export const holdReasonsChange = (e: OperatorEvent): HoldReasonsChange | null =>
  e.type === 'OrderHeldByOperator' ? 'join' : e.type === 'OrderReleasedByOperator' ? 'leave' : null;

/** The change applied to known values (`handoff` and `reasons` before the event). */
export const changedHoldReasons = (change: HoldReasonsChange, handoff: string, reasons: readonly string[]): string[] =>
  change === 'join' ? [...(handoff === 'held' ? reasons : []), 'operator_hold'] : reasons.filter((code) => code !== 'operator_hold');

/** The change in SQL, over the row before the UPDATE (a SET expression sees the old values). */
const HOLD_REASONS_SQL: Record<HoldReasonsChange, string> = {
  join: `(CASE WHEN handoff_state = 'held' THEN hold_reasons ELSE '[]'::jsonb END) || '["operator_hold"]'::jsonb`,
  leave: `hold_reasons - 'operator_hold'`,
};

const JSONB_COLUMNS: ReadonlySet<string> = new Set(['hold_skus', 'hold_reasons']);

/** The patch (and the hold-reasons change) as one UPDATE (the one-event path). */
export const operatorStatements = (e: OperatorEvent): SqlStatement[] => {
  const entries = Object.entries(operatorPatch(e));
  const change = holdReasonsChange(e);
  if (!entries.length && !change) return [];
  const sets = entries.map(([column, _], i) => `${column} = $${i + 2}${JSONB_COLUMNS.has(column) ? '::jsonb' : ''}`);
  if (change) sets.push(`hold_reasons = ${HOLD_REASONS_SQL[change]}`);
  const values = entries.map(([column, value]) => (JSONB_COLUMNS.has(column) ? JSON.stringify(value) : value));
  return [sql(`UPDATE rm_orders SET ${sets.join(', ')} WHERE order_id = $1`, e.data.orderId, ...values)];
};
