// The WMS message contract: what it accepts and refuses, its Kafka records, and the published JSON
// Schema (docs/warehouse-message.schema.json), which must be exactly what scripts/gen-schema.ts makes.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { chunkRecords, feedRecord } from '../../../src/adapters/kafka/feedRecords.js';
import type { RecordedEvent } from '../../../src/domain/ports/eventStore.js';
import {
  FEED_HEADERS,
  FeedMappingError,
  FeedMessage,
  feedMessageJsonSchema,
  feedMessagesOf,
  type FeedSource,
} from '../../../src/domain/warehouse/feedMessage.js';
import { repoRoot, spawnTs } from '../../support/process.js';
import { testSource } from './fixtures/feed.js';

const event = (data: Record<string, unknown>, type = 'FulfillmentOrderReleased'): RecordedEvent => ({
  id: randomUUID(),
  streamId: `order-${String(data.orderId)}`,
  revision: 0,
  type,
  data,
  metadata: {},
  recordedAt: '2026-01-05T10:00:00.000Z',
  checkpoint: 'pg:1:1' as RecordedEvent['checkpoint'],
});

const sample = (): FeedMessage => testSource.toMessages(event({ tenantId: 't1', orderId: randomUUID(), storeId: 's1', seq: 0 }))[0]!;

t.test('the contract: a full message parses; rules are enforced', async (t) => {
  const m = sample();
  t.same(FeedMessage.parse(m), m, 'a mapped message is valid as is');
  const bad = (patch: (m: FeedMessage) => unknown, why: string) => t.notOk(FeedMessage.safeParse(patch(structuredClone(m))).success, why);
  bad((x) => ({ ...x, schemaVersion: 2 }), 'schemaVersion is 1');
  bad((x) => ({ ...x, type: 'OrderShipped' }), 'only the three types');
  bad((x) => ({ ...x, messageId: 'not-a-uuid' }), 'messageId is a UUID');
  bad((x) => ({ ...x, occurredAt: 'yesterday' }), 'timestamps are ISO 8601');
  bad((x) => ({ ...x, order: { ...x.order, lines: [] } }), 'at least one line');
  bad((x) => ({ ...x, order: { ...x.order, lines: [x.order.lines[0], x.order.lines[0]] } }), 'lineId unique within the order');
  bad((x) => ({ ...x, order: { ...x.order, lines: [{ ...x.order.lines[0]!, quantity: 5 }] } }), 'quantity = platformQuantity × factor');
  bad((x) => ({ ...x, order: { ...x.order, shipTo: { ...x.order.shipTo, countryCode: 'usa' } } }), 'country code is ISO alpha-2');
  bad((x) => ({ ...x, order: { ...x.order, shipTo: { ...x.order.shipTo, phone: undefined } } }), 'absent address fields are null, not missing');
  const shipTo = Object.fromEntries(Object.keys(m.order.shipTo).map((k) => [k, null]));
  t.ok(FeedMessage.safeParse({ ...m, order: { ...m.order, shipTo, shipBy: null, serviceLevel: null } }).success, 'every address field may be null');
});

t.test('mapped messages are checked, and extra fields never leave', async (t) => {
  const leaky: FeedSource = {
    ...testSource,
    toMessages: (e) => testSource.toMessages(e).map((m) => ({ ...m, buyerEmail: 'jane@example.com', order: { ...m.order, giftNote: 'x' } }) as FeedMessage),
  };
  const [m] = await feedMessagesOf(leaky, event({ tenantId: 't1', orderId: randomUUID(), storeId: 's1', seq: 0 }));
  t.notOk('buyerEmail' in m! || 'giftNote' in m!.order, 'unknown fields are stripped before sending');
  const e = event({ tenantId: 't1', orderId: randomUUID(), storeId: 's1', seq: 0, broken: true });
  await t.rejects(feedMessagesOf(testSource, e), FeedMappingError);
  await t.rejects(feedMessagesOf(testSource, e), { eventId: e.id, message: /order\.lines\.0\.quantity/ }, 'names the event and the path, not the data');
  const enriching: FeedSource = { ...testSource, toMessages: async (ev) => testSource.toMessages(ev) };
  const ok = event({ tenantId: 't1', orderId: randomUUID(), storeId: 's1', seq: 0 });
  t.same(await feedMessagesOf(enriching, ok), testSource.toMessages(ok), 'an async mapping (one that reads more data) works the same');
});

t.test('Kafka record: key = order id, contract headers, JSON value; chunks keep order', async (t) => {
  const m = sample();
  t.same(FEED_HEADERS(m), { 'message-id': m.messageId, 'message-type': m.type, 'schema-version': '1', 'tenant-id': m.tenantId });
  const r = feedRecord(m);
  t.equal(r.key, m.order.orderId);
  t.same(JSON.parse(String(r.value)), m);
  t.same(r.headers, FEED_HEADERS(m));
  const records = Array.from({ length: 10 }, () => feedRecord(sample()));
  const size = String(records[0]!.value).length;
  const chunks = chunkRecords(records, size * 3.5);
  t.same(chunks.flat(), records, 'same records, same order');
  t.ok(chunks.length >= 3 && chunks.every((c) => c.length >= 1 && c.length <= 3), 'bounded chunks');
  t.same(chunkRecords([records[0]!], 10), [[records[0]]], 'an oversized record goes alone');
});

t.test('docs/warehouse-message.schema.json is what the zod schema generates', async (t) => {
  const committed = JSON.parse(await readFile(`${repoRoot}docs/warehouse-message.schema.json`, 'utf8'));
  t.same(committed, feedMessageJsonSchema(), 'same schema');
  t.equal(committed.additionalProperties, undefined, 'consumers may receive fields added later');
  t.same(committed.required, ['messageId', 'type', 'schemaVersion', 'occurredAt', 'tenantId', 'order']);
  const proc = spawnTs('scripts/gen-schema.ts', { env: { ...(process.env as Record<string, string>) }, args: ['--check'] });
  t.equal(await proc.exited, 0, `byte for byte (gen-schema --check): ${proc.output().trim()}`);
});
