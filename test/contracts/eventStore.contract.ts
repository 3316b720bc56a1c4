import { randomBytes, randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import type {
  AppendRequest,
  Checkpoint,
  EventFilter,
  EventStore,
  NewEvent,
  RecordedEvent,
} from '../../src/domain/ports/eventStore.js';
import { ConcurrencyError } from '../../src/domain/shared/errors.js';

/**
 * One contract for every EventStore adapter (PostgreSQL server, PGlite, EventStoreDB).
 * Each case uses streams under a prefix of its own, so cases never see each other's events.
 */
export type HeldAppend = Readonly<{ commit: () => Promise<void> }>;

export type EventStoreUnderTest = Readonly<{
  store: EventStore;
  /**
   * Start an append in a transaction and hold it open until commit() (adapters with interleaving
   * transactions only): used to commit out of transaction-id order.
   */
  holdOpenAppend?: (request: AppendRequest) => Promise<HeldAppend>;
}>;

export type ContractTarget =
  | Readonly<{ make: (t: Test) => Promise<EventStoreUnderTest>; skip?: undefined }>
  | Readonly<{ skip: string }>;

type Ctx = EventStoreUnderTest & { prefix: string };
type Case = Readonly<{ name: string; needs?: 'interleaving'; run: (t: Test, ctx: Ctx) => Promise<void> }>;

const ev = (type: string, data: unknown = {}): NewEvent => ({ id: randomUUID(), type, data, metadata: { actor: 'test' } });
const evs = (n: number, type = 'Pinged') => Array.from({ length: n }, (_, i) => ev(type, { n: i }));

/** Read every event under `prefix` from the start, page by page. */
const readAllUnder = async (store: EventStore, prefix: string, pageSize = 1000): Promise<RecordedEvent[]> => {
  // What this test committed is readable only once every older transaction in the cluster ended
  // (another test's, or another database's, on a shared server): wait for that, not for luck.
  await store.awaitVisible();
  const out: RecordedEvent[] = [];
  let after: Checkpoint | null = null;
  for (;;) {
    const batch = await store.readAll(after, { maxCount: pageSize, filter: { streamPrefixes: [prefix] } });
    out.push(...batch.events);
    if (batch.events.length === 0) return out;
    after = batch.checkpoint;
  }
};

/** Collect from a subscription until `until` holds or the deadline passes. */
const collect = async (
  store: EventStore,
  opts: { after: Checkpoint | null; filter: EventFilter; until: (all: RecordedEvent[]) => boolean; timeoutMs?: number },
) => {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 20_000);
  const got: RecordedEvent[] = [];
  let checkpoint = opts.after;
  try {
    for await (const batch of store.subscribe({ after: opts.after, filter: opts.filter, signal: ac.signal, maxBatch: 200 })) {
      got.push(...batch.events);
      checkpoint = batch.checkpoint;
      if (opts.until(got)) break;
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return { events: got, checkpoint };
};

const perStreamRevisions = (events: readonly RecordedEvent[]) => {
  const byStream = new Map<string, number[]>();
  for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
  return byStream;
};

const isContiguous = (revs: readonly number[]) => revs.every((r, i) => r === i);

const cases: Case[] = [
  {
    name: 'reading a missing stream returns no events',
    run: async (t, { store, prefix }) => {
      t.same(await store.readStream(`${prefix}-missing`), []);
    },
  },
  {
    name: 'appends get 0-based contiguous revisions and read back intact',
    run: async (t, { store, prefix }) => {
      const s = `${prefix}-a`;
      const first = evs(2);
      t.same(await store.append(s, first, 'no_stream'), { nextRevision: 1, appended: true });
      t.same(await store.append(s, [ev('Ponged', { x: 'ü✓' })], 1), { nextRevision: 2, appended: true });
      const read = await store.readStream(s);
      t.same(read.map((e) => [e.revision, e.type]), [[0, 'Pinged'], [1, 'Pinged'], [2, 'Ponged']]);
      t.equal(read[0]!.id, first[0]!.id);
      t.same(read[2]!.data, { x: 'ü✓' });
      t.equal(read[0]!.metadata.actor, 'test');
      t.ok(!Number.isNaN(Date.parse(read[0]!.recordedAt)), 'recordedAt is a timestamp');
      t.same((await store.readStream(s, { fromRevision: 1, maxCount: 1 })).map((e) => e.revision), [1]);
    },
  },
  {
    name: 'expected-version mismatches throw ConcurrencyError and write nothing',
    run: async (t, { store, prefix }) => {
      const s = `${prefix}-b`;
      await store.append(s, evs(1), 'no_stream');
      await t.rejects(store.append(s, evs(1), 'no_stream'), ConcurrencyError);
      await t.rejects(store.append(s, evs(1), 5), ConcurrencyError);
      await t.rejects(store.append(`${prefix}-none`, evs(1), 'stream_exists'), ConcurrencyError);
      await t.rejects(store.append(`${prefix}-none`, evs(1), 0), ConcurrencyError);
      t.equal((await store.readStream(s)).length, 1);
      t.same(await store.append(s, evs(1), 'stream_exists'), { nextRevision: 1, appended: true });
      t.same(await store.append(s, evs(1), 'any'), { nextRevision: 2, appended: true });
      t.same(await store.append(`${prefix}-c`, evs(1), 'any'), { nextRevision: 0, appended: true });
    },
  },
  {
    name: 'concurrent appends to one stream: exactly one wins per version, the rest get ConcurrencyError',
    run: async (t, { store, prefix }) => {
      const s = `${prefix}-race`;
      await store.append(s, evs(1), 'no_stream');
      const writers = 8;
      const rounds = 5;
      let conflicts = 0;
      for (let round = 0; round < rounds; round++) {
        const version = round; // every writer races for the same next revision
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, w) => store.append(s, [ev('Raced', { round, w })], version)),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        t.equal(won.length, 1, `round ${round}: one winner`);
        t.ok(lost.every((o) => (o as PromiseRejectedResult).reason instanceof ConcurrencyError), 'losers get ConcurrencyError');
        conflicts += lost.length;
      }
      const read = await store.readStream(s);
      t.equal(read.length, rounds + 1);
      t.ok(isContiguous(read.map((e) => e.revision)));
      t.equal(conflicts, rounds * (writers - 1));
    },
  },
  {
    name: 're-appending the same event ids appends nothing; a partial overlap is a conflict',
    run: async (t, { store, prefix }) => {
      const s = `${prefix}-idem`;
      const batch = evs(3);
      t.same(await store.append(s, batch, 'no_stream'), { nextRevision: 2, appended: true });
      t.same(await store.append(s, batch, 'no_stream'), { nextRevision: 2, appended: false });
      if (store.guarantees.idempotentAppendWithAny) {
        t.same(await store.append(s, batch, 'any'), { nextRevision: 2, appended: false });
      }
      await t.rejects(store.append(s, [batch[2]!, ev('New')], 2), ConcurrencyError);
      const requests = [`${prefix}-m1`, `${prefix}-m2`].map((streamId) => ({ streamId, events: evs(2), expected: 'no_stream' as const }));
      t.same((await store.appendMany(requests)).map((r) => r.appended), [true, true]);
      t.same((await store.appendMany(requests)).map((r) => r.appended), [false, false]);
      t.equal((await readAllUnder(store, prefix)).length, 7, 'nothing was written twice');
    },
  },
  {
    name: 'appendMany: a failed batch can be re-run to completion (and is all-or-nothing where atomic)',
    run: async (t, { store, prefix }) => {
      await store.append(`${prefix}-taken`, evs(1), 'no_stream');
      const requests: AppendRequest[] = [
        { streamId: `${prefix}-n1`, events: evs(1), expected: 'no_stream' },
        { streamId: `${prefix}-taken`, events: evs(1), expected: 'no_stream' },
      ];
      await t.rejects(store.appendMany(requests), ConcurrencyError);
      if (store.guarantees.atomicMultiStreamAppend) {
        t.same(await store.readStream(`${prefix}-n1`), [], 'nothing written by the failed batch');
      }
      const fixed = [requests[0]!, { ...requests[1]!, expected: 0 }];
      const results = await store.appendMany(fixed);
      t.same(results.map((r) => r.nextRevision), [0, 1]);
      t.equal((await store.readStream(`${prefix}-n1`)).length, 1, 'the re-run wrote the first stream once');
    },
  },
  {
    name: 'readStreams reads several whole streams at once; a missing stream reads as empty',
    run: async (t, { store, prefix }) => {
      await store.append(`${prefix}-a`, evs(3), 'no_stream');
      await store.append(`${prefix}-b`, evs(1), 'no_stream');
      const streams = await store.readStreams([`${prefix}-a`, `${prefix}-b`, `${prefix}-none`, `${prefix}-a`]);
      t.same(streams.get(`${prefix}-a`)?.map((e) => e.revision), [0, 1, 2], 'in revision order');
      t.same(streams.get(`${prefix}-b`), await store.readStream(`${prefix}-b`), 'the same events as readStream');
      t.same(streams.get(`${prefix}-none`) ?? [], [], 'missing: absent or empty');
    },
  },
  {
    name: 'readStreams with event types reads only the events of those types',
    run: async (t, { store, prefix }) => {
      await store.append(`${prefix}-a`, [ev('Kept', { n: 0 }), ev('Other'), ev('Kept', { n: 2 })], 'no_stream');
      await store.append(`${prefix}-b`, [ev('Other')], 'no_stream');
      const streams = await store.readStreams([`${prefix}-a`, `${prefix}-b`], { eventTypes: ['Kept', 'Absent'] });
      t.same(streams.get(`${prefix}-a`)?.map((e) => [e.type, e.revision, e.data]), [['Kept', 0, { n: 0 }], ['Kept', 2, { n: 2 }]], 'in revision order, at their revisions');
      t.same(streams.get(`${prefix}-b`) ?? [], [], 'a stream without them: absent or empty');
    },
  },
  {
    name: 'readAll returns every event once, in per-stream order, across pages',
    run: async (t, { store, prefix }) => {
      const streams = Array.from({ length: 6 }, (_, i) => `${prefix}-s${i}`);
      for (let round = 0; round < 5; round++) {
        await Promise.all(streams.map((s) => store.append(s, evs(2), round === 0 ? 'no_stream' : round * 2 - 1)));
      }
      const all = await readAllUnder(store, prefix, 7);
      t.equal(all.length, 60);
      t.equal(new Set(all.map((e) => e.id)).size, 60, 'no duplicates');
      for (const [s, revs] of perStreamRevisions(all)) t.ok(isContiguous(revs), `${s} in order`);
      const typed = await store.readAll(null, { maxCount: 1000, filter: { streamPrefixes: [prefix], eventTypes: ['Nope'] } });
      t.same(typed.events, [], 'event-type filter applies');
    },
  },
  {
    name: 'a caught-up subscriber gets new events live, filtered, each once',
    run: async (t, { store, prefix }) => {
      const filter = { streamPrefixes: [`${prefix}-live`] };
      await store.append(`${prefix}-live0`, evs(1), 'no_stream');
      await store.append(`${prefix}-other`, evs(1), 'no_stream');
      const sub = collect(store, { after: null, filter, until: (all) => all.length >= 41 });
      await new Promise((r) => setTimeout(r, 200));
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; i < 10; i++) await store.append(`${prefix}-live${w + 1}`, evs(1), i === 0 ? 'no_stream' : i - 1);
        }),
      );
      const { events } = await sub;
      t.equal(events.length, 41);
      t.ok(events.every((e) => e.streamId.startsWith(`${prefix}-live`)), 'only matching streams');
      t.equal(new Set(events.map((e) => e.id)).size, 41, 'each once');
      for (const [s, revs] of perStreamRevisions(events)) t.ok(isContiguous(revs), `${s} in order`);
    },
  },
  {
    name: 'a subscriber restarted from its checkpoint gets every later event exactly once',
    run: async (t, { store, prefix }) => {
      const filter = { streamPrefixes: [prefix] };
      await store.append(`${prefix}-r`, evs(5), 'no_stream');
      const first = await collect(store, { after: null, filter, until: (all) => all.length >= 5 });
      t.equal(first.events.length, 5);
      await store.append(`${prefix}-r`, evs(3), 4);
      await store.append(`${prefix}-r2`, evs(2), 'no_stream');
      const second = await collect(store, { after: first.checkpoint, filter, until: (all) => all.length >= 5 });
      t.equal(second.events.length, 5);
      t.same(second.events.filter((e) => e.streamId === `${prefix}-r`).map((e) => e.revision), [5, 6, 7]);
      const ids = new Set([...first.events, ...second.events].map((e) => e.id));
      t.equal(ids.size, 10, 'no event twice across the restart');
    },
  },
  {
    name: 'transactions committing out of id order are both delivered to a caught-up subscriber',
    needs: 'interleaving',
    run: async (t, { store, prefix, holdOpenAppend }) => {
      const filter = { streamPrefixes: [prefix] };
      await store.append(`${prefix}-warm`, evs(1), 'no_stream');
      const caughtUp = await collect(store, { after: null, filter, until: (all) => all.length >= 1 });
      const held = await holdOpenAppend!({ streamId: `${prefix}-t1`, events: evs(1, 'First'), expected: 'no_stream' });
      await store.append(`${prefix}-t2`, evs(1, 'Second'), 'no_stream'); // later id, commits first
      const early = await store.readAll(caughtUp.checkpoint, { filter, maxCount: 10 });
      t.same(early.events, [], 'the later transaction stays invisible while the earlier one is open');
      const sub = collect(store, { after: early.checkpoint, filter, until: (all) => all.length >= 2 });
      await new Promise((r) => setTimeout(r, 300));
      await held.commit();
      const { events } = await sub;
      t.same(events.map((e) => e.type).sort(), ['First', 'Second'], 'neither event skipped');
    },
  },
  {
    name: 'awaitVisible waits for transactions that committed before it, then everything is readable',
    needs: 'interleaving',
    run: async (t, { store, prefix, holdOpenAppend }) => {
      const held = await holdOpenAppend!({ streamId: `${prefix}-old`, events: evs(1, 'Old'), expected: 'no_stream' });
      await store.append(`${prefix}-new`, evs(1, 'New'), 'no_stream');
      let visible = false;
      const waiting = store.awaitVisible().then(() => (visible = true));
      await new Promise((r) => setTimeout(r, 200));
      t.notOk(visible, 'not while the older transaction is open');
      await held.commit();
      await waiting;
      const all = await readAllUnder(store, prefix);
      t.same(all.map((e) => e.type).sort(), ['New', 'Old'], 'both readable once it resolved');
    },
  },
  {
    name: '10,000-event batches append and read back completely',
    run: async (t, { store, prefix }) => {
      const many = Array.from({ length: 10_000 }, (_, i) => ({
        streamId: `${prefix}-o${i}`,
        events: [ev('OrderSeen', { i, pad: 'x'.repeat(200) })],
        expected: 'no_stream' as const,
      }));
      const results = await store.appendMany(many);
      t.equal(results.length, 10_000);
      t.ok(results.every((r) => r.nextRevision === 0 && r.appended));
      await store.append(`${prefix}-big`, evs(10_000), 'no_stream');
      const all = await readAllUnder(store, prefix, 2500);
      t.equal(all.length, 20_000);
      t.equal(new Set(all.map((e) => e.id)).size, 20_000);
      t.ok(isContiguous(all.filter((e) => e.streamId === `${prefix}-big`).map((e) => e.revision)));
      t.same((await store.appendMany(many)).filter((r) => r.appended), [], 're-run appends nothing');
    },
  },
  {
    name: 'head checkpoint and counts support lag figures',
    run: async (t, { store, prefix }) => {
      await store.append(`${prefix}-h`, evs(3), 'no_stream');
      await store.awaitVisible();
      const head = await store.headCheckpoint();
      t.ok(head, 'a head exists');
      const all = await readAllUnder(store, prefix);
      const count = await store.countAfter(all[0]!.checkpoint, 1_000_000);
      if (count !== null) t.ok(count >= 2, 'at least the two later events are counted');
      const tail = await store.readAll(head, { maxCount: 10 });
      t.same(tail.events.filter((e) => e.streamId.startsWith(prefix)), [], 'nothing after the head');
    },
  },
];

export const eventStoreContract = (
  t: Test,
  target: ContractTarget,
  opts: { interleaving: true } | { interleaving: false; why: string },
) => {
  for (const c of cases) {
    if (target.skip !== undefined) {
      t.test(c.name, { skip: target.skip }, async () => undefined);
      continue;
    }
    if (c.needs === 'interleaving' && !opts.interleaving) {
      t.test(c.name, { skip: opts.why }, async () => undefined);
      continue;
    }
    t.test(c.name, async (t) => {
      const ctx = await target.make(t);
      await c.run(t, { ...ctx, prefix: `k${randomBytes(5).toString('hex')}` });
    });
  }
};
