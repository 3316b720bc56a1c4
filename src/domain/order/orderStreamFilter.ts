import { FulfillmentEvent } from './fulfillmentEvents.js';

/**
 * The order stream `order-<id>` also carries the warehouse's reports and what the marketplace was
 * told (warehouseEvents.ts, marketplaceSync/events.ts). Code that folds only the pulls and hand-off
 * decisions (the release policy, the orders read model) passes the other events over with this.
 */
export const FULFILLMENT_EVENT_TYPES: ReadonlySet<string> = new Set(FulfillmentEvent.options.map((o) => o.shape.type.value));
export const isHandoffEvent = (recorded: Readonly<{ type: string }>): boolean => recorded.type === 'OrderPulled' || FULFILLMENT_EVENT_TYPES.has(recorded.type);
