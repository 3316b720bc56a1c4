import { z } from 'zod';

/**
 * The platform-neutral order: what OMS keeps of an Amazon or Walmart order, whatever the source.
 * Adapters parse the marketplaces' payloads into it; order events carry it (with the buyer's
 * personal data sealed by the vault before anything is stored).
 */
export const OrderStatus = z.enum(['pending', 'unshipped', 'partially_shipped', 'shipped', 'cancelled', 'unfulfillable', 'unknown']);
export type OrderStatus = z.infer<typeof OrderStatus>;
// 'unknown': the marketplace wrote a status OMS does not know. Recorded (platformStatus keeps the
// word) and never released; a later pull with a known status decides it.

export const Money = z.object({ amount: z.string(), currency: z.string() });

export const ShipTo = z.object({
  name: z.string().nullable(),
  addressLines: z.array(z.string()),
  city: z.string().nullable(),
  stateOrRegion: z.string().nullable(),
  postalCode: z.string().nullable(),
  countryCode: z.string().nullable(),
  phone: z.string().nullable(),
  // Present only when the marketplace gives them (absent keys keep older orders' content hashes).
  companyName: z.string().optional(),
  /** Amazon districtOrCounty. */
  district: z.string().optional(),
  municipality: z.string().optional(),
  /** RESIDENTIAL, COMMERCIAL, PICKUP_POINT (Amazon); RESIDENTIAL, COMMERCIAL (Walmart). */
  addressType: z.string().optional(),
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
  /**
   * The buyer asked to cancel this line (Amazon cancellationRequest, Walmart intentToCancel): an
   * order fact, not a cancellation — the marketplace has not cancelled anything yet. Present only when true.
   */
  cancellationRequested: z.literal(true).optional(),
  /** The marketplace's reason code for that request, when it gives one. */
  cancellationReason: z.string().optional(),
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
  /**
   * merchant = the seller ships (Amazon MFN, Walmart SellerFulfilled); marketplace = FBA / WFS;
   * unknown = the marketplace did not say (Amazon's fulfilledBy is optional): never released.
   */
  fulfillmentChannel: z.enum(['merchant', 'marketplace', 'unknown']),
  /**
   * Walmart only, present when the order came from a 3PL ship node (shipNodeType 3PLFulfilled): its
   * channel is 'marketplace' unless the store says it is the 3PL (store setting), which the release
   * policy decides.
   */
  shipNodeType: z.string().optional(),
  shipBy: z.iso.datetime().nullable(),
  deliverBy: z.iso.datetime().nullable(),
  serviceLevel: z.string().nullable(),
  shipTo: ShipTo.nullable(),
  buyer: Buyer.nullable(),
  lines: z.array(PlatformOrderLine),
  orderTotal: Money.nullable(),
});
export type PlatformOrder = z.infer<typeof PlatformOrder>;
