import t from 'tap';
import { expandLines, expansionErrorCodes } from '../../../src/domain/mapping/expansion.js';
import type { MappingLookup } from '../../../src/domain/mapping/lookups.js';
import { DomainError } from '../../../src/domain/shared/errors.js';

const mappings: MappingLookup = new Map([
  ['MUG-6PK', { version: 2, components: [{ sku: 'MUG', quantity: 6 }] }],
  ['GIFT-SET', { version: 5, components: [{ sku: 'MUG', quantity: 2 }, { sku: 'LID', quantity: 2 }, { sku: 'BOX', quantity: 1 }] }],
  ['__proto__', { version: 1, components: [{ sku: 'ODD', quantity: 1 }] }],
]);

t.test('a factor multiplies the ordered quantity', async (t) => {
  t.same(expandLines([{ lineId: 'L1', platformSku: 'MUG-6PK', quantity: 3 }], mappings), {
    lines: [
      {
        lineId: 'L1:0',
        sku: 'MUG',
        quantity: 18,
        source: { platformSku: 'MUG-6PK', platformLineId: 'L1', platformQuantity: 3, factor: 6, mappingVersion: 2 },
      },
    ],
    unmapped: [],
    mappingVersions: { 'MUG-6PK': 2 },
  });
});

t.test('a combination becomes one line per component, in component order', async (t) => {
  const { lines } = expandLines(
    [
      { lineId: 'L1', platformSku: 'GIFT-SET', quantity: 2 },
      { lineId: 'L2', platformSku: 'MUG-6PK', quantity: 1 },
    ],
    mappings,
  );
  t.same(
    lines.map((l) => [l.lineId, l.sku, l.quantity, l.source.factor]),
    [
      ['L1:0', 'MUG', 4, 2],
      ['L1:1', 'LID', 4, 2],
      ['L1:2', 'BOX', 2, 1],
      ['L2:0', 'MUG', 6, 6],
    ],
    'lines are not merged: each keeps its source',
  );
});

t.test('unmapped platform SKUs are reported distinct and sorted; mapped lines still expand', async (t) => {
  const result = expandLines(
    [
      { lineId: 'a', platformSku: 'ZED', quantity: 1 },
      { lineId: 'b', platformSku: 'MUG-6PK', quantity: 1 },
      { lineId: 'c', platformSku: 'ALPHA', quantity: 2 },
      { lineId: 'd', platformSku: 'ZED', quantity: 1 },
    ],
    mappings,
  );
  t.same(result.unmapped, ['ALPHA', 'ZED']);
  t.same(result.lines.map((l) => l.lineId), ['b:0']);
  t.same(result.mappingVersions, { 'MUG-6PK': 2 });
});

t.test('no identity fallback: a platform SKU equal to a system SKU is unmapped until mapped', async (t) => {
  t.same(expandLines([{ lineId: 'x', platformSku: 'MUG', quantity: 1 }], mappings).unmapped, ['MUG']);
});

t.test('a line with quantity 0 (cancelled) yields nothing and is never unmapped', async (t) => {
  t.same(
    expandLines(
      [
        { lineId: 'a', platformSku: 'MUG-6PK', quantity: 0 },
        { lineId: 'b', platformSku: 'UNKNOWN', quantity: 0 },
      ],
      mappings,
    ),
    { lines: [], unmapped: [], mappingVersions: {} },
  );
});

t.test('platform SKUs on lines are matched after trimming', async (t) => {
  const result = expandLines([{ lineId: 'a', platformSku: ' MUG-6PK ', quantity: 1 }], mappings);
  t.equal(result.lines[0]?.source.platformSku, 'MUG-6PK');
});

t.test('mapping versions are keyed safely and sorted', async (t) => {
  const result = expandLines(
    [
      { lineId: 'a', platformSku: 'MUG-6PK', quantity: 1 },
      { lineId: 'b', platformSku: '__proto__', quantity: 1 },
      { lineId: 'c', platformSku: 'GIFT-SET', quantity: 1 },
    ],
    mappings,
  );
  t.same(Object.keys(result.mappingVersions), ['GIFT-SET', 'MUG-6PK', '__proto__']);
  t.equal(Object.getPrototypeOf(result.mappingVersions), Object.prototype);
  t.equal(JSON.stringify(result.mappingVersions), '{"GIFT-SET":5,"MUG-6PK":2,"__proto__":1}');
});

t.test('derived line ids are deterministic and unique', async (t) => {
  const lines = [
    { lineId: 'x', platformSku: 'GIFT-SET', quantity: 1 },
    { lineId: 'x:0', platformSku: 'GIFT-SET', quantity: 1 },
  ];
  const first = expandLines(lines, mappings);
  t.same(expandLines(lines, mappings), first);
  const ids = first.lines.map((l) => l.lineId);
  t.equal(new Set(ids).size, ids.length);
});

t.test('bad input is a programming error', async (t) => {
  for (const quantity of [-1, 1.5, Number.NaN]) {
    t.throws(() => expandLines([{ lineId: 'a', platformSku: 'MUG-6PK', quantity }], mappings), {
      name: 'DomainError',
      code: 'invalid_line_quantity',
    });
  }
  t.throws(
    () =>
      expandLines(
        [
          { lineId: 'a', platformSku: 'MUG-6PK', quantity: 1 },
          { lineId: 'a', platformSku: 'GIFT-SET', quantity: 1 },
        ],
        mappings,
      ),
    new DomainError('duplicate_line_id', 'Line id a appears twice'),
  );
  t.same(expansionErrorCodes, ['invalid_line_quantity', 'duplicate_line_id']);
});

t.test('no lines, nothing to do', async (t) => {
  t.same(expandLines([], mappings), { lines: [], unmapped: [], mappingVersions: {} });
});
