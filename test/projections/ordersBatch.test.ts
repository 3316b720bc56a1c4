import t, { type Test } from 'tap';
import pino from 'pino';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { batchSql, encodedLoad, loadSql, runBatchSql } from '../../src/adapters/projections/batchSql.js';
import { projectionRunner } from '../../src/adapters/projections/projectionRunner.js';
import type { Database, Sql } from '../../src/domain/ports/sql.js';
import { ordersProjection } from '../../src/projections/orders.js';
import { isCopy } from '../../src/projections/projection.js';
import { orderStreamId } from '../../src/domain/order/streams.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';
import {
  byMarketplace, cancelled, cancelledByOperator, dropped, held, heldByOperator, heldFor, pulled, randomSequence, recorded, released, releasedByOperator,
  toNewEvent, updated, warehouseRejected, warehouseShipped, type OrderEvent,
} from './fixtures/orderEvents.js';
import { evolve, initialState, type OrderFulfillment, type OrderStreamEvent } from '../../src/domain/order/fulfillment.js';

/**
 * The set-based `applyBatch` of the orders projection against its reference, `apply` one event at
 * a time, on both SQL adapters: same rows, column for column, for sequences chosen to break a naive
 * batch (re-pulls, several hand-off events of one order, hand-off events before an order's pull).
 * The same for `loadBatch` (new orders loaded with COPY during a rebuild): on the server, where it
 * copies, and on PGlite, which has no COPY and runs the statements.
 */

type OrderRow = Record<string, unknown> & { order_id: string };
const rows = async (db: Sql): Promise<OrderRow[]> =>
  (await db.query<{ r: OrderRow }>('SELECT row_to_json(o) AS r FROM rm_orders o ORDER BY order_id')).rows.map((x) => x.r);

/** The reference: each event's own statements, one event after the other. */
const oneByOne = async (db: Sql, events: readonly OrderEvent[]) => {
  for (const e of recorded(events)) await runBatchSql(db, { statements: ordersProjection.apply(e), setBased: false });
};

/**
 * The Sql a batch runs on, recording what it did (it delegates everything to the real one): which
 * tables were loaded with COPY, and whether a load fell back to statements.
 */
const watched = (tx: Sql, seen: { copies: number; fallbacks: number }): Sql => ({
  query: (text, params) => {
    if (text.startsWith('ROLLBACK TO SAVEPOINT')) seen.fallbacks++;
    return tx.query(text, params);
  },
  exec: (script) => tx.exec(script),
  transaction: (fn) => tx.transaction(fn),
  ...(tx.copyRows
    ? {
        copyRows: (table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>) => {
          seen.copies++;
          return tx.copyRows!(table, columns, rows);
        },
      }
    : {}),
});

type Mode = 'statements' | 'load';

/** Set-based (or loaded), cut into batches of the given sizes (in turn), each in its own transaction. */
const inBatches = async (db: Database, before: readonly OrderEvent[], events: readonly OrderEvent[], sizes: readonly number[], mode: Mode) => {
  const all = recorded(events, before);
  const seen = { copies: 0, fallbacks: 0 };
  for (let i = 0, k = 0; i < all.length; k++) {
    const chunk = all.slice(i, i + sizes[k % sizes.length]!);
    i += chunk.length;
    const sql = mode === 'load' ? loadSql(ordersProjection, chunk) : batchSql(ordersProjection, chunk);
    await db.transaction((tx) => runBatchSql(watched(tx, seen), sql));
  }
  return seen;
};

/** Rows after `before` (one by one) then `events` one by one, and the same with `events` in batches. */
const bothWays = async (db: Database, before: readonly OrderEvent[], events: readonly OrderEvent[], sizes: readonly number[] = [events.length], mode: Mode = 'statements') => {
  await db.query('TRUNCATE rm_orders');
  await oneByOne(db, [...before, ...events]);
  const expected = await rows(db);
  await db.query('TRUNCATE rm_orders');
  await oneByOne(db, before);
  const seen = await inBatches(db, before, events, sizes, mode);
  return { expected, actual: await rows(db), seen };
};

