import { AuthorizationEvent } from '../domain/authorization/events.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { sql, type Projection } from './projection.js';

const decode = decodeWith(AuthorizationEvent);

/** One row per authorization with its status, for listing. */
export const authorizationsProjection: Projection = {
  name: 'authorizations',
  version: 3,
  filter: { streamPrefixes: ['authorization-'] },
  tables: ['rm_authorizations'],
  apply: (recorded) => {
    const e = decode(recorded);
    const at = recorded.recordedAt;
    const id = e.data.authorizationId;
    const status = (s: string) => [sql('UPDATE rm_authorizations SET status = $2, updated_at = $3 WHERE authorization_id = $1', id, s, at)];
    switch (e.type) {
      case 'AmazonConsentRequested':
        return [
          sql(
            `INSERT INTO rm_authorizations (authorization_id, tenant_id, platform, name, region, status, updated_at, country_code)
             VALUES ($1, $2, 'amazon', $3, $4, 'pending', $5, $6) ON CONFLICT (authorization_id) DO NOTHING`,
            id, e.data.tenantId, e.data.name, e.data.region, at, e.data.countryCode ?? null,
          ),
        ];
      case 'WalmartConsentRequested':
        return [
          sql(
            `INSERT INTO rm_authorizations (authorization_id, tenant_id, platform, name, region, status, updated_at)
             VALUES ($1, $2, 'walmart', $3, NULL, 'pending', $4) ON CONFLICT (authorization_id) DO NOTHING`,
            id, e.data.tenantId, e.data.name, at,
          ),
        ];
      case 'WalmartConnectGranted':
        return [
          sql(
            `UPDATE rm_authorizations SET status = CASE WHEN status = 'paused' THEN 'paused' ELSE 'active' END, renew_by = $2, account_id = $3,
               client_id_hint = NULL, last_failure = NULL, updated_at = $4
              WHERE authorization_id = $1`,
            id, e.data.renewBy, e.data.sellerId, at,
          ),
        ];
      case 'AuthorizationGranted':
        return [
          sql(
            `INSERT INTO rm_authorizations (authorization_id, tenant_id, platform, name, region, status, renew_by, account_id, client_id_hint, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9)
             ON CONFLICT (authorization_id) DO UPDATE SET status = 'active', renew_by = EXCLUDED.renew_by, account_id = EXCLUDED.account_id,
               client_id_hint = EXCLUDED.client_id_hint, last_failure = NULL, updated_at = EXCLUDED.updated_at`,
            id, e.data.tenantId, e.data.platform, e.data.name, e.data.region, e.data.renewBy, e.data.accountId, e.data.clientIdHint, at,
          ),
        ];
      case 'AuthorizationFailed':
        return [
          sql(
            `UPDATE rm_authorizations SET last_failure = $2, status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END, updated_at = $3
              WHERE authorization_id = $1`,
            id, e.data.reason, at,
          ),
        ];
      case 'AuthorizationRenewed':
        return [
          sql(
            `UPDATE rm_authorizations SET renew_by = COALESCE($2, renew_by), account_id = COALESCE($3, account_id),
               client_id_hint = CASE WHEN $4::boolean THEN $5 ELSE client_id_hint END, last_failure = NULL, updated_at = $6,
               status = CASE WHEN status = 'reauthorization_required' THEN 'active' ELSE status END
              WHERE authorization_id = $1`,
            id, e.data.renewBy, e.data.accountId ?? null, e.data.clientIdHint !== undefined, e.data.clientIdHint ?? null, at,
          ),
        ];
      case 'AuthorizationReinstated':
        return [
          sql(
            `UPDATE rm_authorizations SET status = 'active', renew_by = $2, client_id_hint = $3, last_failure = NULL, updated_at = $4
              WHERE authorization_id = $1`,
            id, e.data.renewBy, e.data.clientIdHint, at,
          ),
        ];
      case 'ConsentLinkFollowed':
      case 'ConsentStateRedeemed':
        return [];
      case 'AuthorizationMerged':
        return status('merged');
      case 'AuthorizationInfoChanged':
        return [sql('UPDATE rm_authorizations SET name = $2, updated_at = $3 WHERE authorization_id = $1', id, e.data.name, at)];
      case 'MarketplacesSynced':
        return [];
      case 'AuthorizationPaused':
        return status('paused');
      case 'AuthorizationResumed':
        return status('active');
      case 'AuthorizationRevoked':
        return status('revoked');
      case 'MarketplaceSelectionChanged':
        return [];
      case 'AuthorizationReauthorizationRequired':
        return [
          sql(
            `UPDATE rm_authorizations SET status = 'reauthorization_required', last_failure = $2, updated_at = $3 WHERE authorization_id = $1`,
            id, e.data.reason, at,
          ),
        ];
    }
  },
};
