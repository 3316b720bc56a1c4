import { randomUUID } from 'node:crypto';
import t from 'tap';
import { appendBatch } from '../../../src/adapters/eventStore/sqlAppend.js';
import { EVENTS_CHANNEL, sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { comparePositions, positionOf } from '../../../src/adapters/eventStore/sqlReadOrder.js';
import { sqlFetchAfter } from '../../../src/adapters/eventStore/sqlRows.js';
import { tailReader, type Fetch, type TailWindowOptions } from '../../../src/adapters/eventStore/tailReader.js';
import type { Checkpoint, EventBatch, EventFilter, EventStore, NewEvent, RecordedEvent } from '../../../src/domain/ports/eventStore.js';
import type { Database } from '../../../src/domain/ports/sql.js';
import { serverDatabase } from '../../support/postgres.js';

/**
 * The tail window (src/adapters/eventStore/tailWindow.ts, tailReader.ts) on a real PostgreSQL
 * server: what it serves equals a plain read, a transaction committing late is not skipped, the
 * bounds evict, and concurrent readers each get their events once, in order.
 */

const ev = (type: string, data: Record<string, unknown> = {}): NewEvent => ({ id: randomUUID(), type, data, metadata: { actor: 'test' } });

/** Deterministic pseudo-random numbers (a failing seed can be replayed). */
const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

/** The real SQL read, counted: what the window saved is what was not fetched. */
const countedFetch = (db: Database) => {
  const fetch = sqlFetchAfter(db, { sized: true });
  const stats = { reads: 0, rows: 0 };
  const counted: Fetch = async (after, limit, filter) => {
    const got = await fetch(after, limit, filter);
    stats.reads++;
    stats.rows += got.rows.length;
    return got;
  };
  return { fetch: counted, stats };
};

const windowed = (db: Database, options: TailWindowOptions) => {
  const { fetch, stats } = countedFetch(db);
  return { ...tailReader(fetch, options), stats };
};

/** Every event after `after` (filtered), read plainly page by page. */
const drain = async (store: Pick<EventStore, 'readAll'>, after: Checkpoint | null, filter?: EventFilter): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for (let at = after; ; ) {
    const page: EventBatch = await store.readAll(at, { maxCount: 1000, ...(filter ? { filter } : {}) });
    out.push(...page.events);
    if (page.events.length < 1000) return out;
    at = page.checkpoint;
  }
};

const ids = (events: readonly RecordedEvent[]) => events.map((e) => e.id);

const FILTERS: readonly (EventFilter | undefined)[] = [
  undefined,
  {},
  { streamPrefixes: ['order-'] },
  { eventTypes: ['OrderReleased'] },
  { streamPrefixes: ['store-', 'mapping-'], eventTypes: ['MappingSet', 'OrderPulled'] },
  { streamPrefixes: ['order-'], eventTypes: ['OrderPulled'] },
  { streamPrefixes: ['nobody-'] },
  { streamPrefixes: ['order_'] }, // LIKE's `_` is escaped: matches nothing here, in SQL and in memory
];
const PREFIXES = ['order-', 'store-', 'mapping-', 'order_x'];
const TYPES = ['OrderPulled', 'OrderReleased', 'MappingSet'];

