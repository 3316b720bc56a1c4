import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { backlogGate, type BacklogGateOptions } from '../../../src/adapters/projections/backlogGate.js';
import { eventReactor } from '../../../src/adapters/projections/reactor.js';
import type { EventStore } from '../../../src/domain/ports/eventStore.js';
import { serverDatabase } from '../../support/postgres.js';
import { pulled, toNewEvent } from '../../projections/fixtures/orderEvents.js';

/**
 * The pull's back-pressure against a real reactor on a real PostgreSQL: a page waits while the
 * consumer has more than `maxBacklog` events to handle and is working through them; it goes once
 * the consumer is back under the limit, when the consumer stalls, or after the longest wait.
 */

const FILTER = { eventTypes: ['OrderPulled'] };

const setUp = async (t: Test) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  const store = sqlEventStore(db, { pollIntervalMs: 50 });
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
  // The consumer: handles each event only while `open` (else it waits), so the test decides when it moves.
  let open = false;
  let handled = 0;
  const reactor = eventReactor({
    name: 'test:consumer',
    db,
    store,
    filter: FILTER,
    log,
    maxBatch: 5,
    react: async () => {
      while (!open) await new Promise((r) => setTimeout(r, 10));
      handled++;
    },
  });
  reactor.start();
  t.teardown(() => reactor.stop());
  const gate = (opts: Partial<BacklogGateOptions> = {}) =>
    backlogGate({ db, store, consumers: [{ name: 'test:consumer', filter: FILTER }], maxBacklog: 10, maxWaitMs: 60_000, stallMs: 60_000, pollMs: 10, log, ...opts });
  return {
    db,
    store,
    reactor,
    gate,
    logs: () => lines.join(''),
    done: async () => {
      open = true;
      await reactor.stop();
    },
    handled: () => handled,
    setOpen: (value: boolean) => (open = value),
  };
};

const appendOrders = async (store: EventStore, from: number, n: number) => {
  await store.appendMany(Array.from({ length: n }, (_, i) => ({ streamId: `order-g${from + i}`, events: [toNewEvent(pulled(`g${from + i}`, 1))], expected: 'no_stream' as const })));
  await store.awaitVisible();
};

