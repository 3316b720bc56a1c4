import type { FulfillmentEvent } from '../domain/order/fulfillmentEvents.js';
import { sql, type SqlStatement } from './projection.js';

type OperatorEvent = Extract<
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

/** The patch as one UPDATE (the one-event path). */
export const operatorStatements = (e: OperatorEvent): SqlStatement[] => {
  const patch = operatorPatch(e);
  const entries = Object.entries(patch);
  if (!entries.length) return [];
  const sets = entries.map(([column, _], i) => `${column} = $${i + 2}${column === 'hold_skus' ? '::jsonb' : ''}`);
  const values = entries.map(([column, value]) => (column === 'hold_skus' ? JSON.stringify(value) : value));
  return [sql(`UPDATE rm_orders SET ${sets.join(', ')} WHERE order_id = $1`, e.data.orderId, ...values)];
};