t.test('events served from the window equal a plain read, for random checkpoints, filters and page sizes', async (t) => {
  const db = await serverDatabase(t);
  const plain = sqlEventStore(db);
  const reader = windowed(db, { readSize: 16, maxEvents: 64 });
  const rand = random(17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const known: Checkpoint[] = [];
  let servedFromMemory = 0;
  let stream = 0;
  for (let step = 0; step < 300; step++) {
    if (rand() < 0.3) {
      const requests = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => ({
        streamId: `${pick(PREFIXES)}${stream++}`,
        events: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ev(pick(TYPES), { pad: 'x'.repeat(Math.floor(rand() * 300)) })),
        expected: 'no_stream' as const,
      }));
      await plain.appendMany(requests);
      continue;
    }
    // Everything committed so far is readable to both reads (other tests' transactions hold the horizon too).
    await plain.awaitVisible();
    const recent = known.slice(-80);
    const after = rand() < 0.1 || recent.length === 0 ? null : pick(recent);
    const filter = pick(FILTERS);
    const maxCount = 1 + Math.floor(rand() * 40);
    const options = { maxCount, ...(filter ? { filter } : {}) };
    const fetchesBefore = reader.stats.reads;
    const got = await reader.readAll(after, options);
    if (reader.stats.reads === fetchesBefore) servedFromMemory++;
    const want = await plain.readAll(after, options);
    const what = `step ${step}: after ${after}, ${JSON.stringify(filter)}, max ${maxCount}`;
    t.same(ids(got.events), ids(want.events), `${what}: the same events`);
    if (got.events.length === maxCount || filter === undefined) t.equal(got.checkpoint, want.checkpoint, `${what}: the same checkpoint`);
    else t.same(ids(await drain(plain, got.checkpoint, filter)), ids(await drain(plain, want.checkpoint, filter)), `${what}: nothing skipped after it`);
    for (const e of got.events) known.push(e.checkpoint);
    if (got.checkpoint) known.push(got.checkpoint);
  }
  t.ok(servedFromMemory > 5, `pages answered from memory alone (${servedFromMemory})`);
  t.ok(reader.window.events() <= 64, 'the window stayed within its bound');
});

t.test('a transaction committing late, with a lower position or a higher one, is not skipped', async (t) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  const store = sqlEventStore(db, { tailWindow: { readSize: 10 } });
  await store.append('late-warm', [ev('Warm')], 'no_stream');
  await store.awaitVisible();
  // Place the window (an unfiltered read to the horizon), then two readers inside it.
  const placed = await store.readAll(null, { maxCount: 100 });
  let unfiltered = placed.checkpoint;
  let filtered = (await store.readAll(unfiltered, { filter: { streamPrefixes: ['late-'] } })).checkpoint;
  for (const variant of ['lower position', 'higher position'] as const) {
    let xidTaken!: () => void;
    const xid = new Promise<void>((r) => (xidTaken = r));
    let appended!: () => void;
    const inserted = new Promise<void>((r) => (appended = r));
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    let secondDone!: () => void;
    const second = new Promise<void>((r) => (secondDone = r));
    const stream = `late-${variant === 'lower position' ? 'a' : 'b'}`;
    // T1 takes the older transaction id; it inserts before T2 (lower position) or after it (higher).
    const t1 = db.transaction(async (tx) => {
      await tx.query('SELECT pg_current_xact_id()');
      xidTaken();
      if (variant === 'higher position') await second;
      await appendBatch(tx, [{ streamId: `${stream}1`, events: [ev('First')], expected: 'no_stream' }], EVENTS_CHANNEL);
      appended();
      await gate;
    });
    await xid;
    if (variant === 'lower position') await inserted;
    await store.append(`${stream}2`, [ev('Second')], 'no_stream'); // T2: newer id, commits first
    secondDone();
    await inserted;
    const during = await store.readAll(unfiltered, { maxCount: 100 });
    const duringFiltered = await store.readAll(filtered, { filter: { streamPrefixes: [stream] } });
    t.same([...during.events, ...duringFiltered.events].filter((e) => e.streamId.startsWith(stream)), [], `${variant}: nothing of either while T1 is open`);
    commit();
    await t1;
    await store.awaitVisible();
    const a = await drain(store, during.checkpoint);
    const b = await drain(store, duringFiltered.checkpoint, { streamPrefixes: [stream] });
    t.same(a.filter((e) => e.streamId.startsWith(stream)).map((e) => e.type), ['First', 'Second'], `${variant}: the unfiltered reader gets both, T1's first`);
    t.same(b.map((e) => e.type), ['First', 'Second'], `${variant}: the filtered reader gets both, from the window`);
    const [first, second2] = [b[0]!, b[1]!].map((e) => BigInt(e.checkpoint.split(':')[2]!));
    t.equal(first! < second2!, variant === 'lower position', `${variant}: T1's global position is ${variant === 'lower position' ? 'lower' : 'higher'}`);
    unfiltered = a.at(-1)?.checkpoint ?? during.checkpoint;
    filtered = (await store.readAll(duringFiltered.checkpoint, { filter: { streamPrefixes: ['late-'] } })).checkpoint;
  }
});

