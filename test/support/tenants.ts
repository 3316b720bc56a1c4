import { randomUUID } from 'node:crypto';
import { uuidIds } from '../../src/adapters/system.js';
import { decodeStore } from '../../src/application/context.js';
import { commandHandler } from '../../src/domain/shared/commandHandler.js';
import { storeDecider, storeStreamId } from '../../src/domain/store/decider.js';
import { ADMIN_TOKEN, json, type TestService } from './service.js';

/** A tenant and one API key for it, created over HTTP with the admin token. */
export const createTenant = async (svc: TestService, name: string) => {
  const tenant = await json(await svc.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { name } }));
  const { apiKey } = await json(await svc.call('POST', `/v1/tenants/${tenant.tenantId}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'test' } }));
  return { tenantId: tenant.tenantId as string, apiKey: apiKey as string };
};

/** A connected store of the tenant, written through the store decider (as an authorization would). */
export const seedStore = async (svc: TestService, tenantId: string, opts: { platform?: 'amazon' | 'walmart'; marketplaceId?: string } = {}) => {
  const storeId = randomUUID();
  const handle = commandHandler(storeDecider, decodeStore, svc.store, uuidIds);
  await handle(
    storeStreamId(storeId),
    {
      type: 'ConnectStore',
      data: {
        storeId,
        tenantId,
        authorizationId: randomUUID(),
        platform: opts.platform ?? 'amazon',
        marketplaceId: opts.marketplaceId ?? 'ATVPDKIKX0DER',
        countryCode: 'US',
        marketplaceName: 'Amazon.com',
        name: 'Test store',
        status: 'active',
        connectedAt: new Date().toISOString(),
      },
    },
    { metadata: { actor: 'test' } },
  );
  return storeId;
};