const row = (all: OrderRow[], id: string) => all.find((r) => r.order_id === id);

const cases: readonly { name: string; before: OrderEvent[]; events: OrderEvent[]; check: (rows: OrderRow[], t: Test) => void }[] = [
  {
    name: 'warehouse reports among pulls and hand-off events (relative: applied in order); other order-stream facts skipped',
    before: [pulled('w', 1), pulled('x', 1)],
    events: [
      released('w', 1), warehouseShipped('w', 1, 'm1'), pulled('w', 2), warehouseShipped('w', 1, 'm2'),
      released('x', 1), warehouseRejected('x', 2, 'm3'),
      { type: 'SomeLaterMarketplaceFact', data: { orderId: 'w' } },
    ],
    check: (r, t) => {
      t.match(row(r, 'w'), { handoff_state: 'shipped', warehouse_shipments: 2, warehouse_progress: { 'w-0:0': { shipped: 2, stopped: 0 } }, versions: 2 });
      t.match(row(r, 'x'), { handoff_state: 'rejected', warehouse_shipments: 0, warehouse_progress: { 'x-0:0': { shipped: 0, stopped: 2 } } });
    },
  },
  {
    name: 'an order pulled three times in one batch',
    before: [],
    events: [pulled('a', 1), pulled('b', 1), pulled('a', 2), pulled('a', 3)],
    check: (r, t) => {
      // store and purchase time from the first pull, status from the last, every pull counted
      t.match(row(r, 'a'), { versions: 3, store_id: 'store-2', platform_status: 'Status3' });
      t.not(row(r, 'a')!.first_pulled_at, row(r, 'a')!.last_pulled_at);
      t.match(row(r, 'b'), { versions: 1 });
    },
  },
  {
    name: 're-pulls of an order already in the table',
    before: [pulled('a', 1)],
    events: [pulled('a', 2), pulled('c', 1), pulled('a', 3)],
    check: (r, t) => t.match(row(r, 'a'), { versions: 3, store_id: 'store-2', platform_status: 'Status3' }),
  },
  {
    name: 'a hold then a release of the same order',
    before: [pulled('a', 1)],
    events: [held('a', 1), released('a', 2), held('b', 1)],
    check: (r, t) => t.match(row(r, 'a'), { handoff_state: 'released', hold_skus: [], held_since: null, last_message_type: 'FulfillmentOrderReleased' }),
  },
  {
    name: 'released, updated, cancelled',
    before: [pulled('a', 1)],
    events: [released('a', 1), updated('a', 2), cancelled('a', 3)],
    check: (r, t) => t.match(row(r, 'a'), { handoff_state: 'cancelled', last_message_type: 'FulfillmentOrderCancelled', warehouse_lines: [{ sku: 'WIDGET-2' }, { sku: 'WIDGET-2' }] }),
  },
  {
    name: 'a hand-off event before the first pull of its order (no row yet: it changes nothing)',
    before: [],
    events: [held('a', 1), pulled('a', 1), released('b', 1), pulled('b', 1), cancelled('a', 2)],
    check: (r, t) => {
      t.match(row(r, 'a'), { handoff_state: 'cancelled', hold_skus: [], held_since: null });
      t.match(row(r, 'b'), { handoff_state: 'none', released_at: null });
    },
  },
  {
    name: 'a hand-off event before a re-pull of an order in the table',
    before: [pulled('a', 1)],
    events: [held('a', 2), pulled('a', 2)],
    check: (r, t) => t.match(row(r, 'a'), { handoff_state: 'held', versions: 2 }),
  },
  {
    name: 'hand-off events of an order never pulled',
    before: [],
    events: [released('z', 1), pulled('a', 1), dropped('z', 2)],
    check: (r, t) => t.same(r.map((x) => x.order_id), ['a']),
  },
  {
    name: 'held, dropped, re-pulled, fulfilled by the marketplace',
    before: [pulled('a', 1)],
    events: [held('a', 1), dropped('a', 2), pulled('a', 2), byMarketplace('a', 3)],
    check: (r, t) => t.match(row(r, 'a'), { handoff_state: 'marketplace', hold_skus: [], versions: 2 }),
  },
  {
    name: "hold reasons: a hold's, a person's hold joining it or not (folded into the patch), their release, the ends of a hold",
    before: [pulled('a', 1), pulled('b', 1), pulled('c', 1), pulled('d', 1), pulled('e', 1)],
    events: [
      heldFor('a', 1), heldByOperator('a', 1), releasedByOperator('a', 1),
      heldFor('b', 1), heldByOperator('b', 1),
      released('c', 1), heldByOperator('c', 2),
      held('d', 1), heldByOperator('d', 1), cancelledByOperator('d', 2),
      heldFor('e', 1), updated('e', 2),
    ],
    check: (r, t) => {
      t.same(row(r, 'a')!.hold_reasons, ['address_incomplete', 'unmapped_sku'], 'released by the person: the earlier reasons stand');
      t.same(row(r, 'b')!.hold_reasons, ['address_incomplete', 'unmapped_sku', 'operator_hold'], 'a person joins the hold');
      t.match(row(r, 'c'), { handoff_state: 'held', hold_reasons: ['operator_hold'] }, 'a released order held by a person: only theirs');
      t.match(row(r, 'd'), { handoff_state: 'cancelled', hold_reasons: [] });
      t.same(row(r, 'e')!.hold_reasons, []);
    },
  },
  {
    name: "hold reasons: a person's hold or release relative to the row as it stands (written after what precedes it)",
    before: [pulled('a', 1), heldFor('a', 1), pulled('b', 1), held('b', 1), heldByOperator('b', 1), pulled('c', 1)],
    events: [pulled('c', 2), heldByOperator('a', 2), releasedByOperator('b', 1), heldByOperator('c', 1), pulled('a', 2), releasedByOperator('a', 3)],
    check: (r, t) => {
      t.same(row(r, 'a')!.hold_reasons, ['address_incomplete', 'unmapped_sku']);
      t.match(row(r, 'a'), { handoff_state: 'held', versions: 2 });
      t.match(row(r, 'b'), { handoff_state: 'held', hold_reasons: ['unmapped_sku'] });
      t.match(row(r, 'c'), { handoff_state: 'held', hold_reasons: ['operator_hold'], versions: 2 });
    },
  },
];

