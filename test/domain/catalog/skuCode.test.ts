import t from 'tap';
import { codePointLength, validatePlatformSku, validateSkuCode } from '../../../src/domain/catalog/skuCode.js';

t.test('a valid SKU is trimmed and otherwise kept exactly (case-sensitive)', async (t) => {
  t.same(validateSkuCode('  Abc-123  '), { ok: true, value: 'Abc-123' });
  t.same(validateSkuCode('abc-123'), { ok: true, value: 'abc-123' });
  t.same(validateSkuCode('ABC-123'), { ok: true, value: 'ABC-123' });
});

t.test('printable punctuation, spaces inside and any script are allowed', async (t) => {
  for (const sku of ['A.B', 'A-B', 'A/B', 'A B', 'a%20b', 'Crème brûlée', '箱-12', '📦 box', "O'Neil", '"quoted",comma']) {
    t.same(validateSkuCode(sku), { ok: true, value: sku }, sku);
  }
});

t.test('empty or blank → sku_empty', async (t) => {
  for (const raw of ['', '   ', '\t\n']) {
    const result = validateSkuCode(raw);
    t.equal(result.ok, false);
    if (!result.ok) t.equal(result.error.code, 'sku_empty');
  }
});

t.test('1 to 64 characters, counted as code points', async (t) => {
  t.ok(validateSkuCode('x').ok);
  t.ok(validateSkuCode('x'.repeat(64)).ok);
  t.ok(validateSkuCode('📦'.repeat(64)).ok, '64 astral characters are 128 UTF-16 units but 64 characters');
  t.same(validateSkuCode('x'.repeat(65)), {
    ok: false,
    error: { code: 'sku_too_long', reason: 'SKU is longer than 64 characters' },
  });
  const astral = validateSkuCode('📦'.repeat(65));
  t.equal(astral.ok ? 'ok' : astral.error.code, 'sku_too_long');
  t.equal(codePointLength('a📦b'), 3);
});

t.test('control and invisible characters → sku_invalid_character, naming the character', async (t) => {
  const cases: [string, string][] = [
    ['A\tB', 'U+0009'],
    ['A\nB', 'U+000A'],
    ['A\u0000B', 'U+0000'],
    ['A\u007fB', 'U+007F'],
    ['A\u0085B', 'U+0085'],
    ['A\u200bB', 'U+200B'],
    ['A\u00adB', 'U+00AD'],
    ['A\ufeffB', 'U+FEFF'],
    ['A\u2028B', 'U+2028'],
    ['A\u2029B', 'U+2029'],
    ['A\ud800B', 'U+D800'],
    ['A\ue000B', 'U+E000'],
  ];
  for (const [raw, hex] of cases) {
    const result = validateSkuCode(raw);
    t.same(
      result,
      { ok: false, error: { code: 'sku_invalid_character', reason: `SKU contains a non-printable character (${hex})` } },
      hex,
    );
  }
});

t.test('platform SKUs follow the same rules with up to 200 characters', async (t) => {
  t.same(validatePlatformSku(' AMZ.6PK/blue '), { ok: true, value: 'AMZ.6PK/blue' });
  t.ok(validatePlatformSku('p'.repeat(200)).ok);
  t.same(validatePlatformSku('p'.repeat(201)), {
    ok: false,
    error: { code: 'platform_sku_too_long', reason: 'Platform SKU is longer than 200 characters' },
  });
  const empty = validatePlatformSku(' ');
  t.equal(empty.ok ? 'ok' : empty.error.code, 'platform_sku_empty');
  const control = validatePlatformSku('a\rb');
  t.equal(control.ok ? 'ok' : control.error.code, 'platform_sku_invalid_character');
});
