/**
 * Amazon marketplaces by selling region, with the ids Amazon publishes (reference §A2). An
 * authorization is per region, so each region is served by its own sandbox endpoint.
 */
export const REGIONS = ['NA', 'EU', 'FE'] as const;
export type Region = (typeof REGIONS)[number];

export type Marketplace = Readonly<{
  id: string;
  region: Region;
  countryCode: string;
  name: string;
  defaultCurrencyCode: string;
  defaultLanguageCode: string;
  domainName: string;
  /** First group of an order id ("111-…" for amazon.com), for plausible-looking ids. */
  orderIdPrefixes: readonly string[];
}>;

const m = (
  id: string,
  region: Region,
  countryCode: string,
  domain: string,
  currency: string,
  language: string,
  orderIdPrefixes: readonly string[],
): Marketplace => ({
  id,
  region,
  countryCode,
  name: `Amazon.${domain}`,
  defaultCurrencyCode: currency,
  defaultLanguageCode: language,
  domainName: `www.amazon.${domain}`,
  orderIdPrefixes,
});

export const MARKETPLACES: readonly Marketplace[] = [
  m('A2EUQ1WTGCTBG2', 'NA', 'CA', 'ca', 'CAD', 'en_CA', ['701', '702']),
  m('ATVPDKIKX0DER', 'NA', 'US', 'com', 'USD', 'en_US', ['111', '112', '113', '114']),
  m('A1AM78C64UM0Y8', 'NA', 'MX', 'com.mx', 'MXN', 'es_MX', ['701', '702']),
  m('A2Q3Y263D00KWC', 'NA', 'BR', 'com.br', 'BRL', 'pt_BR', ['171']),
  m('A28R8C7NBKEWEA', 'EU', 'IE', 'ie', 'EUR', 'en_IE', ['405', '406']),
  m('A1RKKUPIHCS9HS', 'EU', 'ES', 'es', 'EUR', 'es_ES', ['402', '403', '404']),
  m('A1F83G8C2ARO7P', 'EU', 'GB', 'co.uk', 'GBP', 'en_GB', ['202', '203', '204', '205', '206']),
  m('A13V1IB3VIYZZH', 'EU', 'FR', 'fr', 'EUR', 'fr_FR', ['402', '403', '404', '405', '407']),
  m('AMEN7PMS3EDWL', 'EU', 'BE', 'com.be', 'EUR', 'fr_BE', ['405', '406']),
  m('A1805IZSGTT6HS', 'EU', 'NL', 'nl', 'EUR', 'nl_NL', ['405', '406']),
  m('A1PA6795UKMFR9', 'EU', 'DE', 'de', 'EUR', 'de_DE', ['302', '303', '304', '305', '306']),
  m('APJ6JRA9NG5V4', 'EU', 'IT', 'it', 'EUR', 'it_IT', ['402', '403', '404', '405', '407']),
  m('A2NODRKZP88ZB9', 'EU', 'SE', 'se', 'SEK', 'sv_SE', ['405', '406']),
  m('AE08WJ6YKNBMC', 'EU', 'ZA', 'co.za', 'ZAR', 'en_ZA', ['405', '406']),
  m('A1C3SOZRARQ6R3', 'EU', 'PL', 'pl', 'PLN', 'pl_PL', ['405', '406']),
  m('ARBP9OOSHTCHU', 'EU', 'EG', 'eg', 'EGP', 'ar_EG', ['405', '406']),
  m('A33AVAJ2PDY3EV', 'EU', 'TR', 'com.tr', 'TRY', 'tr_TR', ['405', '406']),
  m('A17E79C6D8DWNP', 'EU', 'SA', 'sa', 'SAR', 'ar_SA', ['405', '406']),
  m('A2VIGQ35RCS4UG', 'EU', 'AE', 'ae', 'AED', 'ar_AE', ['405', '406']),
  m('A21TJRUUN4KGV', 'EU', 'IN', 'in', 'INR', 'en_IN', ['402', '403', '404', '405', '406', '407', '408']),
  m('A19VAU5U5O7RUS', 'FE', 'SG', 'sg', 'SGD', 'en_SG', ['503']),
  m('A39IBJ37TRP1C6', 'FE', 'AU', 'com.au', 'AUD', 'en_AU', ['249', '250']),
  m('A1VC38T7YXB528', 'FE', 'JP', 'co.jp', 'JPY', 'ja_JP', ['249', '250', '503']),
];

/**
 * Shadow marketplaces as real participations list them beside the Amazon ones ("<Country> –
 * Non-Amazon", Amazon's off-Amazon channels): they have no Amazon buyers' orders, and a client must
 * not make stores of them (reference §A2 caveat).
 */
const shadow = (id: string, region: Region, countryCode: string, country: string): Marketplace => ({
  id,
  region,
  countryCode,
  name: `${country} – Non-Amazon`,
  defaultCurrencyCode: region === 'NA' ? 'USD' : 'EUR',
  defaultLanguageCode: region === 'NA' ? 'en_US' : 'de_DE',
  domainName: 'sim1.stores.amazon.com',
  orderIdPrefixes: [],
});

export const SHADOW_MARKETPLACES: readonly Marketplace[] = [
  shadow('A2ZV50J4W1RKNI', 'NA', 'US', 'United States'),
  shadow('A38D8NSA03LJTC', 'EU', 'DE', 'Germany'),
  shadow('AFQLKURYRPEL8', 'EU', 'ES', 'Spain'),
];

const BY_ID = new Map([...MARKETPLACES, ...SHADOW_MARKETPLACES].map((marketplace) => [marketplace.id, marketplace]));

export const isShadowMarketplace = (id: string) => SHADOW_MARKETPLACES.some((m) => m.id === id);

export const findMarketplace = (id: string): Marketplace | undefined => BY_ID.get(id);

export const marketplace = (id: string): Marketplace => {
  const found = BY_ID.get(id);
  if (found === undefined) throw new Error(`Unknown Amazon marketplace id ${id}`);
  return found;
};

export const isRegion = (value: string): value is Region => (REGIONS as readonly string[]).includes(value);
