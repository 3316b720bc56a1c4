import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TenantCatalogQueries } from '../domain/ports/catalogQueries.js';
import { WALMART_KEYS_NOTICE, type AuthorizationService } from '../application/authorizations.js';
import { AmazonRegion, WalmartMarket } from '../domain/authorization/events.js';
import { DomainError } from '../domain/shared/errors.js';
import { commandMetadata, requireTenant } from './auth.js';
import { callerOf } from './caller.js';
import { bindingHashFrom, clearConsentBinding, newConsentBinding } from './consentCookie.js';
import { answerBrowser, wantsJson } from './consentPages.js';
import { AMAZON_COUNTRY_CODES } from '../domain/authorization/amazonSites.js';

export type AuthorizationRoutesDeps = Readonly<{
  authorizations: AuthorizationService;
  queries: (tenantId: string) => TenantCatalogQueries;
  /** The operator console: consent outcomes redirect the seller's browser there (consentPages.ts). */
  consoleUrl?: string | null;
}>;

const Name = z.string().trim().min(1).max(200);
const Note = z.string().trim().max(2000).nullable();
const Lookback = z.number().int().min(3).max(5);
const IdParams = z.strictObject({ authorizationId: z.uuid() });

const AuthorizationView = z.object({
  authorizationId: z.string(),
  platform: z.string(),
  name: z.string(),
  note: z.string().nullable(),
  region: z.string().nullable(),
  status: z.string(),
  accountId: z.string().nullable(),
  clientIdHint: z.string().nullable(),
  initialLookbackDays: z.number(),
  grantedAt: z.string().nullable(),
  renewal: z.object({ renewBy: z.string(), daysLeft: z.number(), warning: z.boolean() }).nullable(),
  scopes: z.record(z.string(), z.string()).nullable(),
  /** Permissions the key lacks for part of the order loop (e.g. orders_view_only: no acknowledgement or shipment confirmation). */
  permissionWarnings: z.array(z.object({ code: z.string(), message: z.string() })),
  marketplaces: z.array(
    z.object({
      marketplaceId: z.string(),
      countryCode: z.string(),
      name: z.string(),
      isParticipating: z.boolean(),
      hasSuspendedListings: z.boolean(),
      storeId: z.string().nullable(),
    }),
  ),
  lastFailure: z.object({ reason: z.string(), detail: z.string(), at: z.string() }).nullable(),
  mergedInto: z.string().nullable(),
  countryCode: z.string().nullable(),
  /** Active or paused and within 30 days of its renewal date. */
  renewalDue: z.boolean(),
  excludedMarketplaceIds: z.array(z.string()),
  /** Walmart Connect (OAuth 2.0): the seller and market; null for Amazon and for Walmart keys. */
  walmartConnect: z.object({ sellerId: z.string(), market: z.string() }).nullable(),
});

/** Where this request came to: consent links point there unless OMS's public origin is configured. */
const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

const Consent = z.object({ authorizationId: z.string(), consentUrl: z.string(), state: z.string(), expiresAt: z.string() });