/** Did `p` settle within `ms`? */
const settlesWithin = async (p: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

t.test('a consumer within the limit, absent, failed, or a gate turned off: the page goes at once', async (t) => {
  const s = await setUp(t);
  s.setOpen(true);
  await appendOrders(s.store, 0, 8);
  await s.reactor.caughtUp();
  t.ok(await settlesWithin(s.gate().admit(1), 2000), 'caught up');
  s.setOpen(false);
  await appendOrders(s.store, 8, 10);
  t.ok(await settlesWithin(s.gate().admit(1), 2000), 'ten waiting, the limit is ten');
  await appendOrders(s.store, 18, 20);
  t.ok(await settlesWithin(s.gate({ maxBacklog: 0 }).admit(1), 2000), 'maxBacklog 0 turns the gate off');
  t.ok(await settlesWithin(s.gate({ consumers: [{ name: 'nobody', filter: FILTER }] }).admit(1), 2000), 'a consumer without a checkpoint row is not waited for');
  await s.db.query(`UPDATE projection_checkpoints SET status = 'failed' WHERE name = 'test:consumer'`);
  t.ok(await settlesWithin(s.gate().admit(1), 2000), 'a failed consumer is not waited for');
  await s.done();
});

t.test('over the limit, a working consumer is waited for until it is back under it', async (t) => {
  const s = await setUp(t);
  await appendOrders(s.store, 0, 40);
  const waits: [number, string][] = [];
  const admitted = s.gate({ stallMs: 60_000, onWaited: (ms, outcome) => waits.push([ms, outcome]) }).admit(1);
  t.notOk(await settlesWithin(admitted, 500), 'forty waiting: the page waits');
  t.equal(s.handled(), 0);
  s.setOpen(true);
  t.ok(await settlesWithin(admitted, 30_000), 'the consumer worked down its backlog: the page goes');
  const left = (await s.store.countAfter(
    ((await s.db.query<{ checkpoint: string }>(`SELECT checkpoint FROM projection_checkpoints WHERE name = 'test:consumer'`)).rows[0]!.checkpoint ?? null) as never,
    100,
    FILTER,
  ))!;
  t.ok(s.handled() >= 30 || left <= 10, `handled ${s.handled()}, ${left} left when the page went`);
  t.notMatch(s.logs(), /consumer downstream is behind/, 'no warning: nothing was let through early');
  t.match(waits, [[Number, 'caught_up']], 'the wait is reported, with how it ended');
  t.ok(waits[0]![0] >= 400, `waited ${waits[0]![0]} ms`);
  await s.done();
});

t.test('a consumer that does not move is waited for only `stallMs`; a slow one only `maxWaitMs` per page', async (t) => {
  const s = await setUp(t);
  await appendOrders(s.store, 0, 40);
  const waits: string[] = [];
  const onWaited = (_ms: number, outcome: string) => waits.push(outcome);
  let started = Date.now();
  t.ok(await settlesWithin(s.gate({ stallMs: 300, onWaited }).admit(1), 10_000), 'a stalled consumer does not hold the pull');
  t.ok(Date.now() - started >= 250, `waited ${Date.now() - started} ms, about stallMs`);
  t.match(s.logs(), /"consumer":"test:consumer".*consumer downstream is behind/, 'the pull says why it did not wait');
  t.notMatch(s.logs(), /g\d+/, 'the warning names no order');

  started = Date.now();
  t.ok(await settlesWithin(s.gate({ maxWaitMs: 300, onWaited }).admit(1), 10_000), 'the longest wait for one page');
  t.same(waits, ['stalled', 'max_wait'], 'each reported with how it ended');
  t.ok(Date.now() - started >= 250, `waited ${Date.now() - started} ms, about maxWaitMs`);

  const controller = new AbortController();
  const aborted = s.gate().admit(1, controller.signal);
  t.notOk(await settlesWithin(aborted, 200), 'waiting');
  controller.abort();
  t.ok(await settlesWithin(aborted, 2000), 'a shutdown ends the wait');
  await s.done();
});

t.test('pulls waiting at once share one look at the backlog', async (t) => {
  const s = await setUp(t);
  s.setOpen(true);
  const gate = s.gate();
  const queries: string[] = [];
  const original = s.db.query.bind(s.db);
  s.db.query = ((text: string, params?: unknown[]) => (queries.push(text), original(text, params as never))) as typeof s.db.query;
  await Promise.all(Array.from({ length: 4 }, () => gate.admit(1)));
  t.equal(queries.filter((q) => q.startsWith('SELECT name, checkpoint, status FROM projection_checkpoints')).length, 1, 'four pulls, one look');
  await s.done();
});

t.test('pages admitted and not recorded yet count as waiting: pulls side by side do not all slip in on one look', async (t) => {
  const s = await setUp(t);
  s.setOpen(true);
  const gate = s.gate({ maxBacklog: 10 });
  const first = await gate.admit(8);
  const second = await gate.admit(8); // 8 waiting is within the limit: this page goes, one page over
  const third = gate.admit(8);
  t.notOk(await settlesWithin(third, 300), '16 admitted and not recorded: the third page waits');
  first();
  t.ok(await settlesWithin(third, 2000), 'the first page recorded: 8 counted, the third page goes');
  const fourth = gate.admit(8);
  t.notOk(await settlesWithin(fourth, 300), 'the second and third pages (16) not recorded: the fourth waits');
  first(); // a second call changes nothing
  t.notOk(await settlesWithin(fourth, 300), 'still 16');
  second();
  t.ok(await settlesWithin(fourth, 2000), 'the second page recorded: 8 counted, the fourth goes');
  (await third)();
  (await fourth)();
  await s.done();
});

t.test('a reactor not started yet reports its backlog from the stored checkpoint, not from the beginning', async (t) => {
  const { db, store, reactor, done, handled, setOpen } = await setUp(t);
  await appendOrders(store, 900, 4);
  setOpen(true);
  for (let i = 0; i < 500 && handled() < 4; i++) await new Promise((r) => setTimeout(r, 10));
  await done(); // the first reactor handled the four and stored its checkpoint
  t.equal(handled(), 4);
  t.equal(await reactor.eventsBehind(), 0);
  await appendOrders(store, 910, 3);
  const lines: string[] = [];
  const later = eventReactor({
    name: 'test:consumer',
    db,
    store,
    filter: FILTER,
    log: pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) })),
    react: async () => undefined,
  });
  t.equal(later.status().state, 'starting');
  t.equal(await later.eventsBehind(), 3, 'the three appended after the stored checkpoint, not all seven');
});
