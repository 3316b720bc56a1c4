import type { Decider } from '../shared/decider.js';
import { DomainError, NotFoundError } from '../shared/errors.js';
import { evolve, initialState, type HandoffState, type OrderFulfillment, type OrderStreamEvent } from './fulfillment.js';
import type { FulfillmentEvent } from './fulfillmentEvents.js';

/**
 * What a person may do to an order, decided on the same state as the release policy's decisions
 * (the order's stream folded by fulfillment.ts). Pure: the actor, the time and — for an address —
 * the already sealed ship-to come in on the command. Every action needs a reason.
 */
export type ActionName = 'hold' | 'release' | 'cancel' | 'resend' | 'correct_ship_to';
type Who = Readonly<{ actor: string; reason: string; now: string }>;

export type HoldOrder = Readonly<{ type: 'HoldOrder'; data: Who }>;
export type ReleaseOrder = Readonly<{ type: 'ReleaseOrder'; data: Who }>;
export type CancelOrder = Readonly<{ type: 'CancelOrder'; data: Who }>;
export type ResendOrder = Readonly<{ type: 'ResendOrder'; data: Who }>;
/** The shell sealed the ship-to and checked which label fields it lacks (`shipToMissing`). */
export type CorrectShipTo = Readonly<{
  type: 'CorrectShipTo';
  data: Who & Readonly<{ personalData: string; shipToCountry: string | null; shipToRegion: string | null; shipToMissing: readonly string[] }>;
}>;
export type RecordBuyerDataView = Readonly<{ type: 'RecordBuyerDataView'; data: Readonly<{ actor: string; now: string }> }>;
export type OperatorCommand = HoldOrder | ReleaseOrder | CancelOrder | ResendOrder | CorrectShipTo | RecordBuyerDataView;

/**
 * Refusal codes of the actions (their HTTP statuses live in src/http/errorStatuses.ts).
 * `release_not_allowed` predates the others (POST …/release).
 */
export const orderActionErrorCodes = ['action_not_allowed', 'release_not_allowed', 'ship_to_incomplete'] as const;
export type OrderActionErrorCode = (typeof orderActionErrorCodes)[number];

/** Where each action may start from; the rest (cancelled, dropped, marketplace, withdrawn) are final. */
const OPEN: ReadonlySet<HandoffState> = new Set(['none', 'held', 'released']);

const refuse = (action: ActionName, state: OrderFulfillment, why: string) =>
  new DomainError('action_not_allowed', `The order cannot be ${why} now (hand-off state ${state.handoff})`, {
    action,
    handoffState: state.handoff,
    holdReasons: state.holdReasons.map((r) => r.code),
  });

export const decideAction = (command: OperatorCommand, state: OrderFulfillment): FulfillmentEvent[] => {
  const pulled = state.pulled;
  if (!pulled) throw new NotFoundError('Order');
  const base = { orderId: pulled.orderId, tenantId: pulled.tenantId, storeId: pulled.storeId };
  switch (command.type) {
    case 'HoldOrder': {
      if (!OPEN.has(state.handoff)) throw refuse('hold', state, 'held');
      if (state.operatorHold) throw refuse('hold', state, 'held again (a person holds it already)');
      const { actor, reason, now } = command.data;
      const heldSince = state.handoff === 'held' && state.heldSince ? state.heldSince : now;
      return [{ type: 'OrderHeldByOperator', schemaVersion: 1, data: { ...base, actor, reason, wasReleased: state.handoff === 'released', heldSince, heldAt: now } }];
    }
    case 'ReleaseOrder': {
      const { actor, reason, now } = command.data;
      const codes = new Set(state.holdReasons.map((r) => r.code));
      const addressFixed = codes.has('address_incomplete') && state.correctedShipToMissing?.length === 0;
      const duplicate = codes.has('duplicate_order');
      if (state.handoff !== 'held' || !(state.operatorHold || addressFixed || duplicate)) {
        throw new DomainError(
          'release_not_allowed',
          'Only an order held by a person, held as a duplicate (duplicate_order), or held for an address corrected since can be released by a person',
          { handoffState: state.handoff, holdReasons: [...codes] },
        );
      }
      const events: FulfillmentEvent[] = [];
      if (duplicate) events.push({ type: 'OrderReleaseAuthorized', schemaVersion: 1, data: { ...base, actor, reason, authorizedAt: now } });
      if (state.operatorHold || addressFixed) {
        // Back to `none` only when the person's hold was all there was, before any decision.
        const others = state.holdReasons.filter((r) => r.code !== 'operator_hold');
        const handoff = state.operatorHold?.resume === 'none' && others.length === 0 ? 'none' : 'held';
        events.push({ type: 'OrderReleasedByOperator', schemaVersion: 1, data: { ...base, actor, reason, handoff, releasedAt: now } });
      }
      return events;
    }
    case 'CancelOrder': {
      if (!OPEN.has(state.handoff)) throw refuse('cancel', state, 'cancelled');
      const { actor, reason, now } = command.data;
      return [{ type: 'OrderCancelledByOperator', schemaVersion: 1, data: { ...base, actor, reason, wasReleased: state.handoff === 'released', cancelledAt: now } }];
    }
    case 'ResendOrder': {
      if (state.handoff !== 'released') throw refuse('resend', state, 're-sent (only a released order is with the warehouse)');
      const { actor, reason, now } = command.data;
      return [{ type: 'FulfillmentOrderResent', schemaVersion: 1, data: { ...base, actor, reason, resentAt: now } }];
    }
    case 'CorrectShipTo': {
      if (!OPEN.has(state.handoff)) throw refuse('correct_ship_to', state, 'given another address');
      const { actor, reason, now, personalData, shipToCountry, shipToRegion, shipToMissing } = command.data;
      if (shipToMissing.length) {
        throw new DomainError('ship_to_incomplete', `The corrected ship-to lacks what a label needs: ${shipToMissing.join(', ')}`, { missingFields: [...shipToMissing] });
      }
      return [
        {
          type: 'ShipToCorrected',
          schemaVersion: 1,
          data: { ...base, actor, reason, personalData, shipToCountry, shipToRegion, shipToMissing: [], wasReleased: state.handoff === 'released', correctedAt: now },
        },
      ];
    }
    case 'RecordBuyerDataView':
      return [{ type: 'BuyerDataViewed', schemaVersion: 1, data: { ...base, actor: command.data.actor, viewedAt: command.data.now } }];
  }
};

export const operatorActionDecider: Decider<OperatorCommand, OrderStreamEvent, OrderFulfillment> = { decide: decideAction, evolve, initialState };

/**
 * Who may do what (decided in docs/order-actions.md): operators everything; a seller admin holds
 * and releases its own tenant's orders and sees their buyer data; a tenant API key (a machine)
 * holds and releases, as POST …/release always allowed; read-only roles nothing.
 */
export type ActorKind = 'operator' | 'seller_admin' | 'seller_viewer' | 'auditor' | 'api_key';
export type OrderPermission = ActionName | 'view_buyer_data';

const ALLOWED: Readonly<Record<ActorKind, ReadonlySet<OrderPermission>>> = {
  operator: new Set(['hold', 'release', 'cancel', 'resend', 'correct_ship_to', 'view_buyer_data']),
  seller_admin: new Set(['hold', 'release', 'view_buyer_data']),
  api_key: new Set(['hold', 'release']),
  seller_viewer: new Set(),
  auditor: new Set(),
};

export const mayDo = (who: ActorKind, what: OrderPermission): boolean => ALLOWED[who].has(what);
