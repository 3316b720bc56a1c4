import { randomUUID } from 'node:crypto';
import t from 'tap';
import { chunkedAppend } from '../../src/adapters/eventStore/chunkedAppend.js';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import type { AppendRequest, EventStore } from '../../src/domain/ports/eventStore.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

const requests = (prefix: string, n: number): AppendRequest[] =>
  Array.from({ length: n }, (_, i) => ({ streamId: `bulk-${prefix}.${i}`, events: [{ id: randomUUID(), type: 'Bulk', data: { i } }], expected: 'no_stream' as const }));

const count = async (store: EventStore, prefix: string, n: number) =>
  [...(await store.readStreams(Array.from({ length: n }, (_, i) => `bulk-${prefix}.${i}`))).values()].filter((events) => events.length > 0).length;

t.test('embedded PGlite: chunks inside one transaction — all appended, or nothing when a chunk fails', async (t) => {
  const db = await embeddedDatabase(t);
  const store = sqlEventStore(db);
  const append = chunkedAppend(store, db, 100);
  await append(requests('ok', 250));
  t.equal(await count(store, 'ok', 250), 250, 'every stream of every chunk');
  const clash = [...requests('rollback', 250), { ...requests('ok', 1)[0]!, events: [{ id: randomUUID(), type: 'Bulk', data: {} }] }];
  await t.rejects(append(clash), 'the last chunk meets an existing stream');
  t.equal(await count(store, 'rollback', 250), 0, 'the earlier chunks were rolled back with it');
});

t.test('PostgreSQL server: one appendMany (atomic, set-based in the server)', async (t) => {
  const db = await serverDatabase(t);
  const store = sqlEventStore(db);
  const append = chunkedAppend(store, null, 100);
  await append(requests('server', 250));
  t.equal(await count(store, 'server', 250), 250);
  await t.rejects(append([...requests('server-rollback', 150), ...requests('server', 1)]));
  t.equal(await count(store, 'server-rollback', 150), 0, 'all or nothing');
});

t.test('a store without atomic multi-stream appends (EventStoreDB): chunk after chunk, re-running completes it', async (t) => {
  const db = await embeddedDatabase(t);
  const real = sqlEventStore(db);
  const perStream: EventStore = { ...real, guarantees: { ...real.guarantees, atomicMultiStreamAppend: false } };
  const append = chunkedAppend(perStream, null, 100);
  const batch = requests('esdb', 250);
  await append(batch);
  t.equal(await count(real, 'esdb', 250), 250);
  await append(batch);
  t.equal(await count(real, 'esdb', 250), 250, 'idempotent re-run');
});
