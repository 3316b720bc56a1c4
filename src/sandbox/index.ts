/**
 * Marketplace sandboxes: in-process HTTP servers that speak Amazon's (LWA, Seller Central consent,
 * Sellers API, Orders API v2026-01-01) and Walmart's (token, token detail, orders) wire formats, for
 * tests, the demo and local development. Start one, point a real client at its URL, steer it with
 * the returned control API.
 */
export { startAmazonSandbox, type AmazonSandbox, type AmazonSandboxOptions, type AuthorizationCodeGrant } from './amazon/server.js';
export { defaultAmazonApp, defaultAmazonSellers, type AmazonApp, type AmazonParticipation, type AmazonSellerAccount } from './amazon/config.js';
export { MARKETPLACES, REGIONS, findMarketplace, type Marketplace, type Region } from './amazon/marketplaces.js';
export type { AmazonGenerateOptions, AmazonOrderControl, AmazonOrderInput, CancelOptions } from './amazon/orderControl.js';
export { AMAZON_ROUTES, AMAZON_USAGE_PLANS, type AmazonRoute } from './amazon/routes.js';
export { END_BOUND_LAG_MS } from './amazon/searchOrders.js';
export type { AmazonOrder, AmazonOrderItem, FulfillmentStatus, IncludedData, Money } from './amazon/types.js';

export { startWalmartSandbox, type WalmartSandbox, type WalmartSandboxOptions } from './walmart/server.js';
export { defaultWalmartApp, defaultWalmartClients, WALMART_SCOPES, type ScopeAccess, type WalmartApp, type WalmartClient, type WalmartScope } from './walmart/config.js';
export type { ConsentDecision, WalmartMarket } from './walmart/connect.js';
export type { LineSelection, WalmartGenerateOptions, WalmartOrderControl, WalmartOrderInput } from './walmart/orderControl.js';
export { WALMART_ROUTES, WALMART_USAGE_PLANS, type WalmartRoute } from './walmart/routes.js';
export type { ShipNodeType, WalmartLineStatus, WalmartOrder, WalmartOrderLine } from './walmart/types.js';

export { FAULT_KINDS, type Fault, type FaultKind, type FaultRegistry, type FaultRule, type FaultSpec } from './faults.js';
export { generateCatalog, type CatalogItem, type CatalogOptions } from './catalog.js';
export {
  generateOrders,
  type FulfilledBy,
  type GeneratedLine,
  type GeneratedOrder,
  type OrderGeneratorOptions,
  type OrderStage,
} from './orderGenerator.js';
export type { Clock } from './shared/clock.js';
export type { RequestCounters, RequestLogEntry } from './shared/counters.js';
export { DEFAULT_SEED } from './shared/random.js';
export { startSandboxes, type Sandboxes, type SandboxesOptions } from './sandboxes.js';
