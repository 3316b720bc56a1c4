import { randomUUID } from 'node:crypto';
import type { WalmartMarket } from '../../domain/ports/marketplaces.js';
import { WALMART_SERVICE_NAME } from './walmartAuth.js';

/**
 * Walmart runs one Orders API per market, and they differ (docs/walmart-connect.md, "Orders per
 * market"): Canada has its own paths (/v3/ca/orders…), Mexico keeps the US paths but has its own
 * list (cursor marks), shipping (`/ship`, shipments) and acknowledge (a body listing the lines).
 * A store's market is its marketplace id (WALMART_US / WALMART_CA / WALMART_MX).
 */
export const WALMART_MARKETPLACE_IDS: Readonly<Record<WalmartMarket, string>> = { us: 'WALMART_US', ca: 'WALMART_CA', mx: 'WALMART_MX' };

export const walmartMarketOf = (marketplaceId: string | null | undefined): WalmartMarket =>
  marketplaceId === WALMART_MARKETPLACE_IDS.ca ? 'ca' : marketplaceId === WALMART_MARKETPLACE_IDS.mx ? 'mx' : 'us';

/** Where a market's purchase orders live. */
export const WALMART_ORDERS_PATH: Readonly<Record<WalmartMarket, string>> = { us: '/v3/orders', ca: '/v3/ca/orders', mx: '/v3/orders' };

/**
 * The headers of every Orders call. Access tokens from Walmart Connect are minted for one market
 * (WM_MARKET on the token call); calls outside the US name that market again. Mexico's orders spec
 * declares HTTP Basic (the client credentials the token was minted with) beside the token on every
 * call, where the US and Canadian specs declare the token alone.
 */
export const walmartHeaders = (market: WalmartMarket, accessToken: string, clientBasic: string | null = null): Record<string, string> => ({
  'WM_SEC.ACCESS_TOKEN': accessToken,
  'WM_SVC.NAME': WALMART_SERVICE_NAME,
  'WM_QOS.CORRELATION_ID': randomUUID(),
  accept: 'application/json',
  ...(market === 'us' ? {} : { WM_MARKET: market }),
  ...(market === 'mx' && clientBasic !== null ? { authorization: `Basic ${clientBasic}` } : {}),
});
