import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { batchSql, runBatchSql } from '../../src/adapters/projections/batchSql.js';
import { mappingRemoved, mappingSet, type MappingEvent } from '../../src/domain/mapping/events.js';
import type { Checkpoint, RecordedEvent } from '../../src/domain/ports/eventStore.js';
import type { Database, Sql } from '../../src/domain/ports/sql.js';
import { mappingsProjection } from '../../src/projections/catalog.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

/**
 * The set-based `applyBatch` of the mappings projection against `apply` one event at a time, on
 * both SQL adapters: same rows for sequences that set, replace, remove and re-create one key
 * inside a batch, and removals whose set is in an earlier batch.
 */
const at = (i: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, i)).toISOString();
const revisions = new Map<string, number>();

const record = (events: readonly MappingEvent[]): RecordedEvent[] =>
  events.map((e, i) => {
    const streamId = `mapping-${e.data.storeId}.${e.data.platformSku}`;
    const revision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, revision);
    return { id: randomUUID(), streamId, revision, type: e.type, data: e.data, metadata: { schemaVersion: 1 }, recordedAt: at(i), checkpoint: `test:${i}` as Checkpoint };
  });

const set = (platformSku: string, version: number, quantity: number, storeId = 's1') =>
  mappingSet({ tenantId: 't1', storeId, platformSku, components: [{ sku: 'W', quantity }], source: 'import', version, setAt: at(version) });
const removed = (platformSku: string, version: number, storeId = 's1') =>
  mappingRemoved({ tenantId: 't1', storeId, platformSku, version, removedAt: at(version + 30) });

const rows = async (db: Sql) =>
  (await db.query<{ r: unknown }>('SELECT row_to_json(m) AS r FROM rm_mappings m ORDER BY store_id, platform_sku')).rows.map((x) => x.r);

const compare = async (t: Test, db: Database, batches: readonly MappingEvent[][]) => {
  revisions.clear();
  const recorded = batches.map(record);
  await db.query('TRUNCATE rm_mappings');
  for (const batch of recorded) for (const e of batch) await runBatchSql(db, { statements: mappingsProjection.apply(e), setBased: false });
  const reference = await rows(db);
  await db.query('TRUNCATE rm_mappings');
  for (const batch of recorded) await db.transaction((tx) => runBatchSql(tx, batchSql(mappingsProjection, batch)));
  t.same(await rows(db), reference);
  return reference.length;
};


for (const [name, open] of [['PostgreSQL', serverDatabase], ['PGlite', embeddedDatabase]] as const) {
  t.test(`${name}: batch equals one by one`, async (t) => {
    const db = await open(t);
    t.equal(await compare(t, db, [[set('A', 1, 1), set('B', 1, 2), set('A', 2, 3), set('A', 1, 5, 's2')]]), 3, 'replace within a batch');
    t.equal(await compare(t, db, [[set('A', 1, 1), removed('A', 2)], [removed('B', 1)]]), 1, 'set then removed in one batch; a removal without a row is a no-op');
    t.equal(await compare(t, db, [[set('A', 1, 1), set('B', 1, 1)], [removed('A', 2), set('B', 2, 4)], [set('A', 3, 7), removed('B', 3)]]), 2, 'removals and re-creations across batches');
    t.equal(await compare(t, db, [[set('A', 1, 1)], [removed('A', 2), set('A', 3, 2), removed('A', 4)]]), 1, 'removed, re-set and removed again in one batch');
    const many = Array.from({ length: 600 }, (_, i) => set(`P-${i}`, 1, (i % 9) + 1));
    t.equal(await compare(t, db, [many]), 600, 'an import-sized batch');
  });
}
