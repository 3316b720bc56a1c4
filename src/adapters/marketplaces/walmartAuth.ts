import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MarketplaceError, type WalmartAuthApi } from '../../domain/ports/marketplaces.js';
import { genericFailure, httpCall } from './http.js';

export const WALMART_SERVICE_NAME = 'Walmart Marketplace';

const TokenResponse = z.object({ access_token: z.string(), expires_in: z.number() });
const TokenDetail = z.object({ scopes: z.record(z.string(), z.string()) });

/** Walmart's token API (client credentials) and token detail (scopes). */
export const walmartAuthApi = (config: { apiUrl: string }): WalmartAuthApi => ({
  token: async (clientId, clientSecret) => {
    const r = await httpCall(new URL('/v3/token', config.apiUrl).toString(), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'wm_svc.name': WALMART_SERVICE_NAME,
        'wm_qos.correlation_id': randomUUID(),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
    });
    if (r.status === 401 || r.status === 400) throw new MarketplaceError('invalid_client', r.status, 'Walmart refused the Client ID / Client Secret');
    if (r.status !== 200) throw genericFailure('Walmart token API', r);
    const t = TokenResponse.safeParse(r.body);
    if (!t.success) throw new MarketplaceError('malformed_response', 200, 'Walmart token API: unexpected response');
    return { accessToken: t.data.access_token, expiresInSeconds: t.data.expires_in };
  },

  scopes: async (accessToken) => {
    const r = await httpCall(new URL('/v3/token/detail', config.apiUrl).toString(), {
      headers: {
        'wm_sec.access_token': accessToken,
        'wm_svc.name': WALMART_SERVICE_NAME,
        'wm_qos.correlation_id': randomUUID(),
        accept: 'application/json',
      },
    });
    if (r.status !== 200) throw genericFailure('Walmart token detail', r);
    const d = TokenDetail.safeParse(r.body);
    if (!d.success) throw new MarketplaceError('malformed_response', 200, 'Walmart token detail: unexpected response');
    return d.data.scopes;
  },
});
