import t from 'tap';
import { appendBatch, isRetryableAppendError } from '../../src/adapters/eventStore/sqlAppend.js';
import { EVENTS_CHANNEL, sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import type { AppendRequest } from '../../src/domain/ports/eventStore.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { eventStoreContract, type HeldAppend } from '../contracts/eventStore.contract.js';
import { serverDatabase } from '../support/postgres.js';

/** Append inside a transaction that stays open until commit(): its xid is older than later appends'. */
export const holdOpenAppend =
  (db: Database) =>
  async (request: AppendRequest): Promise<HeldAppend> => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const ready = new Promise<void>((r) => (appended = r));
    const done = db.transaction(async (tx) => {
      await appendBatch(tx, [request], EVENTS_CHANNEL);
      appended();
      await gate;
    });
    await Promise.race([ready, done]);
    return {
      commit: async () => {
        release();
        await done;
      },
    };
  };

t.test('PostgreSQL server event store', async (t) => {
  const db = await serverDatabase(t, { poolSize: 12 });
  const store = sqlEventStore(db, { pollIntervalMs: 200 });
  eventStoreContract(t, { make: async () => ({ store, holdOpenAppend: holdOpenAppend(db) }) }, { interleaving: true });
});

t.test('PostgreSQL server event store, readAll through a small tail window', async (t) => {
  const db = await serverDatabase(t, { poolSize: 12 });
  // Small enough that the contract's pages cross head reads and its 20,000-event case evicts.
  const store = sqlEventStore(db, { pollIntervalMs: 200, tailWindow: { readSize: 50, maxEvents: 300, maxBytes: 64 * 1024 } });
  eventStoreContract(t, { make: async () => ({ store, holdOpenAppend: holdOpenAppend(db) }) }, { interleaving: true });
});

t.test('per-stream order inversion (reference §2.5) is refused and retried, never committed', async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db);
  await store.append('inv-S', [{ id: crypto.randomUUID(), type: 'S0', data: {} }], 'no_stream');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let wroteX!: () => void;
  const xWritten = new Promise<void>((r) => (wroteX = r));
  // T1 takes its xid by writing X first, then (after T2 committed) tries to append to S.
  const t1 = db.transaction(async (tx) => {
    await appendBatch(tx, [{ streamId: 'inv-X', events: [{ id: crypto.randomUUID(), type: 'X0', data: {} }], expected: 'no_stream' }], EVENTS_CHANNEL);
    wroteX();
    await gate;
    await appendBatch(tx, [{ streamId: 'inv-S', events: [{ id: crypto.randomUUID(), type: 'S-late', data: {} }], expected: 'any' }], EVENTS_CHANNEL);
  });
  await xWritten;
  await store.append('inv-S', [{ id: crypto.randomUUID(), type: 'S1', data: {} }], 0); // T2: newer xid, commits first
  release();
  const error = await t1.then(() => null, (e: unknown) => e);
  t.ok(error && isRetryableAppendError(error), 'the older transaction is refused with a retryable conflict');
  await store.awaitVisible(); // other databases' transactions on the shared server hold the horizon too
  const all = await store.readAll(null, { filter: { streamPrefixes: ['inv-'] }, maxCount: 100 });
  t.same(all.events.map((e) => [e.streamId, e.revision]), [['inv-S', 0], ['inv-S', 1]], 'global order keeps stream order');
});

t.test('countAfter: readable events, or with `committed` also those held back behind an older open transaction', async (t) => {
  const db = await serverDatabase(t, { poolSize: 6 });
  const store = sqlEventStore(db);
  const event = () => ({ id: crypto.randomUUID(), type: 'Counted', data: {} });
  await store.append('count-a', [event()], 'no_stream');
  await store.awaitVisible();
  const after = await store.headCheckpoint();
  const held = await holdOpenAppend(db)({ streamId: 'count-held', events: [event()], expected: 'no_stream' });
  await store.append('count-b', [event(), event()], 'no_stream');
  t.equal(await store.countAfter(after, 100), 0, 'the newer commit is not readable while the older transaction is open');
  t.equal(await store.countAfter(after, 100, undefined, { committed: true }), 2, 'but it is committed, and counted so');
  t.equal(await store.countAfter(after, 1, undefined, { committed: true }), 1, 'up to the cap');
  await held.commit();
  await store.awaitVisible();
  t.equal(await store.countAfter(after, 100), 3, 'all readable once the older transaction ends');
  t.equal(await store.countAfter(after, 100, { eventTypes: ['Counted'] }, { committed: true }), 3);
});
