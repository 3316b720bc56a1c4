import t from 'tap';
import { inlineStatement, literal, toScripts } from '../../src/adapters/projections/inlineSql.js';
import { sql } from '../../src/projections/projection.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

t.test('literals are escaped like PQescapeLiteral', async (t) => {
  t.equal(literal(null), 'NULL');
  t.equal(literal(42), '42');
  t.equal(literal(true), 'TRUE');
  t.equal(literal("O'Brien"), "'O''Brien'");
  t.equal(literal('a\\b'), " E'a\\\\b'");
  t.equal(literal({ a: "x'y" }), `'{"a":"x''y"}'`);
  t.throws(() => literal(Number.NaN));
  t.throws(() => literal('a\0b'));
  t.equal(inlineStatement(sql('SELECT $1, $2, $10', 1, 2, 3, 4, 5, 6, 7, 8, 9, 'ten')), "SELECT 1, 2, 'ten'");
  t.throws(() => inlineStatement(sql('SELECT $2', 1)), /refers to \$2/);
  t.equal(toScripts([sql('SELECT 1'), sql('SELECT 2')], 12).length, 2, 'split by size');
});

const nasty = ["it's", 'back\\slash', "'; DROP TABLE x; --", 'ünïcødé ✓', '$1 and $2', 'line\nbreak', '{"json": "\\u0041"}'];

for (const [label, make] of [
  ['PostgreSQL server', serverDatabase],
  ['PGlite', embeddedDatabase],
] as const) {
  t.test(`${label}: inlined values arrive byte for byte`, async (t) => {
    const db = await make(t);
    await db.query('CREATE TABLE x (id int PRIMARY KEY, v text, j jsonb)');
    const statements = nasty.map((v, i) => sql('INSERT INTO x (id, v, j) VALUES ($1, $2, $3)', i, v, { v }));
    for (const script of toScripts(statements)) await db.exec(script);
    const { rows } = await db.query<{ v: string; j: { v: string } }>('SELECT v, j FROM x ORDER BY id');
    t.same(rows.map((r) => r.v), nasty);
    t.same(rows.map((r) => r.j.v), nasty);
  });
}