/** Each order's hold reasons as the decider's evolve holds them, from the events that found its row. */
const evolvedHoldReasons = (events: readonly OrderEvent[]) => {
  const states = new Map<string, OrderFulfillment>();
  for (const e of events) {
    const id = (e.data as { orderId: string }).orderId;
    const state = states.get(id);
    if (state || e.type === 'OrderPulled') states.set(id, evolve(state ?? initialState(), e as OrderStreamEvent));
  }
  return new Map([...states].map(([id, s]) => [id, s.holdReasons.map((r) => r.code)]));
};

for (const [label, makeDb] of [
  ['PostgreSQL server', (t: Test) => serverDatabase(t)],
  ['PGlite', (t: Test) => embeddedDatabase(t)],
] as const) {
  for (const mode of ['statements', 'load'] as const) {
    t.test(`${label}, ${mode}: a batch writes what its events write one by one`, async (t) => {
      const db = await makeDb(t);
      let copies = 0;
      for (const c of cases) {
        const { expected, actual, seen } = await bothWays(db, c.before, c.events, [c.events.length], mode);
        t.same(actual, expected, c.name);
        c.check(actual, t);
        t.equal(seen.fallbacks, 0, 'no load fell back to statements');
        copies += seen.copies;
      }
      t.equal(copies > 0, mode === 'load' && db.copyRows !== undefined, mode === 'load' ? `new orders loaded with COPY where the database can (${copies} loads)` : 'no COPY');
    });

    t.test(`${label}, ${mode}: random sequences cut into batches of every size`, async (t) => {
      const db = await makeDb(t);
      for (const seed of [1, 2, 3]) {
        const events = randomSequence(seed, 300, 12);
        const { expected, actual, seen } = await bothWays(db, events.slice(0, 60), events.slice(60), [1, 7, 50, 2, 120], mode);
        t.same(actual, expected, `seed ${seed}`);
        t.equal(seen.fallbacks, 0, 'no load fell back to statements');
        t.ok(expected.some((r) => (r.versions as number) > 2) && expected.some((r) => r.handoff_state !== 'none'), 'the sequence re-pulls and hands off');
        const evolved = evolvedHoldReasons(events);
        t.same(Object.fromEntries(actual.map((r) => [r.order_id, r.hold_reasons])), Object.fromEntries(evolved), `seed ${seed}: hold_reasons as evolve holds them`);
        t.ok(expected.some((r) => (r.hold_reasons as string[]).includes('operator_hold')), 'the sequence has a person hold');
      }
    });
  }

  t.test(`${label}: many new orders with their hand-off events, loaded, give the statements' rows`, async (t) => {
    const db = await makeDb(t);
    // New orders pulled, most handed off in the same batch (folded into the copied row), some re-pulled.
    const events = Array.from({ length: 400 }, (_, i) => [
      pulled(`n${i}`, 1),
      ...(i % 5 ? [[held, released, heldFor, dropped][i % 4]!(`n${i}`, 1)] : []),
      ...(i % 7 ? [] : [pulled(`n${i}`, 2), cancelled(`n${i}`, 2)]),
    ]).flat();
    const { expected, actual, seen } = await bothWays(db, [], events, [500, 333, 1000], 'load');
    t.same(actual, expected);
    t.equal(seen.fallbacks, 0);
    if (db.copyRows) t.ok(seen.copies >= 3, `loaded with COPY (${seen.copies} loads)`);
    else t.equal(seen.copies, 0, 'PGlite: no COPY, the statements ran');
  });

  t.test(`${label}: the projection runner applies batches set-based, and isolates an event it cannot apply`, async (t) => {
    const db = await makeDb(t);
    const store = sqlEventStore(db, { pollIntervalMs: 100 });
    const events = randomSequence(7, 150, 10);
    for (const e of events) await store.append(orderStreamId((e.data as { orderId: string }).orderId), [toNewEvent(e)], 'any');
    const runner = projectionRunner({ db, store, projections: [ordersProjection], log: pino({ level: 'silent' }), maxBatch: 16 });
    await runner.start();
    await runner.waitUntilCaughtUp();
    const applied = await rows(db);
    await db.query('TRUNCATE rm_orders');
    await oneByOne(db, events);
    t.same(applied, await rows(db), 'the runner, in batches of 16, wrote what one-by-one writes');

    // An OrderPulled without its order: the batch fails, the runner finds the event, and stops there.
    await store.append('order-bad', [{ ...toNewEvent(pulled('bad', 1)), data: { orderId: 'bad' } }], 'no_stream');
    await store.append('order-after', [toNewEvent(pulled('after', 1))], 'no_stream');
    const [status] = await runner.waitUntilCaughtUp();
    t.match(status, { status: 'failed', failedEvent: { streamId: 'order-bad', type: 'OrderPulled' } });
    await runner.stop();
  });
}

