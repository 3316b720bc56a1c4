import { z } from 'zod';
import { PlatformOrder } from './platformOrder.js';

/**
 * What an order event stores of a platform order: everything but the buyer's personal data, which
 * is sealed by the vault (a data key per order) before the first event is written — events are
 * immutable, so nothing personal is ever stored in clear. Non-identifying parts of the address
 * (country, region) stay readable for routing and reports.
 */
export const StoredOrder = PlatformOrder.omit({ shipTo: true, buyer: true }).extend({
  shipToCountry: z.string().nullable(),
  shipToRegion: z.string().nullable(),
  /** Sealed JSON of { shipTo, buyer } (vault owner `order-<orderId>`); null when the marketplace gave none. */
  personalData: z.string().nullable(),
  /**
   * Which fields a shipping label needs the ship-to lacks (names only: the release policy cannot
   * open the sealed address, and need not). Absent in orders pulled before OMS checked: complete.
   */
  shipToMissing: z.array(z.string()).optional(),
});
export type StoredOrder = z.infer<typeof StoredOrder>;

/**
 * A pull saw this version of the order (new, or changed since the last version recorded). The event
 * id is derived from the order, its platform update time and content, so a re-run pull appends nothing.
 */
export const OrderPulled = z.object({
  type: z.literal('OrderPulled'),
  schemaVersion: z.literal(1),
  data: z.object({
    orderId: z.string(),
    tenantId: z.string(),
    storeId: z.string(),
    pullId: z.string(),
    contentHash: z.string(),
    order: StoredOrder,
    pulledAt: z.iso.datetime(),
  }),
});
export type OrderPulled = z.infer<typeof OrderPulled>;
