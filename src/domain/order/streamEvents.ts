import { FulfillmentEvent } from './fulfillmentEvents.js';

/**
 * Order streams (`order-<orderId>`) also hold facts other subsystems append (warehouse reports,
 * marketplace confirmations). A reader that folds only pulls and hand-off decisions keeps these
 * event types and skips the rest, so a new kind of event in the stream never breaks it.
 */
export const HANDOFF_STREAM_TYPES: ReadonlySet<string> = new Set(['OrderPulled', ...FulfillmentEvent.options.map((o) => o.shape.type.value)]);

export const isHandoffStreamEvent = (recorded: Readonly<{ type: string }>): boolean => HANDOFF_STREAM_TYPES.has(recorded.type);
