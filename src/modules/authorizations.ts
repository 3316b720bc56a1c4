import { accessTokenCache } from '../adapters/marketplaces/accessTokenCache.js';
import { amazonAuthApi } from '../adapters/marketplaces/amazonAuth.js';
import { walmartAuthApi, walmartConnectApi } from '../adapters/marketplaces/walmartAuth.js';
import { authorizationCounts } from '../adapters/readModels/authorizationCounts.js';
import { accessTokenMint } from '../application/accessTokens.js';
import { authorizationService } from '../application/authorizations.js';
import { RENEWAL_DUE_DAYS } from '../domain/authorization/decider.js';
import { routeGroup } from '../http/app.js';
import { authorizationRoutes } from '../http/authorizations.routes.js';
import type { Module, Platform } from './module.js';

const PLATFORMS = ['amazon', 'walmart'] as const;

/**
 * Store authorizations (Amazon consent, Walmart Connect and keys) and the access tokens minted from
 * their secrets for pulls and confirmations — one refresh in flight per authorization.
 */
export const authorizationsModule = (p: Platform, consoleDir: string | undefined) => {
  const { config } = p;
  const a = config.amazon;
  const amazon =
    a.appId && a.lwaClientId && a.lwaClientSecret
      ? amazonAuthApi({ appId: a.appId, clientId: a.lwaClientId, clientSecret: a.lwaClientSecret, redirectUri: a.redirectUri, appIsDraft: a.appIsDraft, lwaUrl: a.lwaUrl, spApiUrl: a.spApiUrl, sellerCentralUrl: a.sellerCentralUrl, sellerCentralUrlTemplate: a.sellerCentralUrlTemplate })
      : null;
  const walmart = walmartAuthApi({ apiUrl: config.walmart.apiUrl });
  const wc = config.walmart.connect;
  const walmartConnect = wc ? walmartConnectApi({ apiUrl: config.walmart.apiUrl, ...wc }) : null;
  const authorizations = authorizationService({
    ...p.appDeps,
    vault: p.vault,
    amazon,
    walmart,
    defaultLookbackDays: config.pull.defaultLookbackDays,
    // Consent links point at the host of the callback, so the binding cookie is sent back to it.
    consentLinkBase: a.redirectUri ? new URL(a.redirectUri).origin : null,
    log: p.log.child({ component: 'authorizations' }),
    walmartConnect,
    walmartConsentLinkBase: wc ? new URL(wc.redirectUri).origin : null,
    // Called only after a request has run, when `tokens` exists.
    credentialsChanged: (authorizationId) => tokens.forget(authorizationId),
  });
  const tokens = accessTokenCache({
    now: p.timing.now,
    fetch: accessTokenMint({ store: p.store, vault: p.vault, amazon, walmart, walmartConnect, requireReauthorization: authorizations.requireReauthorization }),
  });
  const counts = authorizationCounts(p.db);
  const module: Module = {
    // CONSOLE_URL, else the console this process serves (same origin), else pages.
    routes: [routeGroup(authorizationRoutes, { authorizations, queries: p.appDeps.queries, consoleUrl: config.consoleUrl ?? (consoleDir ? '' : null) }, '/v1')],
    refreshGauges: async () => {
      const rows = await counts.needingSeller(new Date(p.clock.now().getTime() + RENEWAL_DUE_DAYS * 86_400_000));
      for (const platform of PLATFORMS) {
        const row = rows.find((r) => r.platform === platform);
        p.metrics.authorizationsReauthorizationRequired.labels(platform).set(row?.reauthorizationRequired ?? 0);
        p.metrics.authorizationsRenewalDue.labels(platform).set(row?.renewalDue ?? 0);
      }
    },
  };
  return { authorizations, tokens, module };
};
