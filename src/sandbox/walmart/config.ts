import { createRandom } from '../shared/random.js';
import type { WalmartMarket } from './types.js';

/** Permission areas a Walmart key can be granted (token detail `scopes`). */
export const WALMART_SCOPES = [
  'reports', 'item', 'shipping', 'price', 'lagtime', 'feeds', 'returns', 'orders', 'rules', 'inventory', 'content',
] as const;
export type WalmartScope = (typeof WALMART_SCOPES)[number];
export type ScopeAccess = 'full_access' | 'view_only' | 'no_access';

/** An API key pair a seller creates in Walmart's developer portal. */
export type WalmartClient = Readonly<{
  /** How tests and demos refer to the key (`sandbox.client('noOrderAccess')`). */
  label: string;
  clientId: string;
  clientSecret: string;
  /** The seller (partner) the key belongs to; its orders are what the key can read. */
  partnerId: string;
  /**
   * Keys are per environment: a `sandbox` key is unknown to production, and this sandbox plays
   * production, so it rejects such a key exactly as production does.
   */
  environment?: 'production' | 'sandbox';
  /** Missing scopes default to full_access. */
  scopes?: Partial<Record<WalmartScope, ScopeAccess>>;
  /** token detail `is_channel_match`: whether the key is associated with this solution provider. */
  channelMatch?: boolean;
  /** The market the key's tokens serve (default us); Connect tokens carry the market they were minted for (WM_MARKET). */
  market?: WalmartMarket;
}>;

export const scopesOf = (client: WalmartClient): Record<WalmartScope, ScopeAccess> =>
  Object.fromEntries(WALMART_SCOPES.map((scope) => [scope, client.scopes?.[scope] ?? 'full_access'])) as Record<
    WalmartScope,
    ScopeAccess
  >;

const key = (seed: string | number, label: string) => {
  const random = createRandom(`walmart-client/${seed}/${label}`);
  return {
    clientId: `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-a${random.hex(3)}-${random.hex(12)}`,
    // Walmart secrets are long base64url strings (64 bytes).
    clientSecret: Buffer.from(random.hex(128), 'hex').toString('base64url'),
  };
};

/**
 * Keys of one seller: a working one, one without order access (the OMS must refuse it and say which
 * permission to enable), one with read-only order access, and a sandbox key (production rejects it).
 */
export const defaultWalmartClients = (seed: string | number): WalmartClient[] => {
  const partnerId = `1000${createRandom(`walmart-partner/${seed}`).digits(7)}`;
  return [
    { label: 'main', partnerId, ...key(seed, 'main') },
    { label: 'noOrderAccess', partnerId, ...key(seed, 'noOrderAccess'), scopes: { orders: 'no_access' } },
    { label: 'ordersViewOnly', partnerId, ...key(seed, 'ordersViewOnly'), scopes: { orders: 'view_only' } },
    { label: 'sandboxKey', partnerId, ...key(seed, 'sandboxKey'), environment: 'sandbox' },
  ];
};

/**
 * A solution provider's app registered with Walmart (Developer Portal → Solution Provider): the
 * credentials of its OAuth 2.0 authorization-code flow ("Connect") and its Auth Callback URLs.
 */
export type WalmartApp = Readonly<{ clientId: string; clientSecret: string; redirectUris: readonly string[] }>;

/** The app the default sandbox registers; derived from the seed so a seed always prints the same credentials. */
export const defaultWalmartApp = (seed: string | number): WalmartApp => ({
  ...key(seed, 'solution-provider-app'),
  redirectUris: ['https://oms.example.test/v1/authorizations/walmart/callback'],
});
