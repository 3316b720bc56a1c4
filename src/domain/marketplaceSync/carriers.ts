/**
 * The warehouse's carrier names → what each marketplace accepts. Amazon's confirmShipment takes a
 * carrierCode from its CarrierCode list, or "Others" with carrierName; Walmart's trackingInfo takes
 * carrierName.carrier from its list, or carrierName.otherCarrier with the name. Matching ignores
 * case, spaces and punctuation ("Fed Ex", "FEDEX", "fedex" are FedEx). Anything not in the table
 * goes as "other" with the warehouse's own name: Amazon takes it; Walmart takes otherCarrier (Mexico
 * "Other") only with a tracking URL, so without one in the warehouse's report the adapter refuses it
 * before the call. Walmart US codes are from its orders spec's carrier list (CarrierNameType), which
 * names DHL only as "DHL Ecommerce - US".
 */
export type CarrierRow = Readonly<{ name: string; aliases: readonly string[]; amazon: string | null; walmart: string | null }>;

export const CARRIERS: readonly CarrierRow[] = [
  { name: 'UPS', aliases: ['ups', 'unitedparcelservice'], amazon: 'UPS', walmart: 'UPS' },
  { name: 'USPS', aliases: ['usps', 'unitedstatespostalservice', 'uspostalservice'], amazon: 'USPS', walmart: 'USPS' },
  { name: 'FedEx', aliases: ['fedex', 'federalexpress', 'fdx'], amazon: 'FedEx', walmart: 'FedEx' },
  { name: 'DHL', aliases: ['dhl', 'dhlecommerce', 'dhlecommerceus', 'dhlglobalmail'], amazon: 'DHL', walmart: 'DHL Ecommerce - US' },
  { name: 'DHL Express', aliases: ['dhlexpress'], amazon: 'DHL', walmart: null },
  { name: 'OnTrac', aliases: ['ontrac'], amazon: 'OnTrac', walmart: 'OnTrac' },
  { name: 'LaserShip', aliases: ['lasership', 'ls'], amazon: 'Lasership', walmart: 'LS' },
  { name: 'FedEx SmartPost', aliases: ['fedexsmartpost', 'fedexsp', 'smartpost'], amazon: null, walmart: 'FEDEXSP' },
  { name: 'UPS Mail Innovations', aliases: ['upsmailinnovations', 'upsmi'], amazon: null, walmart: 'UPSMI' },
  { name: 'Amazon Shipping', aliases: ['amazonshipping', 'amazonlogistics', 'amzl'], amazon: 'Amazon Shipping', walmart: null },
  { name: 'Royal Mail', aliases: ['royalmail'], amazon: 'Royal Mail', walmart: 'Royal Mail' },
  { name: 'Canada Post', aliases: ['canadapost'], amazon: 'Canada Post', walmart: 'Canada Post' },
];

/** What the marketplace is told: its own code, or `other` with the warehouse's carrier name. */
export type MarketplaceCarrier = Readonly<{ code: string; other: boolean; name: string }>;

/** Amazon's code for "a carrier not in the list" (PackageDetail: carrierName required when carrierCode is "Others"). */
export const AMAZON_OTHER_CARRIER = 'Others';

/** A carrier name as the tables key it: lower case, letters and digits only ("Fed Ex" → fedex). */
export const carrierKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export const carrierFor = (platform: 'amazon' | 'walmart', warehouseName: string): MarketplaceCarrier => {
  const key = carrierKey(warehouseName);
  const row = CARRIERS.find((r) => r.aliases.includes(key));
  const code = row?.[platform] ?? null;
  const name = warehouseName.trim();
  if (code !== null) return { code, other: false, name };
  return { code: platform === 'amazon' ? AMAZON_OTHER_CARRIER : 'otherCarrier', other: true, name };
};
