import t from 'tap';
import { isoFromUtcText, packing, utcText } from '../../src/adapters/sql/packedRow.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

/**
 * packedRow: columns joined into one text by PostgreSQL and split in node must give exactly what a
 * column-by-column read gives, or say it cannot (null) — never a wrong value. Checked against the
 * real server and PGlite with awkward text, NULLs, empty strings and times at the edges.
 */

t.test('isoFromUtcText: PostgreSQL timestamp text to toISOString form, or null', async (t) => {
  t.equal(isoFromUtcText('2025-05-01 10:00:00'), '2025-05-01T10:00:00.000Z');
  t.equal(isoFromUtcText('2025-05-01 10:00:00.5'), '2025-05-01T10:00:00.500Z');
  t.equal(isoFromUtcText('2025-05-01 10:00:00.123456'), '2025-05-01T10:00:00.123Z', 'microseconds truncated as a Date truncates them');
  t.equal(isoFromUtcText('2025-05-01 10:00:00.999999'), '2025-05-01T10:00:00.999Z', 'never rounded up into the next second');
  t.equal(isoFromUtcText('2025-05-01 10:00:00.1234', 6), '2025-05-01T10:00:00.123400Z', 'six digits for a cursor key');
  t.equal(isoFromUtcText('2025-05-01 10:00:00', 6), '2025-05-01T10:00:00.000000Z');
  t.equal(isoFromUtcText('2025-05-01 10:00:00.12', 6), '2025-05-01T10:00:00.120000Z');
  for (const odd of ['10000-01-01 00:00:00', '0044-03-15 12:00:00 BC', '05/01/2025 10:00:00', '2025-05-01T10:00:00', '2025-05-01 10:00:00.', '2025-05-01 10:00:00.1234567', '01.05.2025 10:00:00', 'Thu May 01 10:00:00 2025', 'infinity', '']) {
    t.equal(isoFromUtcText(odd), null, `refused: ${JSON.stringify(odd)}`);
  }
});

t.test('unpack: NULL, empty and separator-bearing values', async (t) => {
  const p = packing([{ sql: 'a' }, { sql: 'b', nullable: true }, { sql: 'c', nullable: true }]);
  t.same(p.unpack('x\u001f\u001f.'), ['x', null, ''], 'NULL as nothing, an empty string as the marker alone');
  t.same(p.unpack('\u001f.y\u001f.z'), ['', 'y', 'z']);
  t.equal(p.unpack('x\u001fy\u001f.z\u001f.w'), null, 'more parts than columns: a value held the separator');
  t.equal(p.unpack(null), null, 'a NULL in a NOT NULL column nulls the whole value');
});

const ROWS = `(VALUES
  (1, 'plain', 'Standard', timestamptz '2025-05-01T10:00:00.123456Z', '["A"]'::jsonb),
  (2, '', NULL, NULL, '[]'::jsonb),
  (3, 'tab\tnew\nline\\back é😀 "q"', '', timestamptz '2025-05-01T10:00:00Z', '["x\\u001fy"]'::jsonb),
  (4, 'unit' || chr(31) || 'sep', '.', timestamptz '0001-01-01T00:00:00Z', '[]'::jsonb),
  (5, 'far', 'x', timestamptz '9999-12-31T23:59:59.999999Z', '[]'::jsonb),
  (6, 'plus', 'y', timestamptz '2025-05-01T12:00:00+14:00', '[]'::jsonb)
) AS r(id, label, level, at, skus)`;

const columns = packing([
  { sql: 'r.id' }, { sql: 'r.label' }, { sql: 'r.level', nullable: true }, { sql: utcText('r.at'), nullable: true }, { sql: 'r.skus' },
]);

for (const [kind, open] of [['PostgreSQL server', serverDatabase], ['PGlite', embeddedDatabase]] as const) {
  t.test(`${kind}: packed rows read back as the columns, or not at all`, async (t) => {
    const db = await open(t, { migrate: false });
    const { rows: plain } = await db.query<{ id: number; label: string; level: string | null; at: Date | null; skus: unknown }>(
      `SELECT r.id, r.label, r.level, r.at, r.skus FROM ${ROWS} ORDER BY r.id`,
    );
    const { rows: packed } = await db.query<{ p: string | null }>(`SELECT ${columns.sql} AS p FROM ${ROWS} ORDER BY r.id`);
    t.equal(packed.length, plain.length);
    packed.forEach(({ p }, i) => {
      const expected = plain[i]!;
      const v = columns.unpack(p);
      if (expected.label.includes('\u001f')) {
        t.equal(v, null, `row ${expected.id}: a value with the separator is refused, not misread`);
        return;
      }
      t.ok(v, `row ${expected.id} unpacks`);
      t.same(
        [Number(v![0]), v![1], v![2], v![3] === null ? null : isoFromUtcText(v![3]!), JSON.parse(v![4]!)],
        [expected.id, expected.label, expected.level, expected.at === null ? null : expected.at.toISOString(), expected.skus],
        `row ${expected.id}: the same values as the columns`,
      );
    });
  });
}
