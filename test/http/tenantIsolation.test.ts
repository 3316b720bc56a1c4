// Tenant isolation over real HTTP: the whole service on the real PostgreSQL, two tenants with
// Amazon and Walmart stores (authorized through the sandboxes), products, mappings, pulled and
// released orders. Tenant B's key is then tried on every tenant-scoped route of the service's own
// OpenAPI document against tenant A's resources: each answers as if A's resource did not exist
// (404; 403 on the admin routes), no list shows anything of A's, and nothing is written.
import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { defaultWalmartClients, type WalmartClient } from '../../src/sandbox/index.js';
import { authorizeAmazon, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { ADMIN_TOKEN, json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const US = 'ATVPDKIKX0DER';
const SEED = 'oms-tests';

/** Routes reachable without a key. Each must say so in the document (`security: []`). */
const PUBLIC_ROUTES = new Set([
  'GET /v1/authorizations/amazon/callback',
  'GET /v1/authorizations/walmart/callback',
  'GET /v1/authorizations/consent',
  // Console sign-in and the session: they read the session cookie themselves (test/http/users.test.ts).
  'POST /v1/session',
  'GET /v1/session',
  'DELETE /v1/session',
  'POST /v1/session/password',
]);

const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

/** Values of one tenant's resources, by the name of the path parameter that carries them. */
type Ids = Readonly<{ storeId: string; platformSku: string; authorizationId: string; orderId: string; sku: string; tenantId: string; keyId: string; userId: string; marketplaceId: string }>;

/** A request body: none, JSON, or CSV text. */
type Body = null | Readonly<{ json: unknown }> | Readonly<{ csv: string }>;

/**
 * How the sweep calls a route with B's key.
 * - scoped: has path parameters; called with A's ids, must answer `status` with `code`, exactly
 *   as it answers for ids that exist nowhere.
 * - admin: no path parameter, admin token only: B's key gets 403.
 * - list: a GET of the caller's own collection: 200, nothing of A's in it.
 * - self: who the key is.
 * - create: creates in the caller's own tenant only; exercised after the sweep (it writes).
 */
type RouteSpec =
  | Readonly<{ kind: 'scoped'; status: 403 | 404; code: string; bodies: readonly Body[] }>
  | Readonly<{ kind: 'admin'; bodies: readonly Body[] }>
  | Readonly<{ kind: 'list'; emptyForB?: string }>
  | Readonly<{ kind: 'self' }>
  | Readonly<{ kind: 'create'; coveredBy: string }>;

/**
 * Every /v1 route of the service and how to call it. A route the OpenAPI document has and this
 * table does not fails the test: a new route gets here deliberately, with its bodies.
 */
const routeTable = (b: Readonly<{ storeId: string; sku: string; tenantId: string; walmart: Readonly<{ clientId: string; clientSecret: string }> }>): Record<string, RouteSpec> => {
  const none: Body[] = [null];
  const notFound = (bodies: readonly Body[] = none): RouteSpec => ({ kind: 'scoped', status: 404, code: 'not_found', bodies });
  const adminOnly = (bodies: readonly Body[] = none): RouteSpec => ({ kind: 'scoped', status: 403, code: 'admin_token_required', bodies });
  // Bodies valid in every respect but the foreign id in the path: B's own SKU, B's own store, B's own keys.
  return {
    'POST /v1/tenants': { kind: 'admin', bodies: [{ json: { name: 'Intruder' } }] },
    'GET /v1/tenants/{tenantId}': adminOnly(),
    'POST /v1/tenants/{tenantId}/api-keys': adminOnly([{ json: { name: 'stolen' } }]),
    'DELETE /v1/tenants/{tenantId}/api-keys/{keyId}': adminOnly(),
    'GET /v1/me': { kind: 'self' },
    'POST /v1/users': { kind: 'create', coveredBy: 'test/http/users.test.ts: a tenant key is refused (user_admin_required); a seller admin creates only in its own tenant' },

    'GET /v1/users': { kind: 'list', emptyForB: 'B has no console users; users.test.ts lists a tenant’s own' },
    'POST /v1/warehouse/events': { kind: 'create', coveredBy: "test/http/warehouseEvents.test.ts: another tenant's order answers order_not_found, nothing written" },
    'GET /v1/warehouse/events/rejected': { kind: 'list', emptyForB: 'B’s WMS sent nothing wrong; warehouseEvents.test.ts lists a tenant’s own' },
    'GET /v1/stores': { kind: 'list' },
    'GET /v1/stores/{storeId}': notFound(),
    'POST /v1/stores/{storeId}/sync': notFound(),
    'PATCH /v1/stores/{storeId}': notFound([{ json: { skipMarketplaceFulfilled: true } }]),
    'GET /v1/stores/{storeId}/pulls': notFound(),
    'POST /v1/stores/{storeId}/pause': notFound(),
    'GET /v1/stores/{storeId}/unmapped-skus': notFound(),

    'POST /v1/products': { kind: 'create', coveredBy: "B creates a product with A's SKU code: its own, A's untouched" },
    'POST /v1/products/import': { kind: 'create', coveredBy: "B imports A's SKU code: created in B, A's untouched" },
    'GET /v1/products': { kind: 'list' },
    'GET /v1/products/{sku}': notFound(),
    'PATCH /v1/products/{sku}': notFound([{ json: { name: 'Renamed by B' } }, { json: { barcode: '0000000000017' } }]),
    'POST /v1/products/{sku}/retire': notFound(),

    'GET /v1/stores/{storeId}/mappings': notFound(),
    'PUT /v1/stores/{storeId}/mappings/{platformSku}': notFound([{ json: { components: [{ sku: b.sku, quantity: 1 }] } }]),
    'GET /v1/stores/{storeId}/mappings/{platformSku}': notFound(),
    'DELETE /v1/stores/{storeId}/mappings/{platformSku}': notFound(),
    'GET /v1/stores/{storeId}/mappings/{platformSku}/history': notFound(),
    'PUT /v1/stores/{storeId}/mapping': notFound([{ json: { components: [{ sku: b.sku, quantity: 1 }] } }]),
    'GET /v1/stores/{storeId}/mapping': notFound(),
    'DELETE /v1/stores/{storeId}/mapping': notFound(),
    'GET /v1/stores/{storeId}/mapping/history': notFound(),
    'POST /v1/stores/{storeId}/mappings/import': notFound([{ csv: `platform_sku,system_sku,quantity\nBRAVO-IMPORTED,${b.sku},2\n` }]),
    'GET /v1/stores/{storeId}/mappings/export': notFound(),
    'POST /v1/stores/{storeId}/mappings/copy': notFound([{ json: { fromStoreId: b.storeId, overwrite: true } }, { json: { fromStoreId: b.storeId } }]),

    'GET /v1/authorizations': { kind: 'list' },
    'POST /v1/authorizations/amazon': { kind: 'create', coveredBy: "B's Amazon authorization was started (and completed) through it: listed for B only" },
    'POST /v1/authorizations/walmart': { kind: 'create', coveredBy: "B's Walmart authorization was created through it: listed for B only" },
    'GET /v1/authorizations/{authorizationId}': notFound(),
    'PATCH /v1/authorizations/{authorizationId}': notFound([{ json: { name: 'Renamed by B' } }, { json: { note: 'B was here' } }]),
    'DELETE /v1/authorizations/{authorizationId}': notFound(),
    'POST /v1/authorizations/{authorizationId}/reauthorize': notFound([null, { json: { clientId: b.walmart.clientId, clientSecret: b.walmart.clientSecret } }]),
    'POST /v1/authorizations/{authorizationId}/pause': notFound(),
    'POST /v1/authorizations/{authorizationId}/resume': notFound(),
    'POST /v1/authorizations/{authorizationId}/sync-marketplaces': notFound(),
    'PUT /v1/authorizations/{authorizationId}/marketplaces/{marketplaceId}': notFound([{ json: { enabled: false } }, { json: { enabled: true } }]),
    'POST /v1/authorizations/walmart/connect': { kind: 'create', coveredBy: 'test/http/walmartConnect.test.ts: the consent belongs to the tenant that started it (claims per seller across tenants)' },

    'GET /v1/orders': { kind: 'list' },
    'GET /v1/orders/{orderId}': notFound(),
    'GET /v1/orders/{orderId}/history': notFound(),
    'GET /v1/orders/rejected': { kind: 'list' },
    'POST /v1/orders/{orderId}/release': notFound([{ json: { reason: 'release it for me' } }]),
    'POST /v1/orders/{orderId}/hold': notFound([{ json: { reason: 'hold it for me' } }]),
    // Operators only (docs/order-actions.md): a tenant key is refused before any order is looked up.
    'POST /v1/orders/{orderId}/cancel': { kind: 'scoped', status: 403, code: 'order_action_forbidden', bodies: [{ json: { reason: 'cancel it for me' } }] },
    'POST /v1/orders/{orderId}/resend': { kind: 'scoped', status: 403, code: 'order_action_forbidden', bodies: [{ json: { reason: 'resend it for me' } }] },
    'PUT /v1/orders/{orderId}/ship-to': {
      kind: 'scoped',
      status: 403,
      code: 'order_action_forbidden',
      bodies: [{ json: { reason: 'ship it to me', shipTo: { name: 'B', addressLines: ['1 B St'], city: 'B', postalCode: '1', countryCode: 'US' } } }],
    },
    'GET /v1/orders/{orderId}/buyer': { kind: 'scoped', status: 403, code: 'buyer_data_forbidden', bodies: none },
    // API keys administer no users (a seller admin's bounds: test/http/userRoles.test.ts).
    'PUT /v1/users/{userId}/role': { kind: 'scoped', status: 403, code: 'user_admin_required', bodies: [{ json: { role: 'seller_admin', tenantId: b.tenantId } }] },
    'POST /v1/users/{userId}/disable': { kind: 'scoped', status: 403, code: 'user_admin_required', bodies: none },
    'GET /v1/warehouse-lines': { kind: 'list' },
    'GET /v1/warehouse/feed': { kind: 'list' },
  };
};

type Reply = { status: number; text: string; body: unknown };

/** A problem body with the given values replaced by a placeholder: foreign and missing ids compare equal. */
const normalised = (text: string, values: readonly string[]) => {
  let out = text;
  for (const v of [...values].sort((x, y) => y.length - x.length)) if (v) out = out.replaceAll(v, '<id>').replaceAll(encodeURIComponent(v), '<id>');
  return out;
};

/** Routes that take an id as a required query parameter (the mapping routes addressed by ?platformSku=). */
const QUERY_IDS: Readonly<Record<string, keyof Ids>> = {
  '/v1/stores/{storeId}/mapping': 'platformSku',
  '/v1/stores/{storeId}/mapping/history': 'platformSku',
};

const fill = (template: string, ids: Ids) => {
  const query = QUERY_IDS[template];
  const path = fillPath(template, ids);
  return query ? `${path}?${query}=${encodeURIComponent(ids[query])}` : path;
};

const fillPath = (template: string, ids: Ids) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (ids as Record<string, string | undefined>)[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });

const bodyText = (body: Body) => (body === null ? '' : 'csv' in body ? body.csv : JSON.stringify(body.json));

t.test('tenant isolation: B’s key on every tenant route, against A’s stores, authorizations, products, mappings and orders', async (t) => {
  const clock = movableClock();
  const bravoWalmart: WalmartClient = {
    label: 'bravo',
    partnerId: '10009999999',
    clientId: randomUUID(),
    clientSecret: randomBytes(64).toString('base64url'),
  };
  const sandboxes = await sandboxesFor(t, {
    amazon: { orders: false },
    walmart: { orders: false, clients: [...defaultWalmartClients(SEED), bravoWalmart] },
    now: () => clock.now(),
  });
  // The 401 sweep below sends 80 bad keys from one address: no failure limit here (tested in app.test.ts).
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RATE_LIMIT_PER_MINUTE: '100000', AUTH_FAILURES_PER_MINUTE: '100000' }, { clock, timing: clock.timing });
  const { amazon, walmart } = sandboxes;
  const alphaWalmart = walmart.client('main');
  const [alphaSeller, bravoSeller] = [amazon.sellers[0]!.sellerId, amazon.sellers[1]!.sellerId];

  const settle = async () => {
    await svc.projections.caughtUp(['stores', 'products', 'mappings', 'authorizations', 'orders', 'pull_schedule', 'rejected_orders']);
    await svc.policyRunner.caughtUp();
    // The marketplace sender acknowledges released Walmart orders in the background (an event each).
    await svc.syncRunner.caughtUp();
    await svc.projections.caughtUp(['orders']);
  };
  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (let i = 0; i < 50; i++) {
      await settle();
      const value = await read();
      if (done(value)) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    return read();
  };

  const send = async (token: string | undefined, method: string, path: string, body: Body = null, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await svc.call(method, path, {
      ...(token ? { token } : {}),
      ...(body === null ? { headers } : 'csv' in body ? { body: body.csv, headers: { 'content-type': 'text/csv', ...headers } } : { body: body.json, headers }),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, text, body: parsed };
  };
  /** Rows that any write would add (events, streams, secrets, destroyed secrets). */
  const writes = async () =>
    (
      await svc.db.query<{ events: number; streams: number; secrets: number; destroyed: number }>(
        `SELECT (SELECT count(*)::int FROM es_events) AS events, (SELECT count(*)::int FROM es_streams) AS streams,
                (SELECT count(*)::int FROM vault_secrets) AS secrets, (SELECT count(*)::int FROM vault_destroyed) AS destroyed`,
      )
    ).rows[0]!;

  // ---------------------------------------------------------------- two tenants, fully set up
  const a = await createTenant(svc, 'Alpha Sellers');
  const b = await createTenant(svc, 'Bravo Sellers');
  const aKeyId = (await json(await svc.call('GET', '/v1/me', { token: a.apiKey }))).keyId as string;
  // A console user of A (role management routes).
  const aUserId = (await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { email: 'admin@alpha.example', role: 'seller_admin', tenantId: a.tenantId } }))).userId as string;
  const bKeyId = (await json(await svc.call('GET', '/v1/me', { token: b.apiKey }))).keyId as string;
  const asA = (method: string, path: string, body: Body = null) => send(a.apiKey, method, path, body);
  const asB = (method: string, path: string, body: Body = null, headers: Record<string, string> = {}) => send(b.apiKey, method, path, body, headers);

  for (const [sku, name] of [['ALPHA-ONLY', 'Alpha only'], ['ALPHA-GADGET', 'Alpha gadget'], ['WIDGET', 'Alpha widget']]) {
    t.equal((await asA('POST', '/v1/products', { json: { sku, name } })).status, 201, `A creates ${sku}`);
  }
  for (const [sku, name] of [['BRAVO-ONLY', 'Bravo only'], ['WIDGET', 'Bravo widget']]) {
    t.equal((await asB('POST', '/v1/products', { json: { sku, name } })).status, 201, `B creates ${sku} (the same code as A's WIDGET is B's own)`);
  }

  amazon.consentAs(alphaSeller);
  const aAmazon = await authorizeAmazon(svc, a.apiKey, { name: 'Alpha Amazon', region: 'NA' });
  const aAmz = aAmazon.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === US).storeId as string;
  const aWalmartRes = await asA('POST', '/v1/authorizations/walmart', { json: { name: 'Alpha Walmart', clientId: alphaWalmart.clientId, clientSecret: alphaWalmart.clientSecret } });
  t.equal(aWalmartRes.status, 201);
  const aWalmart = aWalmartRes.body as { authorizationId: string; accountId: string; marketplaces: { storeId: string }[] };
  const aWmt = aWalmart.marketplaces[0]!.storeId;

  amazon.consentAs(bravoSeller);
  const bAmazon = await authorizeAmazon(svc, b.apiKey, { name: 'Bravo Amazon', region: 'NA' });
  const bAmz = bAmazon.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === US).storeId as string;
  const bWalmartRes = await asB('POST', '/v1/authorizations/walmart', { json: { name: 'Bravo Walmart', clientId: bravoWalmart.clientId, clientSecret: bravoWalmart.clientSecret } });
  t.equal(bWalmartRes.status, 201);
  const bWalmart = bWalmartRes.body as { authorizationId: string; marketplaces: { storeId: string }[] };
  const bWmt = bWalmart.marketplaces[0]!.storeId;

  const map = async (as: typeof asA, storeId: string, platformSku: string, components: { sku: string; quantity: number }[]) =>
    t.equal((await as('PUT', `/v1/stores/${storeId}/mappings/${platformSku}`, { json: { components } })).status, 200, `mapped ${platformSku}`);
  await map(asA, aAmz, 'ALPHA-6PK', [{ sku: 'ALPHA-ONLY', quantity: 6 }]);
  await map(asA, aAmz, 'ALPHA-KIT', [{ sku: 'ALPHA-ONLY', quantity: 1 }, { sku: 'WIDGET', quantity: 2 }]);
  await map(asA, aWmt, 'ALPHA-WM', [{ sku: 'ALPHA-GADGET', quantity: 2 }]);
  await map(asB, bAmz, 'BRAVO-6PK', [{ sku: 'BRAVO-ONLY', quantity: 6 }]);
  await map(asB, bWmt, 'BRAVO-WM', [{ sku: 'WIDGET', quantity: 1 }]);

  const now = clock.now().getTime();
  const amazonOrder = (sellerId: string, hoursAgo: number, sellerSku: string, buyerName: string) =>
    amazon.orders.add({ sellerId, marketplaceId: US, createdAt: now - hoursAgo * HOUR, status: 'UNSHIPPED', items: [{ sellerSku, quantity: 1 }], buyerName });
  amazonOrder(alphaSeller, 1, 'ALPHA-6PK', 'Aurelia Alphington-Marsh');
  amazonOrder(alphaSeller, 2, 'ALPHA-UNMAPPED', 'Aurelio Alphington-Moss');
  amazonOrder(bravoSeller, 1, 'BRAVO-6PK', 'Bertrand Bravington-Hale');
  amazonOrder(bravoSeller, 2, 'BRAVO-UNMAPPED', 'Beatrix Bravington-Holt');
  walmart.orders.add({ partnerId: alphaWalmart.partnerId, createdAt: now - 2 * HOUR, lines: [{ sku: 'ALPHA-WM' }], customerName: 'Anselm Alphaworth-Lee' });
  walmart.orders.add({ partnerId: alphaWalmart.partnerId, createdAt: now - 3 * HOUR, lines: [{ sku: 'ALPHA-WM-UNMAPPED' }], customerName: 'Ariadne Alphaworth-Lin' });
  walmart.orders.add({ partnerId: bravoWalmart.partnerId, createdAt: now - 2 * HOUR, lines: [{ sku: 'BRAVO-WM', quantity: 2 }], customerName: 'Benedikt Bravoworth-Lund' });
  // One order each that no pull can read (a line without its SKU): listed at /v1/orders/rejected, for its tenant only.
  for (const partnerId of [alphaWalmart.partnerId, bravoWalmart.partnerId]) {
    const unreadable = walmart.orders.add({ partnerId, createdAt: now - 2 * HOUR, lines: [{ sku: 'UNREADABLE' }] });
    walmart.orders.update(unreadable.purchaseOrderId, (o) => void delete (o.orderLines.orderLine[0]!.item as { sku?: string }).sku);
  }

  clock.advance(3 * MIN); // Amazon lists only orders at least 2 minutes old
  for (const storeId of [aAmz, aWmt, bAmz, bWmt]) {
    await svc.projections.caughtUp(['pull_schedule']);
    t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: storeId === bWmt ? 1 : 2 }, `pulled ${storeId.slice(0, 8)}`);
  }
  type Summary = { orderId: string; storeId: string; platformOrderId: string; handoff: { state: string } };
  const ordersOf = async (as: typeof asA) => ((await as('GET', '/v1/orders?limit=500')).body as { items: Summary[] }).items;
  const aOrders = await until(() => ordersOf(asA), (items) => items.length === 4 && items.every((o) => o.handoff.state !== 'none'));
  const bOrders = await until(() => ordersOf(asB), (items) => items.length === 3 && items.every((o) => o.handoff.state !== 'none'));
  await settle();

  const stateOf = (orders: Summary[], storeId: string, state: string) => orders.find((o) => o.storeId === storeId && o.handoff.state === state)?.orderId;
  const aReleasedAmz = stateOf(aOrders, aAmz, 'released')!;
  const aHeldWmt = stateOf(aOrders, aWmt, 'held')!;

  await t.test('the setup: both tenants have stores, products, mappings, authorizations, pulled, held and released orders', async (t) => {
    t.same(aOrders.map((o) => o.handoff.state).sort(), ['held', 'held', 'released', 'released'], "A's orders: two released, two held");
    t.same(bOrders.map((o) => o.handoff.state).sort(), ['held', 'released', 'released'], "B's orders: two released, one held");
    t.ok(aReleasedAmz && aHeldWmt && stateOf(aOrders, aWmt, 'released') && stateOf(aOrders, aAmz, 'held'));
    t.equal(((await asA('GET', '/v1/warehouse-lines?limit=500')).body as { items: unknown[] }).items.length, 2, "A's released orders have warehouse lines");
    t.equal(((await asB('GET', '/v1/warehouse-lines?limit=500')).body as { items: unknown[] }).items.length, 2, "so have B's");
    const aFeed = (await asA('GET', '/v1/warehouse/feed?limit=1000')).body as { messages: { tenantId: string }[] };
    t.equal(aFeed.messages.length, 2, "A's feed: its two releases");
    t.ok(aFeed.messages.every((m) => m.tenantId === a.tenantId));
    t.equal(((await asA('GET', '/v1/authorizations')).body as { items: unknown[] }).items.length, 2);
    t.ok(((await asA('GET', '/v1/stores')).body as { items: unknown[] }).items.length >= 3, 'A: Amazon NA stores and a Walmart store');
    t.equal(((await asA('GET', `/v1/stores/${aAmz}/mappings`)).body as { items: unknown[] }).items.length, 2);
  });

  // ------------------------------------------------------------- what B must never see of A
  const aStores = ((await asA('GET', '/v1/stores')).body as { items: { storeId: string; name: string }[] }).items;
  const aAuths = [aAmazon.authorizationId as string, aWalmart.authorizationId];
  const personalOfA = [
    ...amazon.orders.list({ sellerId: alphaSeller }).flatMap((o) => [o.buyer?.buyerName, o.buyer?.buyerEmail, o.recipient?.deliveryAddress.name, o.recipient?.deliveryAddress.addressLine1, o.recipient?.deliveryAddress.phone]),
    ...walmart.orders.list({ partnerId: alphaWalmart.partnerId }).flatMap((o) => [o.customerEmailId, o.shippingInfo.postalAddress.name, o.shippingInfo.postalAddress.address1, o.shippingInfo.phone]),
  ];
  const knownToB = new Set<string>([
    ...amazon.orders.list({ sellerId: bravoSeller }).flatMap((o) => [o.buyer?.buyerName, o.buyer?.buyerEmail, o.recipient?.deliveryAddress.name, o.recipient?.deliveryAddress.addressLine1, o.recipient?.deliveryAddress.phone]),
    ...walmart.orders.list({ partnerId: bravoWalmart.partnerId }).flatMap((o) => [o.customerEmailId, o.shippingInfo.postalAddress.name, o.shippingInfo.postalAddress.address1, o.shippingInfo.phone]),
  ].filter((v): v is string => typeof v === 'string'));
  /** Values that exist in A only: B's own data never contains them, so B's answers must not either. */
  const aMarkers = [
    ...new Set(
      [
        a.tenantId,
        aKeyId,
        ...aStores.map((s) => s.storeId),
        ...aAuths,
        ...aOrders.flatMap((o) => [o.orderId, o.platformOrderId]),
        'ALPHA-ONLY',
        'ALPHA-GADGET',
        'ALPHA-6PK',
        'ALPHA-KIT',
        'ALPHA-WM',
        'ALPHA-UNMAPPED',
        'Alpha', // in A's product, authorization and store names
        alphaSeller,
        aWalmart.accountId,
        alphaWalmart.clientId,
        ...personalOfA,
      ].filter((v): v is string => typeof v === 'string' && v.length >= 5 && !knownToB.has(v)),
    ),
  ];
  const leaked = (text: string, request = '') => aMarkers.filter((m) => text.includes(m) && !request.includes(m));

  const table = routeTable({ storeId: bAmz, sku: 'BRAVO-ONLY', tenantId: b.tenantId, walmart: bravoWalmart });
  /** A's resources, two ways round (its Amazon and its Walmart side). */
  const aSides: Ids[] = [
    { storeId: aAmz, platformSku: 'ALPHA-6PK', authorizationId: aAmazon.authorizationId, orderId: aReleasedAmz, sku: 'ALPHA-ONLY', tenantId: a.tenantId, keyId: aKeyId, userId: aUserId, marketplaceId: US },
    { storeId: aWmt, platformSku: 'ALPHA-WM', authorizationId: aWalmart.authorizationId, orderId: aHeldWmt, sku: 'ALPHA-GADGET', tenantId: a.tenantId, keyId: aKeyId, userId: aUserId, marketplaceId: US },
    // The same ids in another case (UUIDs are case-insensitive in PostgreSQL, stream ids are not).
    {
      storeId: aAmz.toUpperCase(),
      platformSku: 'alpha-6pk',
      authorizationId: (aAmazon.authorizationId as string).toUpperCase(),
      orderId: stateOf(aOrders, aWmt, 'released')!.toUpperCase(),
      sku: 'alpha-only',
      tenantId: a.tenantId.toUpperCase(),
      keyId: aKeyId,
      userId: aUserId.toUpperCase(),
      marketplaceId: US,
    },
  ];
  /** Ids of nothing at all: a foreign resource must answer exactly like these. */
  const nowhere: Ids = {
    marketplaceId: US,
    storeId: randomUUID(),
    platformSku: 'NO-SUCH-PSKU',
    authorizationId: randomUUID(),
    orderId: randomUUID(),
    sku: 'NO-SUCH-SKU',
    tenantId: randomUUID(),
    keyId: randomBytes(8).toString('hex'),
    userId: randomUUID(),
  };

  /** What A sees of its own resources, and the pull schedule: the sweep must not change any of it. */
  const snapshotOfA = async () => {
    const reads = ['/v1/stores', '/v1/authorizations', '/v1/products', '/v1/orders?limit=500', '/v1/warehouse-lines?limit=500', '/v1/warehouse/feed?limit=1000'];
    for (const s of aStores) reads.push(`/v1/stores/${s.storeId}`, `/v1/stores/${s.storeId}/mappings`, `/v1/stores/${s.storeId}/unmapped-skus`, `/v1/stores/${s.storeId}/pulls`);
    for (const id of aAuths) reads.push(`/v1/authorizations/${id}`);
    for (const o of aOrders) reads.push(`/v1/orders/${o.orderId}`, `/v1/orders/${o.orderId}/history`);
    for (const sku of ['ALPHA-ONLY', 'ALPHA-GADGET', 'WIDGET']) reads.push(`/v1/products/${sku}`);
    for (const [storeId, p] of [[aAmz, 'ALPHA-6PK'], [aAmz, 'ALPHA-KIT'], [aWmt, 'ALPHA-WM']] as const) reads.push(`/v1/stores/${storeId}/mappings/${p}/history`);
    const out: Record<string, { status: number; body: unknown }> = {};
    for (const path of reads) {
      const r = await asA('GET', path);
      // The feed's cursor at its end is the event store's current position, which moves with any
      // transaction (a projection checkpoint too): compare the messages, not the cursor.
      const body = path.startsWith('/v1/warehouse/feed') ? { ...(r.body as object), nextCursor: '<position>' } : r.body;
      out[path] = { status: r.status, body };
    }
    const schedule = await svc.db.query('SELECT * FROM pull_schedule ORDER BY store_id');
    return { http: out, schedule: JSON.parse(JSON.stringify(schedule.rows)) as unknown };
  };

  await settle();
  const before = await writes();
  const snapshotBefore = await snapshotOfA();

  // Cursors A was given: B replaying them must only move through B's own data.
  const cursorOf = async (path: string) => ((await asA('GET', path)).body as { nextCursor: string | null }).nextCursor;
  const aCursors = {
    orders: await cursorOf('/v1/orders?limit=1'),
    lines: await cursorOf('/v1/warehouse-lines?limit=1'),
    products: await cursorOf('/v1/products?limit=1'),
    mappings: await cursorOf(`/v1/stores/${aAmz}/mappings?limit=1`),
    feed: await cursorOf('/v1/warehouse/feed?limit=1'),
  };

  const doc = (await send(undefined, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { required?: boolean } }>> };
  const routes = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) => Object.keys(item).filter((m) => HTTP_METHODS.includes(m)).map((m) => ({ key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path, op: item[m]! })));

  await t.test('the route table knows every /v1 route of the OpenAPI document, and no other', async (t) => {
    t.ok(routes.length >= 40, `${routes.length} routes in the document`);
    const unknown = routes.filter((r) => !table[r.key] && !PUBLIC_ROUTES.has(r.key)).map((r) => r.key);
    t.same(unknown, [], 'every route has a row (add new routes to routeTable deliberately)');
    const stale = Object.keys(table).filter((k) => !routes.some((r) => r.key === k));
    t.same(stale, [], 'no row for a route that is gone');
    for (const key of PUBLIC_ROUTES) {
      const route = routes.find((r) => r.key === key);
      t.ok(route, `${key} is in the document`);
      t.same(route?.op.security, [], `${key} is documented as public`);
    }
    for (const r of routes.filter((x) => !PUBLIC_ROUTES.has(x.key))) {
      t.not(JSON.stringify(r.op.security ?? 'global'), '[]', `${r.key} is not documented as public`);
    }
    for (const r of routes) {
      const spec = table[r.key];
      const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      if (!spec) continue;
      if (params.length > 0) t.equal(spec.kind, 'scoped', `${r.key}: a route with path parameters is tried against A's ids`);
      for (const p of params) t.ok(p in aSides[0]!, `${r.key}: A has a value for {${p}}`);
      if (spec.kind === 'list' || spec.kind === 'self') t.equal(r.method, 'GET', `${r.key}: read-only`);
      if (r.op.requestBody?.required && (spec.kind === 'scoped' || spec.kind === 'admin')) {
        t.ok(spec.bodies.some((body) => body !== null), `${r.key}: the document requires a body, the table sends one`);
      }
    }
  });

  const swept: string[] = [];
  await t.test("B's key on every tenant route with A's ids: 404 (403 for admin routes), the same as for ids of nothing, nothing written", async (t) => {
    for (const r of routes) {
      const spec = table[r.key];
      if (spec?.kind !== 'scoped' && spec?.kind !== 'admin') continue;
      const expected = spec.kind === 'admin' ? { status: 403, code: 'admin_token_required' } : { status: spec.status, code: spec.code };
      for (const body of spec.bodies) {
        const sides = spec.kind === 'admin' ? [aSides[0]!] : aSides;
        for (const ids of sides) {
          const path = fill(r.path, ids);
          const label = `${r.method} ${path}${body ? ` ${bodyText(body).slice(0, 60)}` : ''}`;
          const w0 = await writes();
          const res = await asB(r.method, path, body);
          t.equal(res.status, expected.status, `${label} → ${expected.status}`);
          t.match(res.body, { code: expected.code }, `${label}: ${expected.code}`);
          t.same(await writes(), w0, `${label}: nothing written`);
          t.same(leaked(res.text, path + bodyText(body)), [], `${label}: nothing of A's in the answer`);
          const missing = await asB(r.method, fill(r.path, nowhere), body);
          t.equal(missing.status, res.status, `${r.key}: same status as for ids of nothing`);
          t.equal(
            normalised(missing.text, Object.values(nowhere)),
            normalised(res.text, Object.values(ids)),
            `${r.key}: the same answer as for ids of nothing (A's ids cannot be probed)`,
          );
          swept.push(r.key);
        }
      }
    }
    const scoped = routes.filter((r) => table[r.key]?.kind === 'scoped' || table[r.key]?.kind === 'admin').map((r) => r.key);
    t.same([...new Set(swept)].sort(), [...scoped].sort(), `all ${scoped.length} tenant-scoped and admin routes were tried`);
    t.ok(scoped.length >= 25);
  });

  await t.test("A's ids in bodies and filters: refused or nothing found", async (t) => {
    const probe = async (label: string, method: string, path: string, body: Body, expect: { status: number; code?: string }) => {
      const w0 = await writes();
      const res = await asB(method, path, body);
      t.equal(res.status, expect.status, `${label}: ${expect.status}`);
      if (expect.code) t.match(res.body, { code: expect.code }, `${label}: ${expect.code}`);
      t.same(await writes(), w0, `${label}: nothing written`);
      t.same(leaked(res.text, path + bodyText(body)), [], `${label}: nothing of A's in the answer`);
      return res;
    };
    // Copy A's mappings into B's own store: the source is A's store, so there is none.
    for (const from of [aAmz, aWmt]) {
      for (const overwrite of [false, true]) {
        await probe(`copy from A's store ${from.slice(0, 8)} into B's`, 'POST', `/v1/stores/${bAmz}/mappings/copy`, { json: { fromStoreId: from, overwrite } }, { status: 404, code: 'not_found' });
      }
    }
    t.same(((await asB('GET', `/v1/stores/${bAmz}/mappings`)).body as { items: { platformSku: string }[] }).items.map((m) => m.platformSku), ['BRAVO-6PK'], "B's store has none of A's mappings");
    // A's platform SKUs on B's own store: B has no such mapping (mappings are per store).
    for (const p of ['ALPHA-6PK', 'ALPHA-WM']) {
      await probe(`A's platform SKU ${p} on B's store`, 'GET', `/v1/stores/${bAmz}/mappings/${p}`, null, { status: 404, code: 'mapping_not_found' });
      await probe(`history of ${p} on B's store`, 'GET', `/v1/stores/${bAmz}/mappings/${p}/history`, null, { status: 404, code: 'mapping_not_found' });
    }
    // Filters naming A's resources find nothing; A's cursors only page through B's own data.
    const empty = async (path: string) => {
      const res = await probe(path, 'GET', path, null, { status: 200 });
      t.same((res.body as { items: unknown[] }).items, [], `${path}: nothing`);
    };
    for (const s of aSides) {
      await empty(`/v1/orders?storeId=${s.storeId}`);
      await empty(`/v1/warehouse-lines?storeId=${s.storeId}`);
      await empty(`/v1/warehouse-lines?orderId=${s.orderId}`);
      await empty(`/v1/orders?sku=${s.platformSku}`);
      await empty(`/v1/orders?sku=${s.sku}`);
      await empty(`/v1/warehouse-lines?sku=${s.sku}`);
      await empty(`/v1/products?q=${s.sku}`);
      await empty(`/v1/stores/${bAmz}/mappings?sku=${s.sku}`);
      await empty(`/v1/stores/${bAmz}/mappings?q=${s.platformSku}`);
    }
    for (const o of aOrders) await empty(`/v1/orders?q=${encodeURIComponent(o.platformOrderId)}`);
    await empty('/v1/products?q=Alpha');
    t.ok(Object.values(aCursors).every((c) => typeof c === 'string'), "A's lists gave cursors");
    await probe("A's orders cursor", 'GET', `/v1/orders?after=${aCursors.orders}`, null, { status: 200 });
    await probe("A's warehouse-lines cursor", 'GET', `/v1/warehouse-lines?after=${aCursors.lines}`, null, { status: 200 });
    await probe("A's products cursor", 'GET', `/v1/products?after=${aCursors.products}`, null, { status: 200 });
    await probe("A's mappings cursor on B's store", 'GET', `/v1/stores/${bAmz}/mappings?after=${aCursors.mappings}`, null, { status: 200 });
    // Feed cursors are sealed per tenant (#14.13): A's is not even a position for B.
    await probe("A's feed cursor", 'GET', `/v1/warehouse/feed?after=${aCursors.feed}`, null, { status: 400, code: 'invalid_cursor' });
    // The public consent callback cannot be aimed at A's (granted) Amazon authorization.
    for (const token of [undefined, b.apiKey]) {
      const state = `${aAmazon.authorizationId}.${randomBytes(32).toString('base64url')}`;
      const path = `/v1/authorizations/amazon/callback?state=${state}&spapi_oauth_code=forged&selling_partner_id=${bravoSeller}`;
      const w0 = await writes();
      const res = await send(token, 'GET', path, null, { accept: 'application/json' });
      t.match(res, { status: 400, body: { code: 'invalid_state' } }, `the callback with a forged state for A's authorization${token ? " and B's key" : ''}`);
      t.same(await writes(), w0, 'nothing written');
      t.same(leaked(res.text, path), []);
      // Nor the public consent link (it binds a browser to a pending state only).
      const link = `/v1/authorizations/consent?state=${state}`;
      const followed = await send(token, 'GET', link, null, { accept: 'application/json' });
      t.match(followed, { status: 400, body: { code: 'invalid_state' } }, `the consent link with a forged state for A's authorization${token ? " and B's key" : ''}`);
      t.same(await writes(), w0, 'nothing written');
      t.same(leaked(followed.text, link), []);
    }
  });

  await t.test('a mapping never points at another tenant’s SKU: 422 unknown_sku, as for a SKU that exists nowhere', async (t) => {
    for (const storeId of [bAmz, bWmt]) {
      for (const aSku of ['ALPHA-ONLY', 'ALPHA-GADGET']) {
        const w0 = await writes();
        const foreign = await asB('PUT', `/v1/stores/${storeId}/mappings/BRAVO-NEW`, { json: { components: [{ sku: aSku, quantity: 1 }] } });
        const missing = await asB('PUT', `/v1/stores/${storeId}/mappings/BRAVO-NEW`, { json: { components: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] } });
        t.match(foreign, { status: 422, body: { code: 'unknown_sku' } }, `B maps to A's ${aSku}: unknown_sku`);
        t.equal(normalised(foreign.text, [aSku]), normalised(missing.text, ['NO-SUCH-SKU']), 'the same answer as for a SKU that does not exist');
        // With one of B's own SKUs beside it: still refused as a whole.
        const mixed = await asB('PUT', `/v1/stores/${storeId}/mappings/BRAVO-NEW`, { json: { components: [{ sku: 'BRAVO-ONLY', quantity: 1 }, { sku: aSku, quantity: 1 }] } });
        t.match(mixed, { status: 422, body: { code: 'unknown_sku' } }, "B's SKU and A's: refused");
        const csv = await asB('POST', `/v1/stores/${storeId}/mappings/import`, { csv: `platform_sku,system_sku,quantity\nBRAVO-NEW,${aSku},1\n` });
        const csvMissing = await asB('POST', `/v1/stores/${storeId}/mappings/import`, { csv: 'platform_sku,system_sku,quantity\nBRAVO-NEW,NO-SUCH-SKU,1\n' });
        t.match(csv, { status: 422, body: { code: 'import_invalid', issues: [{ code: 'unknown_sku' }] } }, `a CSV import naming A's ${aSku}: unknown_sku`);
        t.equal(normalised(csv.text, [aSku]), normalised(csvMissing.text, ['NO-SUCH-SKU']), 'the same answer as for a SKU that does not exist');
        t.same(await writes(), w0, 'nothing written');
      }
    }
    t.match(await asB('GET', `/v1/stores/${bAmz}/mappings/BRAVO-NEW`), { status: 404, body: { code: 'mapping_not_found' } }, 'no mapping was made');
  });

  await t.test("lists with B's key: B's own data, nothing of A's", async (t) => {
    const bMarkers = [b.tenantId, bAmz, bWmt, bAmazon.authorizationId as string, bWalmart.authorizationId, ...bOrders.map((o) => o.orderId)];
    const lists = routes.filter((r) => table[r.key]?.kind === 'list' || table[r.key]?.kind === 'self');
    t.ok(lists.length >= 7, lists.map((r) => r.key).join(', '));
    for (const r of lists) {
      const res = await asB('GET', r.path);
      t.equal(res.status, 200, `${r.key}: 200`);
      t.same(leaked(res.text), [], `${r.key}: nothing of A's`);
      const spec = table[r.key];
      if (spec?.kind === 'list' && spec.emptyForB) continue;
      t.ok(bMarkers.some((m) => res.text.includes(m)) || res.text.includes('BRAVO'), `${r.key}: B's own data is there (the check means something)`);
    }
    // Every page of the feed and of the lists, to the end.
    const drain = async (path: string, itemsKey: 'items' | 'messages', stop: (body: Record<string, unknown>) => boolean) => {
      const texts: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 100; i++) {
        const res = await asB('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1${cursor ? `&after=${cursor}` : ''}`);
        t.equal(res.status, 200);
        texts.push(res.text);
        const body = res.body as Record<string, unknown> & { nextCursor: string | null };
        if (stop(body) || !body.nextCursor || (body[itemsKey] as unknown[]).length === 0) break;
        cursor = body.nextCursor;
      }
      return texts.join('\n');
    };
    for (const path of ['/v1/orders', '/v1/warehouse-lines', '/v1/products']) t.same(leaked(await drain(path, 'items', (p) => !p.nextCursor)), [], `${path}: every page`);
    for (const storeId of [bAmz, bWmt]) t.same(leaked(await drain(`/v1/stores/${storeId}/mappings`, 'items', (p) => !p.nextCursor)), [], 'mappings: every page');
    const feed = await drain('/v1/warehouse/feed', 'messages', (p) => p.caughtUp === true);
    t.same(leaked(feed), [], 'the feed, to its end: no A order, no A buyer');
    t.ok(feed.includes('Bertrand Bravington-Hale') || feed.includes('Benedikt Bravoworth-Lund'), "B's feed carries B's own ship-to");
    const mine = (await asB('GET', '/v1/me')).body;
    t.same(mine, { tenantId: b.tenantId, keyId: bKeyId }, '/v1/me: B');
  });

  await t.test('nothing was written by the whole sweep, and A sees exactly what it saw before', async (t) => {
    await settle();
    const after = await writes();
    t.same(after, before, `es_events ${after.events}, vault_secrets ${after.secrets}: unchanged`);
    t.ok(before.events > 30 && before.secrets >= 4, `the counts are real (${before.events} events, ${before.secrets} secrets)`);
    t.same(await snapshotOfA(), snapshotBefore, "A's stores, authorizations, products, mappings, orders, feed and pull schedule are unchanged");
    t.equal((await asA('GET', '/v1/me')).status, 200, "A's key still works (B could not revoke it)");
  });

  await t.test('routes that create in the caller’s tenant only: B’s copies are B’s, A’s are untouched', async (t) => {
    t.match(await asB('POST', '/v1/products', { json: { sku: 'ALPHA-ONLY', name: 'Bravo’s own' } }), { status: 201, body: { sku: 'ALPHA-ONLY', name: 'Bravo’s own' } }, "B creates a product with A's SKU code");
    const imported = await asB('POST', '/v1/products/import', { csv: 'sku,name\nALPHA-GADGET,Bravo gadget\n' });
    t.match(imported, { status: 200, body: { created: 1, updated: 0 } }, "importing A's SKU code creates B's own");
    t.match(await asA('GET', '/v1/products/ALPHA-ONLY'), { status: 200, body: { name: 'Alpha only', status: 'active' } }, "A's product is untouched");
    t.match(await asA('GET', '/v1/products/ALPHA-GADGET'), { status: 200, body: { name: 'Alpha gadget' } });
    t.match(await asB('GET', '/v1/products/ALPHA-GADGET'), { status: 200, body: { name: 'Bravo gadget' } });
    t.match(await asB('POST', '/v1/products/ALPHA-ONLY/retire'), { status: 200, body: { usedBy: [] } }, "B retires its own: A's mappings are not B's to see");
    t.match(await asA('GET', '/v1/products/ALPHA-ONLY'), { body: { status: 'active' } }, "A's stays active");
    await settle();
    const aMappings = ((await asA('GET', `/v1/stores/${aAmz}/mappings`)).body as { items: { platformSku: string }[] }).items;
    t.same(aMappings.map((m) => m.platformSku), ['ALPHA-6PK', 'ALPHA-KIT']);
    // The create routes of authorizations were B's own in the set-up: each tenant lists its own only.
    const ids = async (as: typeof asA) => ((await as('GET', '/v1/authorizations')).body as { items: { authorizationId: string }[] }).items.map((x) => x.authorizationId).sort();
    t.same(await ids(asA), [...aAuths].sort());
    t.same(await ids(asB), [bAmazon.authorizationId, bWalmart.authorizationId].sort());
    const bStores = ((await asB('GET', '/v1/stores')).body as { items: { storeId: string }[] }).items.map((s) => s.storeId);
    t.ok(bStores.includes(bAmz) && bStores.includes(bWmt) && !bStores.some((s) => aStores.some((x) => x.storeId === s)), "B's stores are B's only");
  });

  await t.test('revoked and malformed keys: 401 on tenant routes', async (t) => {
    const issued = await json(await svc.call('POST', `/v1/tenants/${b.tenantId}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'short-lived' } }));
    const temp = issued.apiKey as string;
    t.equal((await send(temp, 'GET', `/v1/stores/${bAmz}`)).status, 200, 'a fresh key works');
    t.equal((await svc.call('DELETE', `/v1/tenants/${b.tenantId}/api-keys/${issued.keyId}`, { token: ADMIN_TOKEN })).status, 204);

    const [, bTenant, , bSecret] = b.apiKey.split('.');
    const [, aTenant, aKey] = a.apiKey.split('.');
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    const bad: [string, Record<string, string>][] = [
      ['revoked key', { authorization: `Bearer ${temp}` }],
      ['no header', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['not bearer', { authorization: `Basic ${Buffer.from(`x:${b.apiKey}`).toString('base64')}` }],
      ['bare key without scheme', { authorization: b.apiKey }],
      ['garbage', { authorization: 'Bearer omsk.garbage' }],
      ['random text', { authorization: `Bearer ${randomBytes(40).toString('base64url')}` }],
      ['wrong secret', { authorization: `Bearer ${flip(b.apiKey)}` }],
      ['truncated', { authorization: `Bearer ${b.apiKey.slice(0, -1)}` }],
      ['trailing junk', { authorization: `Bearer ${b.apiKey}x` }],
      ['upper-case prefix', { authorization: `Bearer ${b.apiKey.replace(/^omsk/, 'OMSK')}` }],
      ["A's tenant with B's key id and secret", { authorization: `Bearer omsk.${aTenant}.${bKeyId}.${bSecret}` }],
      ["B's tenant with A's key id and B's secret", { authorization: `Bearer omsk.${bTenant}.${aKey}.${bSecret}` }],
      ["A's tenant and key id with B's secret", { authorization: `Bearer omsk.${aTenant}.${aKey}.${bSecret}` }],
      ['an unknown tenant', { authorization: `Bearer omsk.${randomUUID()}.${bKeyId}.${bSecret}` }],
      ['the admin token, altered', { authorization: `Bearer ${flip(ADMIN_TOKEN)}` }],
    ];
    const w0 = await writes();
    for (const [label, headers] of bad) {
      for (const [method, path, body] of [
        ['GET', '/v1/stores', null],
        ['GET', `/v1/stores/${bAmz}`, null],
        ['GET', `/v1/orders/${aReleasedAmz}`, null],
        ['POST', '/v1/products', { json: { sku: 'INTRUDER', name: 'Intruder' } }],
        ['DELETE', `/v1/authorizations/${bWalmart.authorizationId}`, null],
      ] as const) {
        const res = await send(undefined, method, path, body, headers);
        t.match(res, { status: 401, body: { code: 'unauthorized' } }, `${label}: ${method} ${path} → 401`);
      }
    }
    t.same(await writes(), w0, 'nothing written with a bad key');
    t.equal((await asB('GET', `/v1/authorizations/${bWalmart.authorizationId}`)).status, 200, "B's authorization is still there");
    t.equal((await asB('GET', '/v1/stores')).status, 200, "B's own key still works");
  });
});
