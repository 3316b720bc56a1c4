// The warehouse feed's mapping of a whole batch at once, on a real PostgreSQL: one read of the
// order streams and one vault lookup for the batch, and messages identical to mapping each event
// on its own (never showing a version pulled after the event).
import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { readStreamsSql, sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { sqlVault } from '../../src/adapters/vault/sqlVault.js';
import { warehouseFeedSource } from '../../src/application/warehouseFeed.js';
import type { RecordedEvent } from '../../src/domain/ports/eventStore.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { serverDatabase } from '../support/postgres.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const at = '2026-03-01T10:00:00.000Z';
const shipTo = (name: string) => ({ name, addressLines: ['1 Main St', 'Unit 2'], city: 'Seattle', stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US', phone: null });
const line = (quantity: number) => ({ lineId: 'L1:0', sku: 'WIDGET', quantity: quantity * 6, source: { platformSku: 'AMZ-6PK', platformLineId: 'L1', platformQuantity: quantity, factor: 6, mappingVersion: 1 } });
const base = (orderId: string) => ({ orderId, tenantId: 'tenant', storeId: 'store' });
/** An OrderPulled of one Amazon order (`version` is its content hash), its buyer data sealed as `personalData`. */
const pulledEvent = (orderId: string, platformOrderId: string, version: string, personalData: string) => ({
  id: randomUUID(),
  type: 'OrderPulled',
  metadata: { schemaVersion: 1 },
  data: {
    ...base(orderId), pullId: 'pull', contentHash: version, pulledAt: at,
    order: {
      platform: 'amazon', marketplaceId: 'ATVPDKIKX0DER', platformOrderId, createdAt: at, updatedAt: at, status: 'unshipped', platformStatus: 'Unshipped',
      fulfillmentChannel: 'merchant', shipBy: at, deliverBy: null, serviceLevel: 'Standard', shipToCountry: 'US', shipToRegion: 'WA', personalData,
      lines: [{ lineId: 'L1', platformSku: 'AMZ-6PK', quantityOrdered: 2, quantityShipped: 0, quantityCancelled: 0, lineStatus: null, unitPrice: null, title: null }], orderTotal: null,
    },
  },
});
const orderEvent = (orderId: string, type: string, data: Record<string, unknown>) => ({ id: randomUUID(), type, metadata: { schemaVersion: 1 }, data: { ...base(orderId), ...data } });
/** The real database, with every statement's text handed to `seen` first; nothing is answered in its place. */
const watched = (db: Database, seen: (sql: string) => void): Database => ({ ...db, query: <Row,>(sql: string, params?: Parameters<Database['query']>[1]) => (seen(sql), db.query<Row>(sql, params)) });

t.test('a batch of releases, updates and cancellations is mapped with one stream read and one key lookup', async (t) => {
  const db = await serverDatabase(t);
  let statements = 0;
  const counted = watched(db, () => statements++);
  const store = sqlEventStore(counted);
  const masterKey = randomBytes(32);
  const writer = sqlVault({ db, masterKey });

  const orders = Array.from({ length: 12 }, (_, i) => ({ orderId: randomUUID(), buyer: `Buyer ${i}` }));
  const sealed = await writer.sealMany(orders.map((o) => ({ ownerId: orderStreamId(o.orderId), plaintext: JSON.stringify({ shipTo: shipTo(o.buyer), buyer: null }) })));
  const pulled = (orderId: string, i: number, version: string, personalData: string) => pulledEvent(orderId, `113-${i}-${version}`, version, personalData);
  // Each order: pulled v1, released, updated, cancelled — then pulled again (v2), after all of them.
  await store.appendMany(
    orders.map((o, i) => ({
      streamId: orderStreamId(o.orderId),
      expected: 'no_stream' as const,
      events: [
        pulled(o.orderId, i, 'v1', sealed[i]!),
        orderEvent(o.orderId, 'FulfillmentOrderReleased', { lines: [line(2)], mappingVersions: { 'AMZ-6PK': 1 }, orderVersion: 0, releasedAt: at }),
        orderEvent(o.orderId, 'FulfillmentOrderUpdated', { lines: [line(1)], mappingVersions: { 'AMZ-6PK': 1 }, orderVersion: 0, updatedAt: at }),
        orderEvent(o.orderId, 'FulfillmentOrderCancelled', { reason: 'buyer', orderVersion: 0, cancelledAt: at }),
        pulled(o.orderId, i, 'v2', sealed[i]!),
      ],
    })),
  );
  const feedEvents: RecordedEvent[] = [];
  for (const o of orders) feedEvents.push(...(await store.readStream(orderStreamId(o.orderId))).filter((e) => e.revision >= 1 && e.revision <= 3));

  // Mapped one at a time by a fresh source (cold vault cache): the reference.
  const one = warehouseFeedSource({ store, vault: sqlVault({ db, masterKey }) });
  const alone = [];
  for (const e of feedEvents) alone.push(await one.toMessages(e));

  // Mapped together, as the publisher maps a batch, by another fresh source.
  const together = warehouseFeedSource({ store, vault: sqlVault({ db: counted, masterKey }) });
  statements = 0;
  const batch = await Promise.all(feedEvents.map((e) => together.toMessages(e)));
  t.equal(statements, 2, '36 events: one read of their 12 streams and one key lookup');
  t.same(batch, alone, 'the same messages as mapping each event on its own');

  const messages = batch.flat();
  t.equal(messages.length, 36);
  t.ok(messages.every((m) => m.order.platformOrderId.endsWith('-v1')), 'built from the version pulled before each event, never the later v2');
  const first = messages.filter((m) => m.order.orderId === orders[0]!.orderId);
  t.same(first.map((m) => m.type), ['FulfillmentOrderReleased', 'FulfillmentOrderUpdated', 'FulfillmentOrderCancelled']);
  t.same(first.map((m) => m.order.lines[0]!.quantity), [12, 6, 6], 'a cancellation repeats the lines last sent');
  t.equal(first[0]!.order.shipTo.name, 'Buyer 0', 'the ship-to is opened from the vault');
});

t.test('streams the store holds in memory from their first event are not read again; an erasure recorded since is still seen', async (t) => {
  const db = await serverDatabase(t);
  const queries: string[] = [];
  const counted = watched(db, (sql) => queries.push(sql));
  const windowed = sqlEventStore(counted, { tailWindow: {} });
  const plain = sqlEventStore(db);
  const masterKey = randomBytes(32);
  const vault = sqlVault({ db, masterKey });

  const orders = Array.from({ length: 4 }, (_, i) => ({ orderId: randomUUID(), buyer: `Buyer ${i}` }));
  const sealed = await vault.sealMany(orders.map((o) => ({ ownerId: orderStreamId(o.orderId), plaintext: JSON.stringify({ shipTo: shipTo(o.buyer), buyer: null }) })));
  const pulled = (orderId: string, i: number, version: string) => pulledEvent(orderId, `W-${i}-${version}`, version, sealed[i]!);
  const released = (orderId: string) => orderEvent(orderId, 'FulfillmentOrderReleased', { lines: [line(2)], mappingVersions: { 'AMZ-6PK': 1 }, orderVersion: 0, releasedAt: at });

  // Orders 0–2 pulled and released; order 3 pulled once (v1) so far.
  await windowed.appendMany(orders.slice(0, 3).map((o, i) => ({ streamId: orderStreamId(o.orderId), expected: 'no_stream' as const, events: [pulled(o.orderId, i, 'v1'), released(o.orderId)] })));
  await windowed.append(orderStreamId(orders[3]!.orderId), [pulled(orders[3]!.orderId, 3, 'v1')], 'no_stream');
  // The store reads every event into its window (an unfiltered read that reaches the tail places it there).
  t.equal((await windowed.readAll(null, { maxCount: 1000 })).events.length, 7);
  t.same([...windowed.heldStreams!(orders.map((o) => orderStreamId(o.orderId))).values()].map((s) => s.length), [2, 2, 2, 1], 'every stream held from its first event');

  // After that read: order 1's buyer data is erased (its key kept, as another instance's vault cache
  // may keep it), and order 3 is pulled again (v2) and released — events the window has not read.
  await windowed.append(orderStreamId(orders[1]!.orderId), [orderEvent(orders[1]!.orderId, 'BuyerDataErased', { trigger: 'shipped', terminalAt: at, retentionDays: 0, erasedAt: at })], 1);
  await windowed.append(orderStreamId(orders[3]!.orderId), [pulled(orders[3]!.orderId, 3, 'v2'), released(orders[3]!.orderId)], 0);
  const releases = (await plain.readAll(null, { maxCount: 1000, filter: { eventTypes: ['FulfillmentOrderReleased'] } })).events;
  t.same(releases.map((e) => e.revision), [1, 1, 1, 2]);

  const reference = await Promise.all(releases.map((e) => warehouseFeedSource({ store: plain, vault }).toMessages(e)));
  queries.length = 0;
  const source = warehouseFeedSource({ store: windowed, vault });
  const messages = await Promise.all(releases.map((e) => source.toMessages(e)));
  t.same(messages, reference, 'the same messages as from streams read whole');

  const streamsReads = queries.filter((q) => q === readStreamsSql(false) || q === readStreamsSql(true));
  const wholeReads = streamsReads.filter((q) => q === readStreamsSql(false));
  const typedReads = streamsReads.filter((q) => q === readStreamsSql(true));
  const singleReads = queries.filter((q) => q.includes('WHERE stream_id = $1'));
  t.equal(wholeReads.length, 0, 'no stream read whole in a batch');
  t.equal(typedReads.length, 1, 'one read of the held streams, for erasures only');
  t.equal(singleReads.length, 1, 'order 3: the window held it only up to v1, short of its release, so its stream is read');

  const [m0, m1, m2, m3] = messages.map((m) => m[0]!);
  t.equal(m0!.order.shipTo.name, 'Buyer 0', 'the ship-to of a held stream is opened from the vault');
  t.equal(m2!.order.shipTo.name, 'Buyer 2');
  t.equal(m1!.order.shipTo.name, null, 'erased after the window read it: no address, though the key still opens');
  t.equal(m3!.order.platformOrderId, 'W-3-v2', 'built from the version pulled just before the release, read from the database');
});
