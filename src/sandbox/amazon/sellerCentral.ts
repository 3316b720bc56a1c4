import type { Region } from './marketplaces.js';

/**
 * Seller Central hosts as Amazon lists them per marketplace (reference §A2), with the selling
 * region a consent on that host authorizes. The sandbox serves every host under one listener as
 * `/sellercentral/<host>/apps/authorize/consent` (a browser cannot be sent to a made-up Host).
 */
export const SELLER_CENTRAL_HOSTS: Readonly<Record<string, Region>> = {
  'sellercentral.amazon.com': 'NA',
  'sellercentral.amazon.ca': 'NA',
  'sellercentral.amazon.com.mx': 'NA',
  'sellercentral.amazon.com.br': 'NA',
  'sellercentral-europe.amazon.com': 'EU',
  'sellercentral.amazon.ie': 'EU',
  'sellercentral.amazon.com.be': 'EU',
  'sellercentral.amazon.nl': 'EU',
  'sellercentral.amazon.se': 'EU',
  'sellercentral.amazon.co.za': 'EU',
  'sellercentral.amazon.pl': 'EU',
  'sellercentral.amazon.eg': 'EU',
  'sellercentral.amazon.com.tr': 'EU',
  'sellercentral.amazon.sa': 'EU',
  'sellercentral.amazon.ae': 'EU',
  'sellercentral.amazon.in': 'EU',
  'sellercentral.amazon.sg': 'FE',
  'sellercentral.amazon.com.au': 'FE',
  'sellercentral.amazon.co.jp': 'FE',
};

export const SELLER_CENTRAL_PATH_PREFIX = '/sellercentral';

export const sellerCentralRegion = (host: string): Region | undefined => SELLER_CENTRAL_HOSTS[host.toLowerCase()];
