import { z } from 'zod';
import { amazonSiteOf } from '../../domain/authorization/amazonSites.js';
import type { AmazonRegion } from '../../domain/authorization/events.js';
import { MarketplaceError, type AmazonAuthApi, type Participation } from '../../domain/ports/marketplaces.js';
import { genericFailure, httpCall, type HttpResult } from './http.js';

export type AmazonAuthConfig = Readonly<{
  appId: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string | null;
  appIsDraft: boolean;
  lwaUrl: string;
  spApiUrl: Readonly<Record<AmazonRegion, string>>;
  sellerCentralUrl: Readonly<Record<AmazonRegion, string>>;
  /**
   * Seller Central of a store's country: `{host}` is replaced by the published host (sandbox:
   * `http://127.0.0.1:PORT/sellercentral/{host}`); unset: `https://{host}`.
   */
  sellerCentralUrlTemplate?: string | null;
}>;

const TokenResponse = z.object({ access_token: z.string(), expires_in: z.number(), refresh_token: z.string().optional() });
const LwaError = z.object({ error: z.string(), error_description: z.string().optional() });
const ParticipationList = z.array(
  z.object({
    marketplace: z.object({ id: z.string(), countryCode: z.string(), name: z.string() }),
    participation: z.object({ isParticipating: z.boolean(), hasSuspendedListings: z.boolean() }),
  }),
);
const Participations = z.object({ payload: ParticipationList });

/** getMarketplaceParticipations' payload (also getAccount's marketplaceParticipationList) → participations. */
export const parseParticipations = (payload: unknown): Participation[] =>
  ParticipationList.parse(payload).map((p) => ({
    marketplaceId: p.marketplace.id,
    countryCode: p.marketplace.countryCode,
    name: p.marketplace.name,
    isParticipating: p.participation.isParticipating,
    hasSuspendedListings: p.participation.hasSuspendedListings,
  }));

/** Only what identifies the account: the estimate itself may be a ClientError (any ASIN will do). */
const FeesEstimate = z.object({
  payload: z.object({ FeesEstimateResult: z.object({ FeesEstimateIdentifier: z.object({ SellerId: z.string().min(1) }) }) }),
});

/** An ASIN for the identity check; whether the catalog knows it does not matter. */
const IDENTITY_ASIN = 'B000000000';

const USER_AGENT = 'OMS/0.1 (Language=TypeScript; Platform=Node.js)';

/** LWA's OAuth errors: invalid_grant (bad, used or expired code; revoked refresh token), invalid_client. */
const lwaFailure = (r: HttpResult): MarketplaceError => {
  const parsed = LwaError.safeParse(r.body);
  if (parsed.success && r.status < 500) {
    const code = parsed.data.error === 'invalid_grant' ? 'invalid_grant' : parsed.data.error === 'invalid_client' ? 'invalid_client' : 'bad_request';
    return new MarketplaceError(code, r.status, parsed.data.error_description ?? parsed.data.error);
  }
  return genericFailure('Login with Amazon', r);
};

const parsed = <T>(schema: z.ZodType<T>, r: HttpResult, what: string): T => {
  const result = schema.safeParse(r.body);
  if (!result.success) throw new MarketplaceError('malformed_response', r.status, `${what}: unexpected response`);
  return result.data;
};

const CONSENT_PATH = 'apps/authorize/consent';

/** The Seller Central a seller signs in on (as a base URL ending in "/", so a sandbox path prefix is kept). */
const sellerCentralBase = (config: AmazonAuthConfig, region: AmazonRegion, countryCode: string | null): string => {
  const site = countryCode ? amazonSiteOf(countryCode) : undefined;
  const base = site
    ? config.sellerCentralUrlTemplate
      ? config.sellerCentralUrlTemplate.replace('{host}', site.sellerCentralHost)
      : `https://${site.sellerCentralHost}`
    : config.sellerCentralUrl[region];
  return base.endsWith('/') ? base : `${base}/`;
};

/** Amazon's website authorization workflow, LWA tokens, and the Sellers API. */
export const amazonAuthApi = (config: AmazonAuthConfig): AmazonAuthApi => {
  const token = async (form: Record<string, string>) => {
    const r = await httpCall(new URL('/auth/o2/token', config.lwaUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
      body: new URLSearchParams({ ...form, client_id: config.clientId, client_secret: config.clientSecret }).toString(),
    });
    if (r.status !== 200) throw lwaFailure(r);
    return parsed(TokenResponse, r, 'Login with Amazon');
  };

  return {
    consentUrl: (region, state, countryCode) => {
      const url = new URL(CONSENT_PATH, sellerCentralBase(config, region, countryCode ?? null));
      url.searchParams.set('application_id', config.appId);
      url.searchParams.set('state', state);
      if (config.appIsDraft) url.searchParams.set('version', 'beta');
      if (config.redirectUri) url.searchParams.set('redirect_uri', config.redirectUri);
      return url.toString();
    },

    exchangeCode: async (code) => {
      const t = await token({ grant_type: 'authorization_code', code, ...(config.redirectUri ? { redirect_uri: config.redirectUri } : {}) });
      if (!t.refresh_token) throw new MarketplaceError('malformed_response', 200, 'Login with Amazon: no refresh token in the answer');
      return { refreshToken: t.refresh_token };
    },

    accessToken: async (refreshToken) => {
      const t = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    },

    participations: async (region, accessToken) => {
      const r = await httpCall(new URL('/sellers/v1/marketplaceParticipations', config.spApiUrl[region]).toString(), {
        headers: { 'x-amz-access-token': accessToken, 'user-agent': USER_AGENT, accept: 'application/json' },
      });
      if (r.status !== 200) throw genericFailure('Sellers API', r);
      return parseParticipations(parsed(Participations, r, 'Sellers API').payload);
    },

    sellerIdOf: async (region, accessToken, marketplaceId) => {
      const r = await httpCall(new URL(`/products/fees/v0/items/${IDENTITY_ASIN}/feesEstimate`, config.spApiUrl[region]).toString(), {
        method: 'POST',
        headers: { 'x-amz-access-token': accessToken, 'user-agent': USER_AGENT, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({
          FeesEstimateRequest: {
            MarketplaceId: marketplaceId,
            IsAmazonFulfilled: false,
            PriceToEstimateFees: { ListingPrice: { CurrencyCode: 'USD', Amount: 10 } },
            Identifier: 'oms-account-check',
          },
        }),
      });
      if (r.status !== 200) throw genericFailure('Product Fees API', r);
      return parsed(FeesEstimate, r, 'Product Fees API').payload.FeesEstimateResult.FeesEstimateIdentifier.SellerId;
    },
  };
};
