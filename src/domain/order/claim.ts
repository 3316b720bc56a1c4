import { z } from 'zod';
import type { StoredOrder } from './events.js';

/**
 * One release per marketplace order: the first order of OMS (whatever its store or tenant) to be
 * released for a marketplace order — (platform, marketplace, platform order id) — claims it in a
 * stream of its own, appended with expected version `no_stream` in the same multi-stream append as
 * the release. A second store's copy (a second Walmart key of the seller, a reconnection under a
 * new authorization, another tenant) finds the claim and is held as `duplicate_order`; two
 * policies racing are settled by the event store: one `no_stream` append wins, the other is refused
 * and decides again, now seeing the owner.
 */
export const MarketplaceOrderClaimed = z.object({
  type: z.literal('MarketplaceOrderClaimed'),
  schemaVersion: z.literal(1),
  data: z.object({
    orderId: z.string(),
    storeId: z.string(),
    tenantId: z.string(),
    platform: z.enum(['amazon', 'walmart']),
    marketplaceId: z.string(),
    platformOrderId: z.string(),
    claimedAt: z.iso.datetime(),
  }),
});
export type MarketplaceOrderClaimed = z.infer<typeof MarketplaceOrderClaimed>;

/** "claim-" is no other stream's prefix (in particular not "order-": the orders projection reads those). */
export const claimStreamId = (order: Pick<StoredOrder, 'platform' | 'marketplaceId' | 'platformOrderId'>) =>
  `claim-${order.platform}-${order.marketplaceId}-${order.platformOrderId}`;