t.test('the bounds evict the oldest events; a reader behind them reads PostgreSQL and misses nothing', async (t) => {
  const db = await serverDatabase(t);
  const plain = sqlEventStore(db);
  await plain.append('bound-0', [ev('Warm')], 'no_stream');
  await plain.awaitVisible();
  const byCount = windowed(db, { readSize: 10, maxEvents: 30 });
  const start = (await byCount.readAll(null, { maxCount: 100 })).checkpoint;
  for (let i = 1; i <= 10; i++) await plain.append(`bound-${i}`, Array.from({ length: 10 }, () => ev('Filled', { pad: 'x'.repeat(500) })), 'no_stream');
  await plain.awaitVisible();
  const seen: RecordedEvent[] = [];
  for (let at = start; ; ) {
    const page = await byCount.readAll(at, { maxCount: 7 });
    seen.push(...page.events);
    t.ok(byCount.window.events() <= 30, `at most 30 events held (${byCount.window.events()})`);
    if (page.events.length < 7) break;
    at = page.checkpoint;
  }
  t.equal(seen.length, 100, 'the reader got every event');
  const fetched = byCount.stats.reads;
  const behind = await byCount.readAll(seen[4]!.checkpoint, { maxCount: 10 });
  t.equal(byCount.stats.reads, fetched + 1, 'a reader behind the window is answered by PostgreSQL');
  t.same(ids(behind.events), ids(seen.slice(5, 15)), 'with the events a plain read gives');

  const oneEventBytes = byCount.window.bytes() / byCount.window.events();
  const byBytes = windowed(db, { readSize: 10, maxBytes: Math.floor(oneEventBytes * 3.5) });
  const placed = await byBytes.readAll(start, { maxCount: 1000 });
  t.equal(placed.events.length, 100, 'all read');
  t.equal(byBytes.window.events(), 3, 'but only the newest three kept under the byte bound');
  t.ok(byBytes.window.bytes() <= oneEventBytes * 3.5);
});

t.test('held streams: those the window holds from their first event, until that event is evicted', async (t) => {
  const db = await serverDatabase(t);
  const plain = sqlEventStore(db);
  await plain.append('held-old', [ev('First'), ev('Second')], 'no_stream');
  await plain.awaitVisible();
  const [oldFirst] = await plain.readStream('held-old');
  const w = windowed(db, { readSize: 10, maxEvents: 30 });
  // Placed after the old stream's first event: it holds the second one, not the stream from its start.
  const placed = await w.readAll(oldFirst!.checkpoint, { maxCount: 100 });
  t.same(placed.events.map((e) => e.type), ['Second']);
  await plain.append('held-new', [ev('A'), ev('B')], 'no_stream');
  await plain.append('held-new', [ev('C')], 1);
  await plain.awaitVisible();
  const read = await w.readAll(placed.checkpoint, { maxCount: 100 });
  t.equal(read.events.length, 3, 'the window read the new stream');
  const held = w.window.heldStreams(['held-old', 'held-new', 'held-missing']);
  t.same([...held.keys()], ['held-new'], 'only the stream whose first event is held');
  t.same(held.get('held-new')!.map((e) => [e.type, e.revision]), [['A', 0], ['B', 1], ['C', 2]], 'all of it, in revision order');
  t.ok(Object.isFrozen(held.get('held-new')![0]), 'the same frozen events every reader of the window gets');

  // 30 newer events push the new stream's first event out: it is no longer held from its start.
  for (let i = 0; i < 3; i++) await plain.append(`held-filler-${i}`, Array.from({ length: 10 }, () => ev('Filled')), 'no_stream');
  await plain.awaitVisible();
  t.equal((await drain(w, read.checkpoint)).length, 30);
  t.ok(w.window.events() <= 30);
  t.same([...w.window.heldStreams(['held-new']).keys()], [], 'evicted with its first event');
  t.same([...w.window.heldStreams(['held-filler-2']).keys()], ['held-filler-2'], 'a stream wholly inside the window is held');
  w.window.clear();
  t.same([...w.window.heldStreams(['held-filler-2']).keys()], [], 'a cleared window holds no stream');
});

