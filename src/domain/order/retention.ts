import type { OrderStreamEvent } from './fulfillment.js';

/**
 * Buyer-data retention (docs/retention.md): an order's buyer data is erased a fixed time after the
 * order became terminal. Pure: which order-stream events make an order terminal, and when erasure
 * is due. New triggers (the warehouse's shipment events) are added here and nowhere else.
 */
export type TerminalFact = Readonly<{ trigger: 'shipped' | 'cancelled'; at: string }>;

/** The terminal fact an event records, or null. The first one of an order counts (later ones change nothing). */
export const terminalFactOf = (event: OrderStreamEvent): TerminalFact | null => {
  switch (event.type) {
    case 'OrderPulled':
      // Shipped or delivered (both read as `shipped`), or cancelled, as the marketplace says.
      if (event.data.order.status === 'shipped') return { trigger: 'shipped', at: event.data.pulledAt };
      if (event.data.order.status === 'cancelled') return { trigger: 'cancelled', at: event.data.pulledAt };
      return null;
    case 'FulfillmentOrderCancelled':
      return { trigger: 'cancelled', at: event.data.cancelledAt };
    case 'OrderWithdrawn':
      return { trigger: 'cancelled', at: event.data.withdrawnAt };
    case 'OrderHoldDropped':
      return { trigger: event.data.reason === 'cancelled' ? 'cancelled' : 'shipped', at: event.data.droppedAt };
    default:
      return null;
  }
};

const DAY_MS = 86_400_000;

/** When the buyer data of an order terminal since `terminalAt` is due for erasure. */
export const erasureDueAt = (terminalAt: string, retentionDays: number): string => new Date(Date.parse(terminalAt) + retentionDays * DAY_MS).toISOString();

/** The cut-off for a run at `now`: orders terminal at or before it are due. */
export const terminalCutoff = (now: string, retentionDays: number): string => new Date(Date.parse(now) - retentionDays * DAY_MS).toISOString();