/** Store authorizations: Amazon's consent flow, Walmart keys, and the lifecycle of both. */
export const authorizationRoutes: FastifyPluginAsyncZod<AuthorizationRoutesDeps> = async (app, { authorizations, consoleUrl = null }) => {
  app.get(
    '/authorizations',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'List the authorizations (`due=renewal`: only those within 30 days of their renewal date)',
        querystring: z.strictObject({ due: z.enum(['renewal']).optional() }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                authorizationId: z.string(),
                platform: z.string(),
                name: z.string(),
                region: z.string().nullable(),
                status: z.string(),
                accountId: z.string().nullable(),
                clientIdHint: z.string().nullable(),
                renewBy: z.string().nullable(),
                lastFailure: z.string().nullable(),
                countryCode: z.string().nullable(),
                renewalDue: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await authorizations.list(requireTenant(request).tenantId, request.query.due ? { due: request.query.due } : {}) }),
  );

  app.post(
    '/authorizations/amazon',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'Start an Amazon authorization: returns the consent link (valid 10 minutes, to be opened once in the seller’s browser)',
        description:
          '`country` is the store’s country (the site the seller signs in on: e.g. CA → sellercentral.amazon.ca); the region follows from it. ' +
          '`region` alone is still accepted (the region’s main Seller Central). `excludeMarketplaceIds`: participating marketplaces to leave without a store.',
        body: z
          .strictObject({
            name: Name,
            note: Note.optional(),
            country: z.enum([...AMAZON_COUNTRY_CODES, 'UK']).optional(),
            region: AmazonRegion.optional(),
            excludeMarketplaceIds: z.array(z.string().min(1).max(40)).max(50).optional(),
            initialLookbackDays: Lookback.optional(),
          })
          .refine((b) => b.country !== undefined || b.region !== undefined, { error: 'give the store’s country (or, for compatibility, the region)', path: ['country'] }),
        response: { 201: Consent },
      },
    },
    async (request, reply) => {
      const { country, ...rest } = request.body;
      return reply.code(201).send(await authorizations.startAmazon(callerOf(request), { ...rest, ...(country ? { countryCode: country } : {}) }, originOf(request)));
    },
  );

  app.get(
    '/authorizations/consent',
    {
      config: { public: true },
      schema: {
        tags: ['authorizations'],
        summary: 'The consent link: binds the consent to this browser (one-time cookie) and redirects to the marketplace',
        description: 'A refused link answers like the callback: CONSOLE_URL redirect or HTML page; JSON problem with `Accept: application/json`.',
        security: [],
        querystring: z.object({ state: z.string().min(1).max(200) }),
      },
    },
    async (request, reply) => {
      const { state } = request.query;
      const binding = newConsentBinding(state);
      reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
      const follow = () => authorizations.followConsentLink({ state, bindingHash: binding.bindingHash }, commandMetadata(request));
      // A refused link (used, expired, forged) is shown to the browser like a refused callback.
      const followed = wantsJson(request) ? await follow() : await follow().catch(async (error: unknown) => {
        await answerBrowser(request, reply, { consoleUrl, state, run: () => Promise.reject(error), summary: () => { throw error; } });
        return null;
      });
      if (!followed) return reply;
      return reply.header('set-cookie', binding.setCookie(followed.secureLink || request.protocol === 'https')).redirect(followed.marketplaceUrl, 302);
    },
  );

  app.get(
    '/authorizations/amazon/callback',
    {
      config: { public: true },
      schema: {
        tags: ['authorizations'],
        summary: 'Where Seller Central sends the seller back (protected by the one-time state)',
        description:
          'Answers the seller’s browser: a 303 to CONSOLE_URL `#/authorizations/<id>?outcome=connected|failed&code=…` when configured, else a small HTML page. ' +
          'With `Accept: application/json` the authorization (200) or a problem (4xx) as JSON.',
        security: [],
        querystring: z.object({
          state: z.string().min(1).max(200),
          spapi_oauth_code: z.string().min(1).max(2048),
          selling_partner_id: z.string().min(1).max(64),
          mws_auth_token: z.string().optional(),
        }),
        response: { 200: AuthorizationView.extend({ warning: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').header('set-cookie', clearConsentBinding(q.state, request.protocol === 'https'));
      return answerBrowser(request, reply, {
        consoleUrl,
        state: q.state,
        run: () =>
          authorizations.completeAmazon(
            { state: q.state, code: q.spapi_oauth_code, sellingPartnerId: q.selling_partner_id, bindingHash: bindingHashFrom(request.headers.cookie, q.state) },
            commandMetadata(request),
          ),
        summary: (a) => ({
          authorizationId: a.authorizationId,
          name: a.name,
          platform: 'Amazon',
          stores: a.marketplaces.filter((m) => m.storeId !== null && m.isParticipating && !a.excludedMarketplaceIds.includes(m.marketplaceId)).length,
          warning: a.warning,
        }),
      });
    },
  );

  app.post(
    '/authorizations/walmart',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'Authorize a Walmart store with its production Client ID and Client Secret',
        body: z.strictObject({
          name: Name,
          note: Note.optional(),
          clientId: z.string().min(1).max(500),
          clientSecret: z.string().min(1).max(2000),
          initialLookbackDays: Lookback.optional(),
        }),
        response: { 201: AuthorizationView.extend({ notice: z.string() }) },
      },
    },
    async (request, reply) => reply.code(201).send({ ...(await authorizations.createWalmart(callerOf(request), request.body)), notice: WALMART_KEYS_NOTICE }),
  );

  app.post(
    '/authorizations/walmart/connect',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'Start a Walmart Connect (OAuth 2.0) authorization: returns the consent link (valid 10 minutes, to be opened once in the seller’s browser)',
        body: z.strictObject({ name: Name, note: Note.optional(), market: WalmartMarket.optional(), initialLookbackDays: Lookback.optional() }),
        response: { 201: Consent },
      },
    },
    async (request, reply) => reply.code(201).send(await authorizations.startWalmartConnect(callerOf(request), request.body, originOf(request))),
  );

  app.get(
    '/authorizations/walmart/callback',
    {
      config: { public: true },
      schema: {
        tags: ['authorizations'],
        summary: 'Where Walmart’s authorize page sends the seller back (protected by the one-time state)',
        security: [],
        querystring: z.object({
          state: z.string().min(1).max(200),
          code: z.string().min(1).max(2048).optional(),
          sellerId: z.string().min(1).max(64).optional(),
          type: z.string().max(32).optional(),
          clientId: z.string().max(200).optional(),
          error: z.string().max(200).optional(),
          error_description: z.string().max(2000).optional(),
        }),
        response: { 200: AuthorizationView.extend({ warning: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').header('set-cookie', clearConsentBinding(q.state, request.protocol === 'https'));
      // Answers the seller's browser like the Amazon callback (consentPages.ts); JSON with Accept: application/json.
      return answerBrowser(request, reply, {
        consoleUrl,
        state: q.state,
        run: () =>
          authorizations.completeWalmart(
            {
              state: q.state, bindingHash: bindingHashFrom(request.headers.cookie, q.state),
              code: q.code ?? null, sellerId: q.sellerId ?? null, clientId: q.clientId ?? null, error: q.error ?? null,
            },
            commandMetadata(request),
          ),
        summary: (a) => ({
          authorizationId: a.authorizationId,
          name: a.name,
          platform: 'Walmart',
          stores: a.marketplaces.filter((m) => m.storeId !== null && m.isParticipating).length,
          warning: a.warning,
        }),
      });
    },
  );

  app.get('/authorizations/:authorizationId', { schema: { tags: ['authorizations'], params: IdParams, response: { 200: AuthorizationView } } }, async (request) =>
    authorizations.get(requireTenant(request).tenantId, request.params.authorizationId),
  );

  app.patch(
    '/authorizations/:authorizationId',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'Change the basic information (name, note)',
        params: IdParams,
        body: z.strictObject({ name: Name.optional(), note: Note.optional() }),
        response: { 200: AuthorizationView },
      },
    },
    async (request) => authorizations.changeInfo(callerOf(request), request.params.authorizationId, request.body),
  );

  app.post(
    '/authorizations/:authorizationId/reauthorize',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'Amazon: a new consent URL (renewal); Walmart: a Walmart Connect consent URL (renewal, or moving keys to OAuth), or new keys in the body',
        params: IdParams,
        body: z.strictObject({ clientId: z.string().min(1).max(500).optional(), clientSecret: z.string().min(1).max(2000).optional() }).nullish(),
        response: { 200: z.union([Consent, AuthorizationView]) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const body = request.body;
      if (body?.clientId !== undefined || body?.clientSecret !== undefined) {
        if (!body.clientId || !body.clientSecret) throw new DomainError('credentials_rejected', 'Both the Client ID and the Client Secret are needed');
        return authorizations.replaceWalmartKeys(caller, request.params.authorizationId, { clientId: body.clientId, clientSecret: body.clientSecret });
      }
      return authorizations.reauthorizeByConsent(caller, request.params.authorizationId, originOf(request));
    },
  );

  for (const [path, action, summary] of [
    ['pause', 'Pause', 'Pause pulling for the whole authorization (all its stores)'],
    ['resume', 'Resume', 'Resume pulling'],
    ['sync-marketplaces', null, 'Amazon: read the marketplace participations again (new stores are created)'],
  ] as const) {
    app.post(
      `/authorizations/:authorizationId/${path}`,
      { schema: { tags: ['authorizations'], summary, params: IdParams, response: { 200: AuthorizationView } } },
      async (request) =>
        action
          ? authorizations.setLifecycle(callerOf(request), request.params.authorizationId, action)
          : authorizations.syncMarketplaces(callerOf(request), request.params.authorizationId),
    );
  }

  app.put(
    '/authorizations/:authorizationId/marketplaces/:marketplaceId',
    {
      schema: {
        tags: ['authorizations'],
        summary: 'Amazon: leave a participating marketplace without a store (`enabled: false`; an existing store stops pulling) or add it (again)',
        params: z.strictObject({ authorizationId: z.uuid(), marketplaceId: z.string().min(1).max(40) }),
        body: z.strictObject({ enabled: z.boolean() }),
        response: { 200: AuthorizationView },
      },
    },
    async (request) => authorizations.selectMarketplace(callerOf(request), request.params.authorizationId, request.params.marketplaceId, request.body.enabled),
  );

  app.delete(
    '/authorizations/:authorizationId',
    { schema: { tags: ['authorizations'], summary: 'Revoke: secrets destroyed, pulls stop', params: IdParams, response: { 200: AuthorizationView } } },
    async (request) => authorizations.setLifecycle(callerOf(request), request.params.authorizationId, 'Revoke'),
  );
};