t.test('a batch of pulls and hand-off events is two statements, not one per event', async (t) => {
  const events = [...Array.from({ length: 100 }, (_, i) => pulled(`o${i}`, 1)), ...Array.from({ length: 50 }, (_, i) => (i % 2 ? held : released)(`o${i}`, 1))];
  const { statements } = batchSql(ordersProjection, recorded(events));
  t.equal(statements.length, 2);
  t.equal(JSON.parse(statements[0]!.params[0] as string).length, 100, 'one row per order');
});

t.test("a person's hold folds into the batch when the batch knows the hold it joins, else is written on its own", async (t) => {
  const folded = batchSql(ordersProjection, recorded([pulled('a', 1), heldFor('a', 1), heldByOperator('a', 1), releasedByOperator('a', 1)]));
  t.equal(folded.statements.length, 2);
  const alone = batchSql(ordersProjection, recorded([pulled('a', 1), heldByOperator('a', 1), pulled('b', 1)]));
  t.equal(alone.statements.length, 3, 'the pull, then the hold on the row as it stands, then the next pull');
});

t.test('a rebuild batch loads its new orders with COPY, their hand-off events folded into the copied rows', async (t) => {
  const steps = loadSql(ordersProjection, recorded([pulled('a', 1), released('a', 1), pulled('b', 1), held('b', 1), pulled('c', 1), pulled('c', 2)]));
  if (!('load' in steps)) throw new Error('the orders projection has loadBatch');
  const copies = steps.load.filter(isCopy);
  t.same(copies.map((c) => c.rows.map((r) => r[0])), [['a'], ['b'], ['c']], 'one COPY per set of columns: released, held, pulled only');
  t.ok(copies[0]!.columns.includes('released_at') && !copies[2]!.columns.includes('handoff_state'), 'only the columns the events set');
  t.equal(steps.load.length, 3, 'no upsert, no update');
  const later = loadSql(ordersProjection, recorded([pulled('a', 2), released('a', 2), pulled('d', 1)], [pulled('a', 1)]));
  if (!('load' in later)) throw new Error('the orders projection has loadBatch');
  t.same(later.load.filter(isCopy).map((c) => c.rows.map((r) => r[0])), [['d']], 'a re-pull is no new order: upserted, its hand-off updated');
  t.equal(later.load.filter((s) => !isCopy(s)).length, 2);
});

