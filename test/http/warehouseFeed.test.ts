// GET /v1/warehouse/feed through the real HTTP app (authentication, problem+json): the same messages
// as Kafka in the same order, cursors, tenant isolation; and readFeed's paging rules.
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import t, { type Test } from 'tap';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { decodeCursor, encodeCursor, feedCursorKey, httpFeedReader, InvalidCursorError, readFeed, sealedFeedCursors } from '../../src/adapters/feed/httpFeed.js';
import { kafkaFeedPublisher } from '../../src/adapters/kafka/feedPublisher.js';
import { createMetrics } from '../../src/adapters/metrics/metrics.js';
import type { Principal } from '../../src/application/tenants.js';
import type { Checkpoint, EventStore } from '../../src/domain/ports/eventStore.js';
import type { FeedMessage, FeedSource } from '../../src/domain/warehouse/feedMessage.js';
import { buildHttpApp, routeGroup } from '../../src/http/app.js';
import { warehouseFeedRoutes } from '../../src/http/warehouseFeed.routes.js';
import { findKafkaBrokers, kafkaUnavailableReason, uniqueTopic } from '../support/kafka.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';
import {
  appendRounds,
  expectedMessages,
  makeOrders,
  silent,
  startConsumer,
  testSource,
  waitFor,
} from '../adapters/kafka/fixtures/feed.js';

const unavailable = await kafkaUnavailableReason();
const TENANT_A = randomUUID();
const TENANT_B = randomUUID();
const KEYS: Record<string, Principal> = {
  'key-a': { kind: 'tenant', tenantId: TENANT_A, keyId: 'ka', actor: 'key:ka' },
  'key-b': { kind: 'tenant', tenantId: TENANT_B, keyId: 'kb', actor: 'key:kb' },
  admin: { kind: 'admin', actor: 'admin' },
};

const MASTER_KEY = randomBytes(32);

