// The order queries over real HTTP: the whole service on the real PostgreSQL, orders pulled from the
// marketplace sandboxes, mapped, held and released by the real policy. Filters, keyset pages,
// detail and audit history (never buyer data), unmapped SKUs, the SKU-expansion table, and tenant
// isolation (a second tenant's key sees nothing of the first's).
import t from 'tap';
import { startTestService, type TestService } from '../support/service.js';
import { authorizeAmazon, authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const US = 'ATVPDKIKX0DER';

type Summary = {
  orderId: string;
  storeId: string;
  platform: string;
  platformOrderId: string;
  status: string;
  purchasedAt: string;
  handoff: { state: string; holdSkus: string[]; heldSince: string | null; releasedAt: string | null };
  lineCount: number;
};
type LineRow = { orderId: string; lineId: string; sku: string; quantity: number; source: { platformSku: string; factor: number; mappingVersion: number } };

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule', 'stores']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);
};

/** Newest purchase first, ties by order id: the order every page must keep. */
const inPageOrder = (a: Summary, b: Summary) =>
  a.purchasedAt === b.purchasedAt ? (a.orderId < b.orderId ? -1 : 1) : a.purchasedAt > b.purchasedAt ? -1 : 1;

t.test('orders: filters, keyset pages, detail, history, unmapped SKUs, expansion table, tenant isolation', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const { amazon, walmart } = sandboxes;
  /**
   * Read until `done` holds (bounded). The policy's decisions reach the read model a moment after
   * the events that caused them, so a check of the outcome settles and reads again.
   */
  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (let i = 0; i < 50; i++) {
      await settle(svc);
      const value = await read();
      if (done(value)) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    return read();
  };

  // Every body a client received, for the buyer-data check at the end.
  const bodies: string[] = [];
  const client = (token: string) => {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await svc.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const get = (path: string) => call('GET', path);
    /** Every page of a list, `limit` at a time. */
    const drain = async <T>(path: string, limit: number) => {
      const items: T[] = [];
      let cursor: string | null = null;
      for (let pages = 1; pages < 500; pages++) {
        const sep = path.includes('?') ? '&' : '?';
        const res = await get(`${path}${sep}limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
        if (res.body.items.length > limit) throw new Error('a page longer than its limit');
        items.push(...res.body.items);
        cursor = res.body.nextCursor;
        if (!cursor) return { items, pages };
      }
      throw new Error('never ended');
    };
    return { call, get, drain };
  };

  const a = await createTenant(svc, 'Seller A');
  const b = await createTenant(svc, 'Seller B');
  const asA = client(a.apiKey);
  const asB = client(b.apiKey);
  for (const [sku, name] of [['WIDGET', 'Widget'], ['GADGET', 'Gadget']]) t.equal((await asA.call('POST', '/v1/products', { sku, name })).status, 201);

  // Tenant A: an Amazon US store and a Walmart store.
  amazon.consentAs(amazon.sellers[0]!.sellerId);
  const amazonAuth = await authorizeAmazon(svc, a.apiKey, { region: 'NA' });
  const amz = amazonAuth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === US).storeId as string;
  const wmt = (await authorizeWalmart(svc, a.apiKey, sandboxes)).storeIds[0]!;
  t.equal((await asA.call('PUT', `/v1/stores/${amz}/mappings/AMZ-6PK`, { components: [{ sku: 'WIDGET', quantity: 6 }] })).status, 200);
  t.equal((await asA.call('PUT', `/v1/stores/${amz}/mappings/KIT`, { components: [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 3 }] })).status, 200);
  t.equal((await asA.call('PUT', `/v1/stores/${wmt}/mappings/WM-1`, { components: [{ sku: 'GADGET', quantity: 2 }] })).status, 200);

  const now = clock.now().getTime();
  const seller = amazon.sellers[0]!.sellerId;
  const add = (hoursAgo: number, items: { sellerSku: string; quantity?: number }[], extra: { fulfilledBy?: 'AMAZON'; buyerName?: string } = {}) =>
    amazon.orders.add({ sellerId: seller, marketplaceId: US, createdAt: now - hoursAgo * HOUR, status: 'UNSHIPPED', items, ...extra });
  const sixPack = add(1, [{ sellerSku: 'AMZ-6PK', quantity: 2 }], { buyerName: 'Philippa Quennell-Ashdown' });
  const kit = add(2, [{ sellerSku: 'KIT' }]);
  const mixed = add(3, [{ sellerSku: 'AMZ-6PK' }, { sellerSku: 'KIT' }]);
  const heldA1 = add(4, [{ sellerSku: 'UNMAPPED-A' }], { buyerName: 'Ottoline Wrexham-Vance' });
  const heldA2 = add(30, [{ sellerSku: 'UNMAPPED-A', quantity: 2 }]);
  const heldAB = add(20, [{ sellerSku: 'UNMAPPED-A' }, { sellerSku: 'UNMAPPED-B' }]);
  const fba = add(6, [{ sellerSku: 'AMZ-6PK' }], { fulfilledBy: 'AMAZON' });
  const toCancel = add(7, [{ sellerSku: 'AMZ-6PK' }]);
  // Five orders bought in the same second: pages must split ties by order id without losing one.
  const tied = Array.from({ length: 5 }, () => add(5, [{ sellerSku: 'AMZ-6PK' }]));
  const fillers = Array.from({ length: 8 }, (_, i) => add(8 + i * 2, [{ sellerSku: i % 2 ? 'KIT' : 'AMZ-6PK' }]));
  walmart.orders.add({ createdAt: now - 2 * HOUR, lines: [{ sku: 'WM-1' }], customerName: 'Leopoldine Farquharson' });
  walmart.orders.add({ createdAt: now - 9 * HOUR, lines: [{ sku: 'WM-1', quantity: 3 }] });
  walmart.orders.add({ createdAt: now - 10 * HOUR, lines: [{ sku: 'WM-UNMAPPED' }] });

  // Tenant B: another seller's Amazon account, two orders of its own.
  amazon.consentAs(amazon.sellers[1]!.sellerId);
  const bAuth = await authorizeAmazon(svc, b.apiKey, { region: 'NA' });
  const bStore = bAuth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === US).storeId as string;
  const bOrders = [1, 2].map((h) => amazon.orders.add({ sellerId: amazon.sellers[1]!.sellerId, marketplaceId: US, createdAt: now - h * HOUR, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-6PK' }] }));

  const pull = async (storeId: string) => {
    await svc.projections.caughtUp(['pull_schedule']);
    t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true }, `pulled ${storeId.slice(0, 8)}`);
  };
  clock.advance(3 * MIN); // Amazon lists only orders at least 2 minutes old
  for (const storeId of [amz, wmt, bStore]) await pull(storeId);
  await settle(svc);
  amazon.orders.cancel(toCancel.orderId);
  clock.advance(3 * MIN);
  await pull(amz);
  await settle(svc);

  const amazonIds = [sixPack, kit, mixed, heldA1, heldA2, heldAB, fba, toCancel, ...tied, ...fillers].map((o) => o.orderId);
  // Every order here gets a hand-off decision (released, held, marketplace, then the cancellation).
  const all = await until(
    async () => (await asA.get('/v1/orders?limit=500')).body.items as Summary[],
    (items) => items.every((o) => o.handoff.state !== 'none') && items.some((o) => o.handoff.state === 'cancelled'),
  );
  const byPlatformId = new Map(all.map((o) => [o.platformOrderId, o]));
  const idOf = (platformOrderId: string) => byPlatformId.get(platformOrderId)!.orderId;

  t.test('the unfiltered list: every order of the tenant once, newest first, ties by id', async (t) => {
    t.equal(all.length, amazonIds.length + 3);
    t.same(new Set(all.map((o) => o.platformOrderId)).size, all.length, 'no duplicates');
    t.ok(amazonIds.every((id) => byPlatformId.has(id)), 'every Amazon order');
    t.same([...all].sort(inPageOrder), all, 'sorted by purchase time desc, then order id');
    t.match(byPlatformId.get(sixPack.orderId), {
      storeId: amz,
      platform: 'amazon',
      marketplaceId: US,
      status: 'unshipped',
      fulfillmentChannel: 'merchant',
      handoff: { state: 'released', holdSkus: [], heldSince: null, releasedAt: String, lastMessageType: 'FulfillmentOrderReleased' },
      lineCount: 1,
    });
    t.equal(byPlatformId.get(mixed.orderId)!.lineCount, 2);
    t.same((await asA.get('/v1/orders?limit=500')).body.items, all, 'the same answer twice');
  });

  t.test('keyset pages: no duplicates, no gaps, the same order as one page', async (t) => {
    for (const limit of [1, 3, 4, 7]) {
      const { items, pages } = await asA.drain<Summary>('/v1/orders', limit);
      t.same(items.map((o) => o.orderId), all.map((o) => o.orderId), `limit ${limit}: every order once, in order`);
      t.equal(pages, Math.ceil(all.length / limit), `limit ${limit}: ${pages} pages`);
    }
    const tiedIds = new Set(tied.map((o) => o.orderId));
    t.equal(new Set(all.filter((o) => tiedIds.has(o.platformOrderId)).map((o) => o.purchasedAt)).size, 1, 'the tied orders share one purchase time');
    const held = await asA.drain<Summary>('/v1/orders?handoff=held', 1);
    t.same(held.items, all.filter((o) => o.handoff.state === 'held'), 'filtered pages as well');
    t.equal((await asA.get('/v1/orders?limit=50')).body.nextCursor, null, 'the last page has no cursor');
  });

  t.test('filters', async (t) => {
    const ids = async (query: string) => ((await asA.get(`/v1/orders?${query}&limit=500`)).body.items as Summary[]).map((o) => o.platformOrderId).sort();
    const expect = (pred: (o: Summary) => boolean) => all.filter(pred).map((o) => o.platformOrderId).sort();

    t.same(await ids(`storeId=${amz}`), [...amazonIds].sort(), 'store');
    t.equal((await ids(`storeId=${wmt}`)).length, 3);
    t.same(await ids('platform=walmart'), expect((o) => o.platform === 'walmart'), 'platform');
    t.equal((await ids('platform=walmart')).length, 3);
    t.same(await ids('status=cancelled'), [toCancel.orderId], 'status');
    t.same(await ids(`status=unshipped&storeId=${amz}`), amazonIds.filter((id) => id !== toCancel.orderId).sort());
    t.same(await ids('handoff=held'), expect((o) => o.handoff.state === 'held'));
    t.same(await ids(`handoff=held&storeId=${amz}`), [heldA1, heldA2, heldAB].map((o) => o.orderId).sort(), 'hand-off: held');
    t.same(await ids('handoff=marketplace'), [fba.orderId], 'hand-off: fulfilled by Amazon');
    t.same(await ids('handoff=cancelled'), [toCancel.orderId], 'hand-off: cancelled after release');
    t.same(await ids('handoff=dropped'), [], 'hand-off: none dropped');

    const from = new Date(now - 6 * HOUR).toISOString();
    const to = new Date(now - 2 * HOUR).toISOString();
    const inRange = await ids(`from=${from}&to=${to}`);
    t.same(inRange, expect((o) => o.purchasedAt >= from && o.purchasedAt < to), 'purchase date range: from inclusive, to exclusive');
    t.ok(inRange.includes(kit.orderId) && inRange.includes(heldA1.orderId) && !inRange.includes(sixPack.orderId));
    t.same(await ids(`from=${encodeURIComponent('2020-01-01T00:00:00+02:00')}&to=2020-01-02T00:00:00Z`), [], 'offsets accepted');

    const sixPackOrders = [sixPack, mixed, fba, toCancel, ...tied, ...fillers.filter((_, i) => i % 2 === 0)].map((o) => o.orderId).sort();
    t.same(await ids('sku=AMZ-6PK'), sixPackOrders, 'sku: platform SKU on a line');
    // KIT and WM-1 expand to GADGET: their released orders carry it in their warehouse lines.
    const kitOrders = [kit, mixed, ...fillers.filter((_, i) => i % 2)].map((o) => o.orderId);
    const walmartReleased = expect((o) => o.platform === 'walmart' && o.handoff.state === 'released');
    t.equal(walmartReleased.length, 2);
    t.same(await ids('sku=GADGET'), [...kitOrders, ...walmartReleased].sort(), 'sku: system SKU on a warehouse line');
    t.same(await ids('sku=UNMAPPED-B'), [heldAB.orderId]);
    t.same(await ids(`sku=AMZ-6PK&storeId=${wmt}`), [], 'filters combine');

    const target = mixed.orderId;
    const middle = target.slice(5, 12);
    const found = await ids(`q=${middle}`);
    t.ok(found.includes(target), `q: "${middle}" finds ${target}`);
    t.ok(found.every((id) => id.includes(middle)));
    t.same(await ids(`q=${target}`), [target], 'q: the whole id');
    t.same(await ids(`q=${target.slice(0, 4)}`), expect((o) => o.platformOrderId.includes(target.slice(0, 4))), 'q: a prefix');
    t.same(await ids('q=9'), expect((o) => o.platformOrderId.includes('9')), 'q: one character (no trigram)');
    t.same(await ids('q=%25'), [], 'q: LIKE wildcards are literal (%)');
    t.same(await ids('q=_'), [], 'q: LIKE wildcards are literal (_)');

    t.equal((await asA.get('/v1/orders?limit=501')).status, 400, 'limit at most 500');
    t.equal((await asA.get('/v1/orders?handoff=lost')).status, 400, 'unknown hand-off state');
    t.equal((await asA.get('/v1/orders?storeId=x')).status, 400);
    t.equal((await asA.get('/v1/orders?color=red')).status, 400, 'unknown parameter');
    t.match(await asA.get('/v1/orders?after=bm9wZQ'), { status: 400, body: { code: 'invalid_cursor' } }, 'a cursor not issued here');
    const lineCursor = (await asA.get('/v1/warehouse-lines?limit=1')).body.nextCursor as string;
    t.match(await asA.get(`/v1/orders?after=${lineCursor}`), { status: 400, body: { code: 'invalid_cursor' } }, "another list's cursor");
  });

  t.test('detail: platform data, lines, warehouse lines, hold reasons, mapping versions, hand-off history', async (t) => {
    const detail = (await asA.get(`/v1/orders/${idOf(mixed.orderId)}`)).body;
    t.match(detail, {
      orderId: idOf(mixed.orderId),
      platformOrderId: mixed.orderId,
      status: 'unshipped',
      shipToCountry: 'US',
      orderTotal: { amount: String, currency: 'USD' },
      versions: 1,
      lines: [{ platformSku: 'AMZ-6PK', quantityOrdered: 1 }, { platformSku: 'KIT', quantityOrdered: 1 }],
      warehouseLines: [
        { sku: 'WIDGET', quantity: 6, source: { platformSku: 'AMZ-6PK', platformQuantity: 1, factor: 6, mappingVersion: 1 } },
        { sku: 'WIDGET', quantity: 1, source: { platformSku: 'KIT', factor: 1 } },
        { sku: 'GADGET', quantity: 3, source: { platformSku: 'KIT', factor: 3 } },
      ],
      holdReasons: [],
      mappingVersions: { 'AMZ-6PK': 1, KIT: 1 },
      handoff: { state: 'released' },
      handoffHistory: [{ type: 'FulfillmentOrderReleased', revision: 1, at: String, recordedAt: String, lineCount: 3, mappingVersions: { 'AMZ-6PK': 1, KIT: 1 } }],
    });
    t.notOk('personalData' in detail, 'no sealed field either');

    const held = (await asA.get(`/v1/orders/${idOf(heldAB.orderId)}`)).body;
    t.match(held, {
      handoff: { state: 'held', holdSkus: ['UNMAPPED-A', 'UNMAPPED-B'], heldSince: String },
      holdReasons: [
        { code: 'unmapped_sku', platformSku: 'UNMAPPED-A', since: held.handoff.heldSince },
        { code: 'unmapped_sku', platformSku: 'UNMAPPED-B', since: held.handoff.heldSince },
      ],
      warehouseLines: [],
      handoffHistory: [{ type: 'OrderHeld', unmappedSkus: ['UNMAPPED-A', 'UNMAPPED-B'] }],
    });
    const cancelled = (await asA.get(`/v1/orders/${idOf(toCancel.orderId)}`)).body;
    t.same(cancelled.handoffHistory.map((s: { type: string }) => s.type), ['FulfillmentOrderReleased', 'FulfillmentOrderCancelled']);
    t.match(cancelled, { status: 'cancelled', versions: 2, handoffHistory: [{}, { reason: String }] });
    t.match((await asA.get(`/v1/orders/${idOf(fba.orderId)}`)).body, { fulfillmentChannel: 'marketplace', handoffHistory: [{ type: 'OrderFulfilledByMarketplace' }] });
    t.match(await asA.get('/v1/orders/00000000-0000-4000-8000-000000000000'), { status: 404, body: { code: 'not_found' } });
    t.equal((await asA.get('/v1/orders/not-a-uuid')).status, 400);
  });

  t.test('history: every event with its metadata, the sealed buyer data as a marker', async (t) => {
    const { status, body } = await asA.get(`/v1/orders/${idOf(toCancel.orderId)}/history`);
    t.equal(status, 200);
    t.same(body.items.map((e: { type: string }) => e.type), ['OrderPulled', 'FulfillmentOrderReleased', 'OrderPulled', 'FulfillmentOrderCancelled']);
    t.same(body.items.map((e: { revision: number }) => e.revision), [0, 1, 2, 3]);
    const [pulled, released] = body.items;
    t.match(pulled, { recordedAt: String, actor: String, correlationId: String, schemaVersion: 1, data: { order: { platformOrderId: toCancel.orderId, personalData: '[sealed]' } } });
    t.match(released, { actor: 'system:release-policy', causationId: String, data: { lines: [{ sku: 'WIDGET', quantity: 6 }] } });
    const stored = await svc.store.readStream(orderStreamId(idOf(toCancel.orderId)));
    const sealed = (stored[0]!.data as { order: { personalData: string } }).order.personalData;
    t.ok(sealed.length > 20, 'the event does hold sealed buyer data');
    t.notOk(JSON.stringify(body).includes(sealed), 'its ciphertext is not shown');
    t.match(await asA.get('/v1/orders/00000000-0000-4000-8000-000000000000/history'), { status: 404 });
  });

  t.test('unmapped SKUs: per store, with held-order counts and the oldest hold; a mapping clears them', async (t) => {
    const before = (await asA.get(`/v1/stores/${amz}/unmapped-skus`)).body.items;
    const heldSince = (o: { orderId: string }) => byPlatformId.get(o.orderId)!.handoff.heldSince;
    const oldestA = [heldA1, heldA2, heldAB].map(heldSince).sort()[0];
    t.same(before, [
      { platformSku: 'UNMAPPED-A', heldOrders: 3, oldestHeldSince: oldestA },
      { platformSku: 'UNMAPPED-B', heldOrders: 1, oldestHeldSince: heldSince(heldAB) },
    ]);
    const walmartHeld = all.find((o) => o.platform === 'walmart' && o.handoff.state === 'held')!;
    t.same((await asA.get(`/v1/stores/${wmt}/unmapped-skus`)).body.items, [{ platformSku: 'WM-UNMAPPED', heldOrders: 1, oldestHeldSince: walmartHeld.handoff.heldSince }], 'each store its own');

    t.equal((await asA.call('PUT', `/v1/stores/${amz}/mappings/UNMAPPED-A`, { components: [{ sku: 'GADGET', quantity: 1 }] })).status, 200);
    const after = await until(async () => (await asA.get(`/v1/stores/${amz}/unmapped-skus`)).body.items as unknown[], (items) => items.length < 2);
    t.same(after, [{ platformSku: 'UNMAPPED-B', heldOrders: 1, oldestHeldSince: heldSince(heldAB) }], 'still held on B only, since the first hold');
    const released = (await asA.get(`/v1/orders/${idOf(heldA1.orderId)}`)).body;
    t.same(released.handoffHistory.map((s: { type: string }) => s.type), ['OrderHeld', 'FulfillmentOrderReleased']);
    t.match(released, { holdReasons: [], handoff: { state: 'released' }, mappingVersions: { 'UNMAPPED-A': 1 } });
    t.match((await asA.get(`/v1/orders/${idOf(heldAB.orderId)}`)).body, { holdReasons: [{ platformSku: 'UNMAPPED-B' }], handoffHistory: [{ type: 'OrderHeld' }, { type: 'OrderHeld', unmappedSkus: ['UNMAPPED-B'] }] });
    t.match(await asA.get('/v1/stores/00000000-0000-4000-8000-000000000000/unmapped-skus'), { status: 404 });
  });

  t.test('the SKU-expansion table: one row per warehouse line of released orders', async (t) => {
    const orders = (await asA.get('/v1/orders?limit=500')).body.items as Summary[];
    const expected: LineRow[] = [];
    for (const o of orders.filter((x) => x.handoff.releasedAt !== null)) {
      const detail = (await asA.get(`/v1/orders/${o.orderId}`)).body;
      for (const line of detail.warehouseLines) expected.push({ orderId: o.orderId, ...line });
    }
    const one = await asA.drain<LineRow & { platformOrderId: string; handoffState: string }>('/v1/warehouse-lines', 500);
    t.equal(one.items.length, expected.length);
    t.same(one.items.map((r) => `${r.orderId}/${r.lineId}`), expected.map((r) => `${r.orderId}/${r.lineId}`), 'in order, each line once');
    t.match(one.items.find((r) => r.lineId === expected.find((e) => e.orderId === idOf(mixed.orderId))!.lineId), {
      platformOrderId: mixed.orderId,
      handoffState: 'released',
      sku: 'WIDGET',
      quantity: 6,
      source: { platformSku: 'AMZ-6PK', platformLineId: String, platformQuantity: 1, factor: 6, mappingVersion: 1 },
    });
    t.ok(one.items.some((r) => r.handoffState === 'cancelled'), 'lines sent before a cancellation stay, marked');
    for (const limit of [1, 2, 5]) {
      const paged = await asA.drain<LineRow>('/v1/warehouse-lines', limit);
      t.same(paged.items, one.items, `limit ${limit}: no duplicates, no gaps (an order's lines may span pages)`);
    }
    const mixedRows = await asA.drain<LineRow>(`/v1/warehouse-lines?orderId=${idOf(mixed.orderId)}`, 2);
    t.same(mixedRows.items.map((r) => r.sku), ['WIDGET', 'WIDGET', 'GADGET']);
    t.equal(mixedRows.pages, 2);
    const gadget = (await asA.get('/v1/warehouse-lines?sku=GADGET&limit=500')).body.items as LineRow[];
    t.ok(gadget.length > 0 && gadget.every((r) => r.sku === 'GADGET'), 'sku: the system SKU');
    t.same(gadget, one.items.filter((r) => r.sku === 'GADGET'));
    const kits = (await asA.get('/v1/warehouse-lines?sku=KIT&limit=500')).body.items as LineRow[];
    t.same(kits, one.items.filter((r) => r.source.platformSku === 'KIT'), 'sku: the platform SKU a line came from');
    const walmartRows = (await asA.get(`/v1/warehouse-lines?storeId=${wmt}&limit=500`)).body.items as LineRow[];
    t.same(walmartRows.map((r) => [r.sku, r.quantity]).sort(), [['GADGET', 2], ['GADGET', 6]], 'store: WM-1 × 1 and × 3, factor 2');
  });

  t.test("another tenant sees none of it: 404 for the first tenant's order and store, empty lists", async (t) => {
    const mine = (await asB.get('/v1/orders?limit=500')).body.items as Summary[];
    t.same(mine.map((o) => o.platformOrderId).sort(), bOrders.map((o) => o.orderId).sort(), "B lists its own orders only");
    t.ok(all.every((o) => !mine.some((m) => m.orderId === o.orderId)));
    t.same((await asB.get(`/v1/orders?storeId=${amz}`)).body.items, [], "filtering on A's store finds nothing");
    t.same((await asB.get(`/v1/orders?q=${mixed.orderId}`)).body.items, []);
    t.same((await asB.get('/v1/orders?sku=GADGET')).body.items, []);
    const aOrder = idOf(mixed.orderId);
    t.match(await asB.get(`/v1/orders/${aOrder}`), { status: 404, body: { code: 'not_found' } });
    t.match(await asB.get(`/v1/orders/${aOrder}/history`), { status: 404, body: { code: 'not_found' } });
    t.match(await asB.get(`/v1/stores/${amz}/unmapped-skus`), { status: 404 });
    t.same((await asB.get(`/v1/warehouse-lines?orderId=${aOrder}`)).body.items, []);
    t.same((await asB.get(`/v1/warehouse-lines?storeId=${amz}`)).body.items, []);
    const bLines = (await asB.get('/v1/warehouse-lines?limit=500')).body.items as LineRow[];
    t.same(bLines, [], "B's orders are held (no mapping in B's store): no lines at all");
    const oldestB = mine.map((o) => o.handoff.heldSince).sort()[0];
    t.same((await asB.get(`/v1/stores/${bStore}/unmapped-skus`)).body.items, [{ platformSku: 'AMZ-6PK', heldOrders: 2, oldestHeldSince: oldestB }]);
    t.match(await asA.get(`/v1/orders/${mine[0]!.orderId}`), { status: 404 }, 'and the other way round');
    t.equal((await svc.call('GET', '/v1/orders')).status, 401, 'no key, no orders');
  });

  t.test('the routes are in the OpenAPI document', async (t) => {
    const doc = (await asA.get('/openapi.json')).body;
    for (const path of ['/v1/orders', '/v1/orders/{orderId}', '/v1/orders/{orderId}/history', '/v1/stores/{storeId}/unmapped-skus', '/v1/warehouse-lines']) {
      t.ok(doc.paths[path]?.get, path);
    }
    t.match(doc.paths['/v1/orders'].get.parameters, [{ name: 'storeId' }, { name: 'platform' }, { name: 'status' }, { name: 'handoff' }]);
  });

  t.test('no buyer name, address, phone or e-mail in any response', async (t) => {
    const personal = [
      ...amazon.orders.list().flatMap((o) => [o.buyer?.buyerName, o.buyer?.buyerEmail, o.recipient?.deliveryAddress.name, o.recipient?.deliveryAddress.addressLine1, o.recipient?.deliveryAddress.phone]),
      ...walmart.orders.list().flatMap((o) => [o.customerEmailId, o.shippingInfo.postalAddress.name, o.shippingInfo.postalAddress.address1, o.shippingInfo.phone]),
    ].filter((v): v is string => typeof v === 'string' && v.length > 0);
    t.ok(personal.includes('Philippa Quennell-Ashdown') && personal.includes('Leopoldine Farquharson'), 'the sandbox orders carry buyer data');
    t.ok(personal.length > 60);
    t.ok(bodies.length > 50, `${bodies.length} responses checked`);
    const text = bodies.join('\n');
    t.same(personal.filter((p) => text.includes(p)), [], 'none appears');
  });
});
