/**
 * Words and lists of the Platform Authorization screens: Amazon's sites by region (the site only
 * picks the region: Amazon's consent covers every store of the account in it), what a refused
 * consent means, and the renewal countdown.
 */
type Site = { key: string; region: 'NA' | 'EU' | 'FE'; regionName: string; country: string; domain: string };

const site = (region: Site['region'], country: string, domain: string): Site => ({
  key: `${region}:${domain}`,
  region,
  regionName: { NA: 'North America', EU: 'Europe', FE: 'Far East' }[region],
  country,
  domain,
});

export const AMAZON_SITES: readonly Site[] = [
  site('NA', 'United States', 'amazon.com'),
  site('NA', 'Canada', 'amazon.ca'),
  site('NA', 'Mexico', 'amazon.com.mx'),
  site('NA', 'Brazil', 'amazon.com.br'),
  site('EU', 'United Kingdom', 'amazon.co.uk'),
  site('EU', 'Germany', 'amazon.de'),
  site('EU', 'France', 'amazon.fr'),
  site('EU', 'Italy', 'amazon.it'),
  site('EU', 'Spain', 'amazon.es'),
  site('EU', 'Netherlands', 'amazon.nl'),
  site('EU', 'Sweden', 'amazon.se'),
  site('EU', 'Poland', 'amazon.pl'),
  site('EU', 'Belgium', 'amazon.com.be'),
  site('EU', 'Ireland', 'amazon.ie'),
  site('EU', 'Turkey', 'amazon.com.tr'),
  site('EU', 'United Arab Emirates', 'amazon.ae'),
  site('EU', 'Saudi Arabia', 'amazon.sa'),
  site('EU', 'Egypt', 'amazon.eg'),
  site('EU', 'India', 'amazon.in'),
  site('EU', 'South Africa', 'amazon.co.za'),
  site('FE', 'Japan', 'amazon.co.jp'),
  site('FE', 'Australia', 'amazon.com.au'),
  site('FE', 'Singapore', 'amazon.sg'),
];

/** Walmart Connect's markets: the store's country (Walmart's `clientType` seller, seller-ca, seller-mx). */
export const WALMART_MARKETS = [
  { market: 'us', name: 'United States (walmart.com)' },
  { market: 'ca', name: 'Canada (walmart.ca)' },
  { market: 'mx', name: 'Mexico (walmart.com.mx)' },
] as const;

/** The refusals a consent can end with (the callback's stable codes), in words with what to do. */
export const CONSENT_ERRORS: Readonly<Record<string, string>> = {
  invalid_state: 'the link was used already or is not OMS’s. Start the authorization again.',
  state_expired: 'the consent took longer than 10 minutes. Start the authorization again.',
  state_not_bound: 'the consent finished in another browser than the one that opened the link. Open the link and consent in the same browser.',
  consent_link_used: 'the link was opened already (it works once). Start the authorization again.',
  account_already_connected: 'this Amazon account is connected already. Re-authorize that authorization instead.',
  account_mismatch: 'another Amazon account consented than the one of this authorization. Sign in to Seller Central with the right account.',
  account_claim_mismatch: 'Amazon named another account than the consent. Start the authorization again.',
  authorization_failed: 'Amazon did not accept the consent. Start the authorization again; the authorization’s Last failure says why.',
};

/** Walmart Connect's refusals (code, or authorization_failed with its reason), in words with what to do. */
const WALMART_CONSENT_ERRORS: Readonly<Record<string, string>> = {
  consent_denied: 'the seller declined on Walmart’s page. Connect again and choose “Approve”.',
  missing_permission: 'Walmart granted Orders without full access, which OMS needs to acknowledge and ship orders. Connect again and approve Orders with full access.',
  account_already_connected: 'this Walmart seller account is connected already. Re-authorize that authorization instead.',
  account_mismatch: 'another Walmart seller approved than the one of this authorization. Log in to Seller Center as that seller and re-authorize.',
  walmart_invalid_grant: 'Walmart refused the authorization code (expired, used already, or issued for another seller). Connect again.',
  walmart_invalid_callback: 'Walmart’s answer had no authorization code or seller. Connect again.',
  walmart_scopes_unreadable: 'Walmart did not say which permissions were granted. Try again in a few minutes.',
  authorization_failed: 'Walmart did not complete the authorization. Connect again; the authorization’s Last failure says why.',
};

/** What a refused consent means and what to do, for the authorization's platform when known. */
export const consentErrorText = (code: string, reason: string | null, platform: string | null) => {
  if (platform === 'walmart') {
    const other = reason?.startsWith('walmart_') ? `Walmart did not complete the exchange (${reason}). Try again in a few minutes.` : undefined;
    const text = WALMART_CONSENT_ERRORS[reason ?? ''] ?? other ?? WALMART_CONSENT_ERRORS[code];
    if (text) return text;
  }
  return CONSENT_ERRORS[code] ?? `the marketplace or OMS refused it (${code}${reason ? `, ${reason}` : ''}).`;
};

/** Whole days from now until `iso` (negative once passed). */
export const daysLeft = (iso: string) => Math.floor((new Date(iso).getTime() - Date.now()) / 86_400_000);

export const renewalText = (renewBy: string, days: number) =>
  days < 0 ? `overdue since ${renewBy.slice(0, 10)} — re-authorize` : `renew by ${renewBy.slice(0, 10)} (${days} day${days === 1 ? '' : 's'} left)`;