const feedApp = async (t: Test, store: EventStore, source: FeedSource = testSource, cursorKeys = [feedCursorKey(MASTER_KEY)]) => {
  const app = await buildHttpApp({
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    checks: [],
    auth: { authenticate: async (token) => KEYS[token] ?? null, rateLimitPerMinute: 100_000 },
    routes: [routeGroup(warehouseFeedRoutes, { feed: httpFeedReader({ store, source, cursorKeys }) }, '/v1')],
  });
  t.teardown(() => app.close());
  const get = async (token: string | null, query = '') => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/warehouse/feed${query}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.statusCode, body: res.json() };
  };
  /** Every page from `after` until caught up, as a WMS would poll. */
  const drain = async (token: string, limit: number, after: string | null = null) => {
    const messages: FeedMessage[] = [];
    const pages: number[] = [];
    let cursor = after;
    for (let i = 0; i < 1000; i++) {
      const { status, body } = await get(token, `?limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
      if (status !== 200) throw new Error(`feed answered ${status}: ${JSON.stringify(body)}`);
      messages.push(...body.messages);
      pages.push(body.messages.length);
      cursor = body.nextCursor;
      if (body.caughtUp) return { messages, pages, cursor };
    }
    throw new Error('feed never caught up');
  };
  return { get, drain };
};

t.test('the same messages as Kafka, in the same order, one tenant each', { timeout: 120_000, skip: unavailable ?? false }, async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const orders = makeOrders(8, [TENANT_A, TENANT_B]);
  await appendRounds(store, orders, 5);
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('feed-http');
  const publisher = kafkaFeedPublisher({ db, store, source: testSource, kafka: { brokers, topic, partitions: 3, replicationFactor: 1 }, log: silent, leaseMs: 2000 });
  t.teardown(() => publisher.stop());
  await publisher.start();
  await waitFor('the publisher', async () => (await publisher.status()).published === 40);
  const received = await startConsumer(t, brokers, topic);
  const { drain } = await feedApp(t, store);
  await waitFor('Kafka', () => received.length >= 40);

  const a = await drain('key-a', 7);
  const b = await drain('key-b', 100);
  t.equal(a.messages.length, 20, "tenant A's 20 messages");
  t.ok(a.messages.every((m) => m.tenantId === TENANT_A) && b.messages.every((m) => m.tenantId === TENANT_B), 'each key sees only its tenant');
  t.same(a.pages, [7, 7, 6], 'pages of at most `limit`');

  const all = await expectedMessages(store);
  t.same(a.messages, all.filter((m) => m.tenantId === TENANT_A), 'global event order');
  const kafkaValue = new Map(received.map((r) => [r.headers['message-id'], r.value]));
  t.ok([...a.messages, ...b.messages].every((m) => kafkaValue.get(m.messageId) === JSON.stringify(m)), 'byte-identical to the Kafka records');
  const kafkaOrder = (orderId: string) =>
    received
      .filter((r) => r.key === orderId)
      .sort((x, y) => x.offset - y.offset)
      .map((r) => r.headers['message-id']);
  t.ok(
    orders.every((o) => JSON.stringify(kafkaOrder(o.orderId)) === JSON.stringify([...a.messages, ...b.messages].filter((m) => m.order.orderId === o.orderId).map((m) => m.messageId))),
    'per order, the same sequence as on the topic',
  );
});

for (const [label, makeDb] of [
  ['PostgreSQL server', (t: Test) => serverDatabase(t)],
  ['PGlite', (t: Test) => embeddedDatabase(t)],
] as const) {
  t.test(`${label}: polling with cursors; errors`, async (t) => {
    const db = await makeDb(t);
    const store = sqlEventStore(db, { pollIntervalMs: 100 });
    const { get, drain } = await feedApp(t, store);

    const empty = await get('key-a');
    t.match(empty, { status: 200, body: { messages: [], caughtUp: true } }, 'an empty feed');
    const orders = makeOrders(4, [TENANT_A, TENANT_B]);
    await appendRounds(store, orders, 2, { total: 4 });
    const first = await drain('key-a', 3);
    t.equal(first.messages.length, 4);
    const again = await get('key-a', `?after=${first.cursor}`);
    // The cursor may still move on (past transactions of other schemas on the server): no messages.
    t.match(again.body, { messages: [], nextCursor: String, caughtUp: true }, 'caught up: nothing new');
    await appendRounds(store, orders, 2, { from: 2, total: 4 });
    const next = await drain('key-a', 50, first.cursor);
    t.same(
      next.messages.map((m) => m.type),
      ['FulfillmentOrderUpdated', 'FulfillmentOrderUpdated', 'FulfillmentOrderCancelled', 'FulfillmentOrderCancelled'],
      'only what came after the cursor',
    );

    t.match(await get('key-a', '?after=%%%'), { status: 400, body: { issues: [{ path: 'querystring.after' }] } }, 'garbage: not what the schema documents');
    // Schema-valid, but not sealed by this service for this tenant: a cursor of the old plain format,
    // tenant B's own cursor, one altered by a character, one sealed with another key.
    const plain = encodeCursor(`pg:${'9'.repeat(20)}:${'0'.repeat(20)}` as Checkpoint);
    t.match(await get('key-a', `?after=${plain}`), { status: 400, body: { code: 'invalid_cursor' } }, 'a plain (unsealed) position');
    const bCursor = (await drain('key-b', 50)).cursor!;
    t.equal((await get('key-b', `?after=${bCursor}`)).status, 200, "B's cursor works for B");
    t.match(await get('key-a', `?after=${bCursor}`), { status: 400, body: { code: 'invalid_cursor' } }, "B's cursor is refused for A");
    const flipped = `${first.cursor!.slice(0, 20)}${first.cursor![20] === 'A' ? 'B' : 'A'}${first.cursor!.slice(21)}`;
    t.match(await get('key-a', `?after=${flipped}`), { status: 400, body: { code: 'invalid_cursor' } }, 'an altered cursor');
    const foreign = sealedFeedCursors([feedCursorKey(randomBytes(32))]).seal('pg:1:1' as Checkpoint, TENANT_A);
    t.match(await get('key-a', `?after=${foreign}`), { status: 400, body: { code: 'invalid_cursor' } }, 'sealed with another key');
    t.notMatch(Buffer.from(first.cursor!, 'base64url').toString('latin1'), /pg:/, 'the position does not show in the cursor');
    t.equal((await get('key-a', '?limit=0')).status, 400);
    t.equal((await get('key-a', '?limit=1001')).status, 400);
    t.equal((await get('key-a', '?other=1')).status, 400);
    t.match(await get('admin'), { status: 403, body: { code: 'tenant_key_required' } }, 'a tenant key is required');
    t.equal((await get(null)).status, 401);
  });
}

t.test('readFeed: an event is never split across pages; the scan is bounded', async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db);
  // Two messages per event (ids derived from the event id: deterministic).
  const twice: FeedSource = {
    ...testSource,
    toMessages: (e) => testSource.toMessages(e).flatMap((m) => [m, { ...m, messageId: `${e.id.slice(0, 24)}${'0'.repeat(12)}` }]),
  };
  const orders = makeOrders(3, [TENANT_A]);
  await appendRounds(store, orders, 1, { total: 2 });
  const p1 = await readFeed(store, twice, null, 3);
  t.equal(p1.messages.length, 2, 'stops before the event that would overflow the limit');
  t.equal(p1.caughtUp, false);
  const p2 = await readFeed(store, twice, null, 1);
  t.equal(p2.messages.length, 2, 'a single event larger than the limit comes whole');
  const rest = await readFeed(store, twice, p1.nextCursor, 100);
  t.equal(rest.messages.length, 4);
  t.equal(rest.caughtUp, true);

  const others = makeOrders(30, [TENANT_B]);
  await appendRounds(store, others, 1, { total: 2 });
  await appendRounds(store, [orders[0]!], 1, { from: 1, total: 2 });
  const scan = await readFeed(store, testSource, rest.nextCursor, 10, { tenantId: TENANT_A, maxScanEvents: 20 });
  t.match(scan, { messages: [], caughtUp: false }, 'a busy feed of other tenants: an empty page that is not the end');
  t.not(scan.nextCursor, rest.nextCursor, 'but the cursor moved on');
  const tail = await readFeed(store, testSource, scan.nextCursor, 10, { tenantId: TENANT_A, maxScanEvents: 20 });
  t.match(tail, { caughtUp: true }, 'the next page reaches the end');
  t.equal(tail.messages.length, 1, "and finds tenant A's message");

  t.throws(() => decodeCursor('cGc6MTox='), InvalidCursorError, 'padding is not canonical base64url');
  t.equal(decodeCursor(encodeCursor('pg:1:1' as Checkpoint)), 'pg:1:1');
});

t.test('sealed cursors: opaque, bound to the tenant, readable across a master-key rotation', async (t) => {
  const oldKey = feedCursorKey(randomBytes(32));
  const newKey = feedCursorKey(randomBytes(32));
  const before = sealedFeedCursors([oldKey]);
  const during = sealedFeedCursors([newKey, oldKey]);
  const after = sealedFeedCursors([newKey]);
  const checkpoint = 'pg:123:4' as Checkpoint;
  const issued = before.seal(checkpoint, TENANT_A);
  t.not(before.seal(checkpoint, TENANT_A), issued, 'a fresh nonce each time: equal positions do not look equal');
  t.equal(during.open(issued, TENANT_A), checkpoint, 'a cursor from before the rotation still opens');
  t.equal(during.open(during.seal(checkpoint, TENANT_A), TENANT_A), checkpoint);
  t.throws(() => after.open(issued, TENANT_A), InvalidCursorError, 'once the former key is gone it does not');
  t.throws(() => during.open(issued, TENANT_B), InvalidCursorError, 'another tenant cannot use it');
  t.throws(() => during.open(issued, null), InvalidCursorError, 'nor can an unscoped reader');
  t.equal(during.open(during.seal(checkpoint, null), null), checkpoint, 'an unscoped reader has its own cursors');
  t.throws(() => during.open('A'.repeat(38), TENANT_A), InvalidCursorError, 'too short to be sealed');
  t.throws(() => during.open(`${issued}=`, TENANT_A), InvalidCursorError, 'not canonical base64url');
  t.throws(() => during.open(`${issued.slice(0, -2)}A`, TENANT_A), InvalidCursorError, 'not canonical: a dangling character');
  t.throws(() => sealedFeedCursors([]), /32 bytes/, 'a key is required');
  t.throws(() => sealedFeedCursors([Buffer.alloc(16)]), /32 bytes/, 'of 32 bytes');
  const text = sealedFeedCursors([newKey]);
  const odd = text.seal('pg:\u0001' as Checkpoint, TENANT_A);
  t.throws(() => text.open(odd, TENANT_A), InvalidCursorError, 'a sealed text that is no checkpoint is refused too');
});
