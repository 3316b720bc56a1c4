import t from 'tap';
import { EXISTING_EVENTS_SQL } from '../../../src/adapters/eventStore/sqlAppend.js';
import { countAfterSql, READ_STREAM_SQL, readStreamsSql } from '../../../src/adapters/eventStore/sqlEventStore.js';
import type { Sql } from '../../../src/domain/ports/sql.js';
import { serverDatabase } from '../../support/postgres.js';

/**
 * The event-store statements run for every page or batch — the backlog gate's count, the
 * idempotency probe of an append, and readStreams (the warehouse feed's and the release policy's
 * batches, whole or by event type) — must find their rows through es_events' indexes whether or not
 * the table has statistics (a new database, autovacuum behind or off: before, both were read as
 * sequential scans of the whole table, 30–70 ms a page at 50k–300k events). Checked on the real
 * server's plans (EXPLAIN of the adapter's own text), without statistics and then with them, in the
 * plan modes they run in: the count planned once for any values (planOnce sessions), the probe with
 * a plan per call (inside the append's transaction) and generic.
 */

const EVENTS = 60_000;

/** Every plan node's type, relation and index, depth first. */
const nodesOf = (plan: Record<string, unknown>): string[] => [
  `${String(plan['Node Type'])}${plan['Relation Name'] ? ` on ${String(plan['Relation Name'])}` : ''}${plan['Index Name'] ? ` using ${String(plan['Index Name'])}` : ''}`,
  ...((plan.Plans as Record<string, unknown>[] | undefined) ?? []).flatMap(nodesOf),
];

const quoted = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** EXPLAIN of `text` with these literal arguments, under a plan cache mode, on one connection. */
const planOf = (db: Sql, text: string, types: string, args: string, mode: 'auto' | 'force_generic_plan') =>
  db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('plan_cache_mode', $1, true)`, [mode]);
    await tx.exec(`PREPARE plan_probe(${types}) AS ${text}`);
    try {
      const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(`EXPLAIN (FORMAT JSON) EXECUTE plan_probe(${args})`);
      return nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
    } finally {
      await tx.exec('DEALLOCATE plan_probe');
    }
  });

t.test('the backlog count, the idempotency probe and readStreams use the indexes, with and without statistics', async (t) => {
  const db = await serverDatabase(t, { poolSize: 2 });
  // Three events per order stream, four types in turn, in transactions of 300 events.
  await db.query(
    `INSERT INTO es_events (global_position, transaction_id, stream_id, stream_position, event_id, event_type, data, metadata)
     SELECT i, (1000 + i / 300)::text::xid8, 'order-' || md5((i / 3)::text), i % 3, gen_random_uuid(),
            (ARRAY['OrderPulled', 'FulfillmentOrderReleased', 'MappingSet', 'OrderCancelled'])[1 + i % 4], '{"n": 1}', '{}'
       FROM generate_series(1, $1::int) AS i`,
    [EVENTS],
  );
  const stats = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'es_events' AND schemaname = current_schema()`)).rows[0]!.n;

  const streams = `ARRAY[${Array.from({ length: 200 }, (_, i) => quoted(`order-${i * 97}`)).join(', ')}]::text[]`;
  const ids = `ARRAY[${Array.from({ length: 200 }, (_, i) => quoted(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)).join(', ')}]::uuid[]`;
  const check = async (when: string) => {
    for (const committed of [false, true]) {
      for (const [name, from] of [['near the head', `'1190', 57000`], ['from the first event', `'0', 0`]] as const) {
        const nodes = await planOf(db, countAfterSql(' AND event_type = ANY($4::text[])', committed), 'text, bigint, int, text[]', `${from}, 751, ARRAY['OrderPulled']`, 'force_generic_plan');
        t.notOk(nodes.includes('Seq Scan on es_events'), `${when}: count (committed ${committed}, ${name}) — ${nodes.join(' > ')}`);
        t.ok(nodes.some((n) => n.endsWith('using es_events_global_order')), `${when}: the count walks the global order index`);
      }
    }
    for (const mode of ['auto', 'force_generic_plan'] as const) {
      const nodes = await planOf(db, EXISTING_EVENTS_SQL, 'text[], uuid[]', `${streams}, ${ids}`, mode);
      t.notOk(nodes.includes('Seq Scan on es_events'), `${when}: idempotency probe (${mode}) — ${nodes.join(' > ')}`);
      t.ok(nodes.some((n) => n.endsWith('using es_events_pkey')), `${when}: the probe uses the primary key`);
    }
    for (const mode of ['auto', 'force_generic_plan'] as const) {
      const nodes = await planOf(db, READ_STREAM_SQL, 'text, bigint, bigint', `'order-${'x'}', 0, NULL`, mode);
      t.notOk(nodes.includes('Seq Scan on es_events'), `${when}: readStream (${mode}) — ${nodes.join(' > ')}`);
      t.ok(nodes.some((n) => n.endsWith('using es_events_pkey')), `${when}: readStream uses the primary key`);
    }
    for (const typed of [false, true]) {
      for (const mode of ['auto', 'force_generic_plan'] as const) {
        const nodes = await planOf(db, readStreamsSql(typed), typed ? 'text[], text[]' : 'text[]', typed ? `${streams}, ARRAY['BuyerDataErased']` : streams, mode);
        t.notOk(nodes.includes('Seq Scan on es_events'), `${when}: readStreams (${typed ? 'by type' : 'whole'}, ${mode}) — ${nodes.join(' > ')}`);
        t.ok(nodes.some((n) => n.endsWith('using es_events_pkey')), `${when}: readStreams uses the primary key`);
      }
    }
  };

  t.equal(await stats(), 0, 'es_events has no statistics yet');
  await check('without statistics');
  await db.query('ANALYZE es_events');
  t.ok((await stats()) > 0, 'analyzed');
  await check('with statistics');
});
