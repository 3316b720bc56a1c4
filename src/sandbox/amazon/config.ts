import { createRandom } from '../shared/random.js';
import { findMarketplace, isShadowMarketplace, type Region } from './marketplaces.js';

/** A registered SP-API application (what a developer sees in "Develop Apps"). */
export type AmazonApp = Readonly<{
  applicationId: string;
  clientId: string;
  clientSecret: string;
  /** OAuth redirect URIs registered with the app; the first is the default. */
  redirectUris: readonly string[];
  /** Draft apps only authorize with `version=beta` on the consent URL. */
  draft?: boolean;
}>;

export type AmazonParticipation = Readonly<{
  marketplaceId: string;
  isParticipating?: boolean;
  hasSuspendedListings?: boolean;
}>;

/** A seller account with its marketplaces in every region it sells in. */
export type AmazonSellerAccount = Readonly<{
  sellerId: string;
  storeName: string;
  participations: readonly AmazonParticipation[];
}>;

/** The app the default sandbox registers; derived from the seed so a seed always prints the same credentials. */
export const defaultAmazonApp = (seed: string | number): AmazonApp => {
  const random = createRandom(`amazon-app/${seed}`);
  const uuid = `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-a${random.hex(3)}-${random.hex(12)}`;
  return {
    applicationId: `amzn1.sellerapps.app.${uuid}`,
    clientId: `amzn1.application-oa2-client.${random.hex(32)}`,
    clientSecret: `amzn1.oa2-cs.v1.${random.hex(64)}`,
    redirectUris: ['https://oms.example.test/v1/authorizations/amazon/callback'],
    draft: false,
  };
};

const sellerId = (seed: string | number, label: string) => `A${createRandom(`amazon-seller/${seed}/${label}`).alnum(13)}`;

/**
 * Two accounts: a main one selling in all three regions (with a marketplace it does not participate
 * in, one with suspended listings and a shadow "Non-Amazon" one, as real participations show), and a second, smaller one for
 * testing that the account that consents is the one meant.
 */
export const defaultAmazonSellers = (seed: string | number): AmazonSellerAccount[] => [
  {
    sellerId: sellerId(seed, 'main'),
    storeName: 'Northbeam Home',
    participations: [
      { marketplaceId: 'ATVPDKIKX0DER' },
      { marketplaceId: 'A2EUQ1WTGCTBG2' },
      { marketplaceId: 'A1AM78C64UM0Y8', isParticipating: false },
      { marketplaceId: 'A1F83G8C2ARO7P' },
      { marketplaceId: 'A1PA6795UKMFR9' },
      { marketplaceId: 'A13V1IB3VIYZZH', hasSuspendedListings: true },
      { marketplaceId: 'A1VC38T7YXB528' },
      // Real participations also list shadow "Non-Amazon" marketplaces; clients must not make stores of them.
      { marketplaceId: 'A2ZV50J4W1RKNI' },
    ],
  },
  {
    sellerId: sellerId(seed, 'other'),
    storeName: 'Tidewell Outlet',
    participations: [{ marketplaceId: 'ATVPDKIKX0DER' }],
  },
];

export const participationsIn = (seller: AmazonSellerAccount, region: Region): AmazonParticipation[] =>
  seller.participations.filter((p) => findMarketplace(p.marketplaceId)?.region === region);

/** Marketplaces whose orders an account has in a region: only real ones it participates in. */
export const activeMarketplaceIds = (seller: AmazonSellerAccount, region: Region): string[] =>
  participationsIn(seller, region)
    .filter((p) => p.isParticipating !== false && !isShadowMarketplace(p.marketplaceId))
    .map((p) => p.marketplaceId);

export const validateSellers = (sellers: readonly AmazonSellerAccount[]): void => {
  const seen = new Set<string>();
  for (const seller of sellers) {
    if (seen.has(seller.sellerId)) throw new Error(`Duplicate seller id ${seller.sellerId}`);
    seen.add(seller.sellerId);
    for (const p of seller.participations) {
      if (findMarketplace(p.marketplaceId) === undefined) throw new Error(`Unknown marketplace id ${p.marketplaceId}`);
    }
  }
};
