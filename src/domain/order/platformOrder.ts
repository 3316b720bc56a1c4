import { z } from 'zod';

/**
 * The platform-neutral order: what OMS keeps of an Amazon or Walmart order, whatever the source.
 * Adapters parse the marketplaces' payloads into it; order events carry it (with the buyer's
 * personal data sealed by the vault before anything is stored).
 */
export const OrderStatus = z.enum(['pending', 'unshipped', 'partially_shipped', 'shipped', 'cancelled', 'unfulfillable']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const Money = z.object({ amount: z.string(), currency: z.string() });

export const ShipTo = z.object({
  name: z.string().nullable(),
  addressLines: z.array(z.string()),
  city: z.string().nullable(),
  stateOrRegion: z.string().nullable(),
  postalCode: z.string().nullable(),
  countryCode: z.string().nullable(),
  phone: z.string().nullable(),
});
export type ShipTo = z.infer<typeof ShipTo>;

export const Buyer = z.object({ name: z.string().nullable(), email: z.string().nullable() });
export type Buyer = z.infer<typeof Buyer>;

export const PlatformOrderLine = z.object({
  /** Amazon orderItemId; Walmart lineNumber. Stable across pulls. */
  lineId: z.string(),
  platformSku: z.string(),
  quantityOrdered: z.number().int().min(0),
  quantityShipped: z.number().int().min(0),
  quantityCancelled: z.number().int().min(0),
  /** The marketplace's own line status where it has one (Walmart: Created, Acknowledged, Shipped, Cancelled). */
  lineStatus: z.string().nullable(),
  unitPrice: Money.nullable(),
  title: z.string().nullable(),
});
export type PlatformOrderLine = z.infer<typeof PlatformOrderLine>;

export const PlatformOrder = z.object({
  platform: z.enum(['amazon', 'walmart']),
  marketplaceId: z.string(),
  platformOrderId: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  status: OrderStatus,
  /** The marketplace's own status word, kept for operators. */
  platformStatus: z.string(),
  /** merchant = the seller ships (Amazon MFN, Walmart SellerFulfilled); marketplace = FBA / WFS. */
  fulfillmentChannel: z.enum(['merchant', 'marketplace']),
  shipBy: z.iso.datetime().nullable(),
  deliverBy: z.iso.datetime().nullable(),
  serviceLevel: z.string().nullable(),
  shipTo: ShipTo.nullable(),
  buyer: Buyer.nullable(),
  lines: z.array(PlatformOrderLine),
  orderTotal: Money.nullable(),
});
export type PlatformOrder = z.infer<typeof PlatformOrder>;