t.test('PostgreSQL server: a load whose "new" order exists already falls back to the statements, in the same transaction', async (t) => {
  const db = await serverDatabase(t);
  // Order a's pull at revision 0 again, as if a second stream held the same order: its COPY meets the row.
  const batch = recorded([pulled('b', 1), pulled('a', 2), released('a', 2)]);
  await oneByOne(db, [pulled('a', 1), pulled('b', 1), pulled('a', 2), released('a', 2)]);
  const expected = await rows(db);
  for (const [name, sql] of [['rows', loadSql(ordersProjection, batch)], ['rows encoded ahead', encodedLoad(loadSql(ordersProjection, batch), db.encodeRows)]] as const) {
    await db.query('TRUNCATE rm_orders');
    await oneByOne(db, [pulled('a', 1)]);
    const seen = { copies: 0, fallbacks: 0 };
    await db.transaction((tx) => runBatchSql(watched(tx, seen), sql));
    t.same(await rows(db), expected, `${name}: the rows of the statements`);
    t.equal(seen.fallbacks, 1, `${name}: rolled back to the savepoint and applied as statements`);
    t.ok(seen.copies >= 1);
  }
});

t.test('PostgreSQL server: a rebuild batch that fails in the database leaves none of its rows; the runner stops on the event', async (t) => {
  const db = await serverDatabase(t, { poolSize: 4 });
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const good = Array.from({ length: 60 }, (_, i) => pulled(`o${i}`, 1));
  // Another order with o1's store and platform order id: the unique index refuses its row, copied or upserted.
  const clashing = pulled('clash', 1) as { type: string; data: { order: object } };
  const clash = { ...clashing, data: { ...clashing.data, order: { ...clashing.data.order, platformOrderId: '113-o1' } } };
  for (const e of [...good.slice(0, 30), clash, ...good.slice(30)]) await store.append(orderStreamId((e.data as { orderId: string }).orderId), [toNewEvent(e)], 'no_stream');
  const runner = projectionRunner({ db, store, projections: [ordersProjection], log: pino({ level: 'silent' }), rebuildWithoutIndexesFrom: 1, rebuildBatch: 100 });
  await runner.rebuild('orders');
  const [status] = await runner.waitUntilCaughtUp(60_000);
  await runner.stop();
  t.match(status, { status: 'failed', eventsProcessed: 30, failedEvent: { streamId: 'order-clash' } });
  const after = await rows(db);
  await db.query('TRUNCATE rm_orders');
  await oneByOne(db, good.slice(0, 30));
  t.same(after, await rows(db), 'the orders before the failing event, each once (versions 1): nothing of the failed load stayed');
});
