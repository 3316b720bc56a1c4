// GET /v1/orders writes its page with JSON.stringify instead of the zod response encoder (a
// per-item cost at 50–500 rows): the body must stay what the schema's encoding gives, byte for byte
// (keys in the schema's order, nothing more), including nulls, empty and non-ASCII values.
import t from 'tap';
import { OrderListView } from '../../src/http/orders.routes.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/** Rows straight into the read model, for a tenant and with $1 as its id: `select` gives every column listed here. */
const insertOrders = (svc: Awaited<ReturnType<typeof startTestService>>, tenantId: string, select: string) =>
  svc.db.query(
    `INSERT INTO rm_orders (order_id, tenant_id, store_id, platform, marketplace_id, platform_order_id, status, platform_status,
       fulfillment_channel, purchased_at, platform_updated_at, ship_by, service_level, lines, content_hash, versions,
       first_pulled_at, last_pulled_at, handoff_state, hold_skus, held_since, released_at, last_message_type, last_message_at) ${select}`,
    [tenantId],
  );

t.test('the list body is the schema encoding of the same page, byte for byte', async (t) => {
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '1000' });
  const { tenantId, apiKey } = await createTenant(svc, 'Body');
  // Rows straight into the read model: every nullable column both ways, awkward text in the strings.
  await insertOrders(
    svc,
    tenantId,
    `SELECT gen_random_uuid()::text, $1, '5f0c2a8e-6d3b-4c1a-9e7f-0a1b2c3d4e5f', 'amazon', 'ATVPDKIKX0DER',
       '113-' || lpad(i::text, 7, '0') || '-"q\\u"\t/é😀', 'unshipped', 'Unshipped', 'merchant',
       timestamptz '2025-05-01T10:00:00.123Z' - i * interval '1 hour', timestamptz '2025-05-02T00:00:00Z',
       CASE WHEN i % 2 = 0 THEN timestamptz '2025-05-03T00:00:00Z' END, CASE WHEN i % 2 = 1 THEN 'Std <b>&' || chr(1) || chr(127) || chr(8232) END,
       jsonb_build_array(jsonb_build_object('lineId', '1'), jsonb_build_object('lineId', '2')), 'h', 1,
       now(), now(), CASE WHEN i % 3 = 0 THEN 'held' ELSE 'released' END,
       CASE WHEN i % 3 = 0 THEN '["SKU \\"ä\\"", "B\\n2"]'::jsonb ELSE '[]'::jsonb END,
       CASE WHEN i % 3 = 0 THEN timestamptz '2025-05-01T11:00:00Z' END, CASE WHEN i % 3 <> 0 THEN timestamptz '2025-05-01T12:00:00Z' END,
       CASE WHEN i % 3 <> 0 THEN 'FulfillmentOrderReleased' END, CASE WHEN i % 3 <> 0 THEN timestamptz '2025-05-01T12:00:01Z' END
     FROM generate_series(1, 7) AS i`,
  );

  let path = '/v1/orders?limit=3';
  let rows = 0;
  for (let pageNo = 0; pageNo < 5 && path; pageNo++) {
    const res = await svc.call('GET', path, { token: apiKey });
    t.equal(res.status, 200);
    t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = await res.text();
    t.equal(body, JSON.stringify(OrderListView.encode(JSON.parse(body))), `page ${pageNo + 1}: the schema encoding's bytes`);
    const page = JSON.parse(body) as { items: unknown[]; nextCursor: string | null };
    rows += page.items.length;
    path = page.nextCursor ? `/v1/orders?limit=3&after=${page.nextCursor}` : '';
  }
  t.equal(rows, 7, 'every row once over the pages');
  const first = await json(await svc.call('GET', '/v1/orders?limit=1&handoff=held', { token: apiKey }));
  t.same(first.items[0].handoff.holdSkus, ['SKU "ä"', 'B\n2'], 'the JSON of a held order reads back as stored');
  t.equal(first.items[0].lineCount, 2);
});

t.test('a page read packed and a page read column by column give the same items', async (t) => {
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '1000' });
  const { tenantId, apiKey } = await createTenant(svc, 'Packed');
  // Purchase times a microsecond apart (the cursor must keep them apart), and in the second store a
  // platform status holding U+001F — the separator of the packed read — so that store's pages fall
  // back to the column-by-column read.
  await insertOrders(
    svc,
    tenantId,
    `SELECT gen_random_uuid()::text, $1, CASE WHEN i <= 4 THEN '5f0c2a8e-6d3b-4c1a-9e7f-0a1b2c3d4e5f' ELSE '6f0c2a8e-6d3b-4c1a-9e7f-0a1b2c3d4e5f' END,
       'walmart', 'WALMART_US', 'PO-' || i, 'unshipped', CASE WHEN i = 6 THEN 'Created' || chr(31) || 'x' ELSE 'Created' END, 'merchant',
       timestamptz '2025-05-01T10:00:00.123456Z' + i * interval '1 microsecond', timestamptz '2025-05-02T00:00:00.999999Z',
       CASE WHEN i % 2 = 0 THEN timestamptz '2025-05-03T00:00:00Z' END, CASE WHEN i % 3 = 0 THEN '' END,
       '[]'::jsonb, 'h', 1, now(), now(), 'none', '[]'::jsonb, NULL, NULL, NULL, NULL
     FROM generate_series(1, 8) AS i`,
  );
  const list = async (query: string) => {
    const items: Record<string, unknown>[] = [];
    let path = `/v1/orders?${query}&limit=3`;
    while (path) {
      const page = await json(await svc.call('GET', path, { token: apiKey }));
      items.push(...page.items);
      path = page.nextCursor ? `/v1/orders?${query}&limit=3&after=${page.nextCursor}` : '';
    }
    return items;
  };
  for (const [storeId, numbers] of [['5f0c2a8e-6d3b-4c1a-9e7f-0a1b2c3d4e5f', [4, 3, 2, 1]], ['6f0c2a8e-6d3b-4c1a-9e7f-0a1b2c3d4e5f', [8, 7, 6, 5]]] as const) {
    const items = await list(`storeId=${storeId}`);
    t.same(items.map((i) => i.platformOrderId), numbers.map((n) => `PO-${n}`), `store ${storeId.slice(0, 2)}: every order once, newest first, across microsecond-apart keys`);
    for (const [k, item] of items.entries()) {
      const n = numbers[k]!;
      t.same(
        { purchasedAt: item.purchasedAt, updatedAt: item.updatedAt, shipBy: item.shipBy, serviceLevel: item.serviceLevel, platformStatus: item.platformStatus },
        {
          purchasedAt: '2025-05-01T10:00:00.123Z',
          updatedAt: '2025-05-02T00:00:00.999Z',
          shipBy: n % 2 === 0 ? '2025-05-03T00:00:00.000Z' : null,
          serviceLevel: n % 3 === 0 ? '' : null,
          platformStatus: n === 6 ? 'Created\u001fx' : 'Created',
        },
        `PO-${n}: the stored values`,
      );
    }
  }
});
