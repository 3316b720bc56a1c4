import { z } from 'zod';

export const Platform = z.enum(['amazon', 'walmart']);
export type Platform = z.infer<typeof Platform>;

export const StoreStatus = z.enum(['active', 'paused', 'revoked', 'not_participating']);
export type StoreStatus = z.infer<typeof StoreStatus>;

/**
 * A store (one marketplace of an authorized seller account) exists in OMS. Written together with
 * the authorization events that discovered it.
 */
export const StoreConnected = z.object({
  type: z.literal('StoreConnected'),
  schemaVersion: z.literal(1),
  data: z.object({
    storeId: z.string(),
    tenantId: z.string(),
    authorizationId: z.string(),
    platform: Platform,
    marketplaceId: z.string(),
    countryCode: z.string(),
    marketplaceName: z.string(),
    name: z.string(),
    status: StoreStatus,
    connectedAt: z.iso.datetime(),
  }),
});

/** The store's status changed (its authorization was paused, resumed or revoked; participation changed). */
export const StoreStatusChanged = z.object({
  type: z.literal('StoreStatusChanged'),
  schemaVersion: z.literal(1),
  data: z.object({
    storeId: z.string(),
    tenantId: z.string(),
    status: StoreStatus,
    reason: z.string().nullable(),
    changedAt: z.iso.datetime(),
  }),
});

/**
 * How the store is pulled (both off when never set):
 * - `skipMarketplaceFulfilled` (Amazon): ask for seller-fulfilled orders only (`fulfilledBy=MERCHANT`),
 *   saving the pages of FBA orders. Off (the default): FBA orders are recorded (visible, never sent).
 * - `walmart3plNode` (Walmart): the seller's warehouse is the 3PL ship node of the account, so
 *   `3PLFulfilled` orders are searched for and released like seller-fulfilled ones.
 * `settings` is the whole set after the change.
 */
export const StoreSettings = z.object({ skipMarketplaceFulfilled: z.boolean(), walmart3plNode: z.boolean() });
export type StoreSettings = z.infer<typeof StoreSettings>;
export const DEFAULT_STORE_SETTINGS: StoreSettings = { skipMarketplaceFulfilled: false, walmart3plNode: false };

export const StoreSettingsChanged = z.object({
  type: z.literal('StoreSettingsChanged'),
  schemaVersion: z.literal(1),
  data: z.object({ storeId: z.string(), tenantId: z.string(), settings: StoreSettings, changedAt: z.iso.datetime() }),
});

export const StoreEvent = z.discriminatedUnion('type', [StoreConnected, StoreStatusChanged, StoreSettingsChanged]);
export type StoreEvent = z.infer<typeof StoreEvent>;
export type StoreConnectedData = z.infer<typeof StoreConnected>['data'];

export const storeConnected = (data: StoreConnectedData): StoreEvent => ({ type: 'StoreConnected', schemaVersion: 1, data });
export const storeStatusChanged = (data: z.infer<typeof StoreStatusChanged>['data']): StoreEvent => ({
  type: 'StoreStatusChanged',
  schemaVersion: 1,
  data,
});
