// canonicalJson must give exactly the text the pull hashed before it (content hashes are stored in
// rm_orders and event ids): JSON.stringify of the value with every object rebuilt with sorted keys.
// That construction is the oracle here, over the marketplaces' own payloads and random values
// shaped to hit JSON's corners.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { canonicalJson } from '../../src/shared/canonicalJson.js';

const oracle = (value: unknown): string | undefined =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

const fixtures = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? fixtures(join(dir, d.name)) : d.name.endsWith('.json') ? [join(dir, d.name)] : []));

t.test("the marketplaces' published payloads give the oracle's text", async (t) => {
  const files = fixtures(new URL('../../../shared/fixtures', import.meta.url).pathname);
  t.ok(files.length >= 10, `${files.length} fixture files`);
  for (const file of files) {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    t.equal(canonicalJson(value), oracle(value), file.split('/fixtures/')[1]!);
  }
});

/** Deterministic pseudo-random numbers (a failing seed can be replayed). */
const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

const KEYS = ['b', 'a', 'B', 'é', 'a b', '10', '2', '0', '01', '-1', '4294967294', '4294967295', '1.5', '', 'z\u2028', '\ud83d\ude00', 'constructor', '__proto__x'];
const LEAVES: unknown[] = [0, -0, 1.5, -1e21, 1e-7, Number.NaN, Infinity, 'text', 'quote " and \\ and \n', '\u0000\u001f', '\ud800', true, false, null, undefined, () => 1, Symbol('s'), new Date(Date.UTC(2026, 0, 2)), new String('boxed'), new Number(7)];

const valueOf = (next: () => number, depth: number): unknown => {
  const r = next();
  if (depth <= 0 || r < 0.4) return LEAVES[Math.floor(next() * LEAVES.length)];
  if (r < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => valueOf(next, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--) o[KEYS[Math.floor(next() * KEYS.length)]!] = valueOf(next, depth - 1);
  return o;
};

t.test('random values — odd keys, numbers, strings, undefined, functions, dates, boxed primitives — give the same text', async (t) => {
  for (let seed = 1; seed <= 2000; seed++) {
    const value = valueOf(random(seed), 4);
    const got = canonicalJson(value);
    if (got !== oracle(value)) t.fail(`seed ${seed}: ${String(got)} ≠ ${String(oracle(value))}`);
  }
  t.pass('2,000 random values');
  t.equal(canonicalJson(undefined), undefined, 'nothing at the top, as JSON.stringify');
  t.equal(canonicalJson({ toJSON: () => ({ b: 1, a: [undefined, 2] }) }), '{"a":[null,2],"b":1}', 'toJSON first, then sorted');
  t.throws(() => canonicalJson({ n: 1n }), TypeError, 'a BigInt has no JSON form');
});
