/**
 * Why an order is held: the API's codes (GET /v1/orders?holdReason=…) with a short name for the
 * Orders filter and what to do for Attention.
 */
export const HOLD_REASONS = [
  { code: 'unmapped_sku', name: 'Unmapped SKU', todo: 'map it in Product Mapping' },
  { code: 'address_incomplete', name: 'Incomplete address', todo: 'correct it on the order' },
  { code: 'unknown_status', name: 'Unknown marketplace status', todo: 'look at the order' },
  { code: 'unknown_fulfillment', name: 'Unknown fulfilment channel', todo: 'look at the order' },
  { code: 'duplicate_order', name: 'Possible duplicate', todo: 'release it on the order if it must ship' },
  { code: 'cancellation_requested', name: 'Buyer asked to cancel', todo: 'waits for the marketplace’s answer' },
  { code: 'operator_hold', name: 'Held by a person', todo: 'release it on the order when it may ship' },
] as const;

export type HoldReasonCode = (typeof HOLD_REASONS)[number]['code'];

export const isHoldReason = (code: string | null): code is HoldReasonCode => HOLD_REASONS.some((r) => r.code === code);

/** `#/orders?holdReason=…`: the Orders list with the filter set. */
export const heldOrdersLink = (code: HoldReasonCode) => `#/orders?holdReason=${code}`;