t.test('concurrent readers with their own filters each get their events once, in order, frozen', async (t) => {
  const db = await serverDatabase(t, { poolSize: 12 });
  const plain = sqlEventStore(db);
  const reader = windowed(db, { readSize: 25 });
  await plain.append('order-warm', [ev('OrderPulled')], 'no_stream');
  await plain.awaitVisible();
  const start = (await reader.readAll(null, { maxCount: 100 })).checkpoint;
  const filters: (EventFilter | undefined)[] = [undefined, FILTERS[2], FILTERS[3], FILTERS[4], {}, { streamPrefixes: ['mapping-'] }];
  let writing = true;
  const writers = Array.from({ length: 4 }, async (_, w) => {
    const rand = random(100 + w);
    for (let i = 0; i < 25; i++) {
      const requests = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, k) => ({
        streamId: `${PREFIXES[Math.floor(rand() * 3)]}w${w}-${i}-${k}`,
        events: [ev(TYPES[Math.floor(rand() * 3)]!, { w, i })],
        expected: 'no_stream' as const,
      }));
      // Held open a little: later transactions commit first and wait behind this one's horizon.
      const hold = Math.floor(rand() * 15);
      await db.transaction(async (tx) => {
        await appendBatch(tx, requests, EVENTS_CHANNEL);
        await new Promise((r) => setTimeout(r, hold));
      });
    }
  });
  let delivered = 0;
  const readers = filters.map(async (filter, r) => {
    const rand = random(200 + r);
    const got: RecordedEvent[] = [];
    let at = start;
    const readOnce = async () => {
      const maxCount = 5 + Math.floor(rand() * 45);
      const page = await reader.readAll(at, { maxCount, ...(filter ? { filter } : {}) });
      got.push(...page.events);
      delivered += page.events.length;
      at = page.checkpoint;
      return page.events.length === maxCount;
    };
    while (writing) {
      await readOnce();
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 5)));
    }
    await plain.awaitVisible();
    while (await readOnce());
    return got;
  });
  await Promise.all(writers);
  writing = false;
  const results = await Promise.all(readers);
  for (const [r, got] of results.entries()) {
    const want = await drain(plain, start, filters[r]);
    t.ok(want.length > 0, `reader ${r} has events to get`);
    t.same(ids(got), ids(want), `reader ${r} (${JSON.stringify(filters[r])}): every event once, in global order`);
  }
  t.ok(reader.stats.rows < delivered, `rows fetched (${reader.stats.rows}) fewer than handed out (${delivered})`);
  const shared = results[2]!.find((e) => e.streamId.startsWith('order-'))!;
  const writer = (shared.data as { w: number }).w;
  t.throws(() => {
    (shared.data as { w: number }).w = -1;
  }, TypeError, 'an event from the window cannot be altered');
  const again = results[0]!.find((e) => e.id === shared.id);
  t.equal((again!.data as { w: number }).w, writer, 'and another reader sees it unchanged');
});

t.test('a read after awaitVisible sees every event committed before it, even through the window', async (t) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  const store = sqlEventStore(db, { tailWindow: {} });
  await store.append('fresh-0', [ev('Warm')], 'no_stream');
  await store.awaitVisible();
  let at = (await store.readAll(null, { maxCount: 100, filter: { streamPrefixes: ['fresh-'] } })).checkpoint;
  for (let i = 1; i <= 20; i++) {
    // Another reader keeps a head read in flight, so the window's horizon is often older than the append.
    const other = store.readAll(at, { maxCount: 100 });
    await store.append(`fresh-${i}`, [ev('Fresh', { i })], 'no_stream');
    await store.awaitVisible();
    const page = await store.readAll(at, { maxCount: 100, filter: { streamPrefixes: ['fresh-'] } });
    t.same(page.events.map((e) => (e.data as { i: number }).i), [i], `append ${i} is read`);
    t.ok(comparePositions(positionOf(page.checkpoint), positionOf(page.events[0]!.checkpoint)) >= 0);
    at = page.checkpoint;
    await other;
  }
});
