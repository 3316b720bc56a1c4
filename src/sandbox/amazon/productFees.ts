import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import { invalidInput, spApiError } from './errors.js';
import { findMarketplace, type Region } from './marketplaces.js';

type Money = Readonly<{ CurrencyCode: string; Amount: number }>;

const isMoney = (value: unknown): value is Money =>
  typeof value === 'object' && value !== null && typeof (value as Money).CurrencyCode === 'string' && typeof (value as Money).Amount === 'number';

/**
 * Product Fees v0 `getMyFeesEstimateForASIN` (POST /products/fees/v0/items/{Asin}/feesEstimate), as
 * the published model shapes it: `{ payload: { FeesEstimateResult } }` whose `FeesEstimateIdentifier`
 * names the seller behind the access token (`SellerId`) — also when the estimate itself is a
 * `ClientError` for an ASIN the catalog does not know. That is what makes it usable to learn which
 * account a refresh token belongs to.
 */
export const feesEstimateForAsin = (
  request: SandboxRequest,
  account: Readonly<{ sellerId: string; region: Region }>,
  knownAsins: ReadonlySet<string>,
  headers: Readonly<Record<string, string>>,
): SandboxReply => {
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return invalidInput('The request body is not valid JSON.', headers);
  }
  const req = (body as { FeesEstimateRequest?: Record<string, unknown> } | null)?.FeesEstimateRequest;
  if (typeof req !== 'object' || req === null) return invalidInput('FeesEstimateRequest is required.', headers);
  const marketplaceId = req.MarketplaceId;
  const market = typeof marketplaceId === 'string' ? findMarketplace(marketplaceId) : undefined;
  if (market === undefined || market.region !== account.region) {
    return spApiError(400, 'InvalidInput', 'Incorrect Marketplace identifier.', '', headers);
  }
  const price = (req.PriceToEstimateFees as { ListingPrice?: unknown } | undefined)?.ListingPrice;
  if (!isMoney(price)) return invalidInput('PriceToEstimateFees.ListingPrice is required.', headers);
  const asin = request.params.asin ?? '';
  const identifier = {
    MarketplaceId: market.id,
    IdType: 'ASIN',
    SellerId: account.sellerId,
    SellerInputIdentifier: typeof req.Identifier === 'string' ? req.Identifier : '',
    IsAmazonFulfilled: req.IsAmazonFulfilled === true,
    IdValue: asin,
    PriceToEstimateFees: req.PriceToEstimateFees,
  };
  const result = knownAsins.has(asin)
    ? {
        Status: 'Success',
        FeesEstimateIdentifier: identifier,
        FeesEstimate: {
          TimeOfFeesEstimation: new Date().toUTCString(),
          // The referral fee most categories pay (15 %), enough for an estimate's shape.
          TotalFeesEstimate: { CurrencyCode: price.CurrencyCode, Amount: Math.round(price.Amount * 15) / 100 },
          FeeDetailList: [],
        },
      }
    : {
        Status: 'ClientError',
        FeesEstimateIdentifier: identifier,
        Error: { Type: 'Sender', Code: 'InvalidParameterValue', Message: `There is an client-side error. Please verify your inputs.`, Detail: [] },
      };
  return { status: 200, headers, json: { payload: { FeesEstimateResult: result } } };
};
