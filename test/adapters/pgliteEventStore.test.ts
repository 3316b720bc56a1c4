import t from 'tap';
import { sqlEventStore } from '../../src/adapters/eventStore/sqlEventStore.js';
import { eventStoreContract } from '../contracts/eventStore.contract.js';
import { embeddedDatabase } from '../support/postgres.js';

t.test('PGlite (embedded) event store', async (t) => {
  const db = await embeddedDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 200 });
  eventStoreContract(t, { make: async () => ({ store }) }, {
    interleaving: false,
    why: 'PGlite is one connection: transactions cannot interleave (covered on the PostgreSQL server)',
  });
});

t.test('PGlite (embedded) event store, readAll through a small tail window', async (t) => {
  const db = await embeddedDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 200, tailWindow: { readSize: 50, maxEvents: 300 } });
  eventStoreContract(t, { make: async () => ({ store }) }, {
    interleaving: false,
    why: 'PGlite is one connection: transactions cannot interleave (covered on the PostgreSQL server)',
  });
});
