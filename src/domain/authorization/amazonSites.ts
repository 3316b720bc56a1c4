import type { AmazonRegion } from './events.js';

/**
 * Amazon's marketplaces with their selling region and the Seller Central host a seller of that
 * country signs in on (Amazon's published "Seller Central URLs"; reference §A2). Consent on any
 * host of a region authorizes the whole region, but a seller must be sent to the host of their
 * own country to sign in at all.
 */
export type AmazonSite = Readonly<{ countryCode: string; region: AmazonRegion; marketplaceId: string; sellerCentralHost: string }>;

const site = (countryCode: string, region: AmazonRegion, marketplaceId: string, sellerCentralHost: string): AmazonSite => ({
  countryCode,
  region,
  marketplaceId,
  sellerCentralHost,
});

export const AMAZON_SITES: readonly AmazonSite[] = [
  site('CA', 'NA', 'A2EUQ1WTGCTBG2', 'sellercentral.amazon.ca'),
  site('US', 'NA', 'ATVPDKIKX0DER', 'sellercentral.amazon.com'),
  site('MX', 'NA', 'A1AM78C64UM0Y8', 'sellercentral.amazon.com.mx'),
  site('BR', 'NA', 'A2Q3Y263D00KWC', 'sellercentral.amazon.com.br'),
  site('IE', 'EU', 'A28R8C7NBKEWEA', 'sellercentral.amazon.ie'),
  site('ES', 'EU', 'A1RKKUPIHCS9HS', 'sellercentral-europe.amazon.com'),
  site('GB', 'EU', 'A1F83G8C2ARO7P', 'sellercentral-europe.amazon.com'),
  site('FR', 'EU', 'A13V1IB3VIYZZH', 'sellercentral-europe.amazon.com'),
  site('BE', 'EU', 'AMEN7PMS3EDWL', 'sellercentral.amazon.com.be'),
  site('NL', 'EU', 'A1805IZSGTT6HS', 'sellercentral.amazon.nl'),
  site('DE', 'EU', 'A1PA6795UKMFR9', 'sellercentral-europe.amazon.com'),
  site('IT', 'EU', 'APJ6JRA9NG5V4', 'sellercentral-europe.amazon.com'),
  site('SE', 'EU', 'A2NODRKZP88ZB9', 'sellercentral.amazon.se'),
  site('ZA', 'EU', 'AE08WJ6YKNBMC', 'sellercentral.amazon.co.za'),
  site('PL', 'EU', 'A1C3SOZRARQ6R3', 'sellercentral.amazon.pl'),
  site('EG', 'EU', 'ARBP9OOSHTCHU', 'sellercentral.amazon.eg'),
  site('TR', 'EU', 'A33AVAJ2PDY3EV', 'sellercentral.amazon.com.tr'),
  site('SA', 'EU', 'A17E79C6D8DWNP', 'sellercentral.amazon.sa'),
  site('AE', 'EU', 'A2VIGQ35RCS4UG', 'sellercentral.amazon.ae'),
  site('IN', 'EU', 'A21TJRUUN4KGV', 'sellercentral.amazon.in'),
  site('SG', 'FE', 'A19VAU5U5O7RUS', 'sellercentral.amazon.sg'),
  site('AU', 'FE', 'A39IBJ37TRP1C6', 'sellercentral.amazon.com.au'),
  site('JP', 'FE', 'A1VC38T7YXB528', 'sellercentral.amazon.co.jp'),
];

export const AMAZON_COUNTRY_CODES = AMAZON_SITES.map((s) => s.countryCode) as [string, ...string[]];

/** Amazon's docs write the United Kingdom as "UK"; the Sellers API answers "GB". */
export const normalizeAmazonCountry = (code: string) => {
  const upper = code.trim().toUpperCase();
  return upper === 'UK' ? 'GB' : upper;
};

export const amazonSiteOf = (countryCode: string): AmazonSite | undefined => AMAZON_SITES.find((s) => s.countryCode === normalizeAmazonCountry(countryCode));

const REAL_MARKETPLACES = new Set(AMAZON_SITES.map((s) => s.marketplaceId));

/**
 * A real Amazon marketplace (one of the published ids)? Participations also list shadow
 * "Non-Amazon" marketplaces (e.g. "Germany – Non-Amazon", Amazon's own test/web-store ids): they
 * have no buyers' orders for OMS and never become stores.
 */
export const isAmazonMarketplace = (marketplaceId: string) => REAL_MARKETPLACES.has(marketplaceId);
