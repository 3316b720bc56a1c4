// The order list writes closed-set filter values (status, hand-off state, platform, confirmation)
// into its text as literals, so the plan it makes once (QueryOptions 'planOnce') still knows them;
// any other value must be bound as a parameter — never spliced into the SQL.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { orderQueries } from '../../../src/adapters/readModels/orderQueries.js';
import type { Database } from '../../../src/domain/ports/sql.js';
import { embeddedDatabase, serverDatabase } from '../../support/postgres.js';

const STORE = '5f0c2a8e-6d3b-4c1a-9e7f-0a1b2c3d4e5f';

/** Twelve orders: statuses, hand-off states and platforms in turn, an hour apart. */
const seed = (db: Database, tenantId: string) =>
  db.query(
    `INSERT INTO rm_orders (order_id, tenant_id, store_id, platform, marketplace_id, platform_order_id, status, platform_status,
       fulfillment_channel, purchased_at, platform_updated_at, service_level, lines, content_hash, versions,
       first_pulled_at, last_pulled_at, handoff_state, hold_skus)
     SELECT gen_random_uuid()::text, $1, $2, (ARRAY['amazon', 'walmart'])[1 + i % 2], 'M', 'P-' || i,
       (ARRAY['unshipped', 'shipped', 'cancelled'])[1 + i % 3], 'S', 'merchant',
       timestamptz '2025-05-01T00:00:00Z' + i * interval '1 hour', now(), 'Standard', '[]', 'h', 1, now(), now(),
       (ARRAY['held', 'released'])[1 + i % 2], '[]'
     FROM generate_series(1, 12) AS i`,
    [tenantId, STORE],
  );

const databases: [string, (t: { teardown: (fn: () => unknown) => void }) => Promise<Database>][] = [
  ['PostgreSQL server', (t) => serverDatabase(t)],
  ['PGlite', (t) => embeddedDatabase(t)],
];

for (const [name, open] of databases) {
  t.test(`${name}: closed-set filters match as before; a value outside the set is bound, not spliced`, async (t) => {
    const db = await open(t);
    const tenantId = randomUUID();
    await seed(db, tenantId);
    const orders = orderQueries({ db, store: sqlEventStore(db) }).forTenant(tenantId);
    const count = async (filter: Record<string, string>) => (await orders.list({ ...filter, limit: 50 })).items.length;

    t.equal(await count({}), 12);
    t.equal(await count({ status: 'unshipped' }), 4);
    t.equal(await count({ handoff: 'held' }), 6);
    t.equal(await count({ platform: 'walmart' }), 6);
    t.equal(await count({ status: 'shipped', handoff: 'held', platform: 'amazon' }), 2);
    t.equal(await count({ confirmation: 'none' }), 12, 'no marketplace sync yet: every order is "none"');
    t.equal(await count({ confirmation: 'failed' }), 0);

    for (const hostile of ["unshipped' OR 'a' = 'a", "x'; DROP TABLE rm_orders; --", 'Unshipped', 'un shipped', 'é', `a${'b'.repeat(40)}`]) {
      t.equal(await count({ status: hostile }), 0, `status ${JSON.stringify(hostile)} matches nothing`);
      t.equal(await count({ handoff: hostile, platform: hostile }), 0);
      t.equal(await count({ confirmation: hostile }), 0);
    }
    t.equal(await count({}), 12, 'and nothing was changed');
  });
}
