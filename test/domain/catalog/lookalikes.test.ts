import t from 'tap';
import { systemSkuDecider } from '../../../src/domain/catalog/decider.js';
import { lookalikeKey, validatePlatformSku, validateSkuCode } from '../../../src/domain/catalog/skuCode.js';
import { DomainError } from '../../../src/domain/shared/errors.js';

const now = '2026-03-01T10:00:00.000Z';
const value = (raw: string) => {
  const r = validateSkuCode(raw);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
};

t.test('system SKUs are NFKC: NFC and NFD spellings, full-width and ASCII forms are one code', async (t) => {
  t.equal(value('Cafe\u0301'), 'Caf\u00e9', 'NFD → composed');
  t.equal(value('Caf\u00e9'), 'Caf\u00e9');
  t.equal(value('ＡＢＣ－１２３'), 'ABC-123', 'full-width → ASCII');
  t.equal(value('\u3000MUG\u3000'), 'MUG', 'the ideographic space is trimmed like a space');
  t.equal(value('ﬁle'), 'file', 'compatibility ligature');
  t.equal(value('箱-12'), '箱-12', 'other scripts unchanged');
  t.equal(value('abc'), 'abc', 'no case folding');
  const tooLong = validateSkuCode('Ａ'.repeat(65));
  t.equal(tooLong.ok ? 'ok' : tooLong.error.code, 'sku_too_long', 'length counted after normalisation');
});

t.test('platform SKUs stay exactly as the marketplace writes them (they must match order lines)', async (t) => {
  t.same(validatePlatformSku('ＡＢＣ'), { ok: true, value: 'ＡＢＣ' });
  t.same(validatePlatformSku('Cafe\u0301'), { ok: true, value: 'Cafe\u0301' });
});

t.test('look-alike key: NFKC plus Cyrillic/Greek homoglyphs folded to Latin; case still counts', async (t) => {
  t.equal(lookalikeKey('\u0410\u0412\u0421-1'), 'ABC-1', 'Cyrillic А, В, С');
  t.equal(lookalikeKey('\u0391\u0392\u0395'), 'ABE', 'Greek Α, Β, Ε');
  t.equal(lookalikeKey('ＡＢＣ-1'), 'ABC-1');
  t.equal(lookalikeKey('Cafe\u0301'), lookalikeKey('Caf\u00e9'));
  t.equal(lookalikeKey('m\u043e\u0440'), 'mop', 'lower-case Cyrillic о, р');
  t.not(lookalikeKey('abc'), lookalikeKey('ABC'));
  t.equal(lookalikeKey('Ж-箱'), 'Ж-箱', 'letters without a Latin twin are kept');
});

t.test('creating a SKU that looks like an existing one is refused, naming the existing SKU', async (t) => {
  const command = (lookalike: string | null | undefined) => ({
    type: 'CreateSystemSku' as const,
    data: { tenantId: 't', sku: '\u0410BC', name: 'Cyrillic A', now, ...(lookalike === undefined ? {} : { lookalike }) },
  });
  const error = t.throws(() => systemSkuDecider.decide(command('ABC'), { status: 'absent' })) as unknown as DomainError;
  t.ok(error instanceof DomainError);
  t.equal(error.code, 'sku_confusable');
  t.same(error.details, { sku: '\u0410BC', existing: 'ABC' });
  t.match(error.message, /existing SKU ABC/);
  t.equal(systemSkuDecider.decide(command(null), { status: 'absent' }).length, 1, 'no look-alike: created');
  t.equal(systemSkuDecider.decide(command(undefined), { status: 'absent' }).length, 1);
  t.equal(systemSkuDecider.decide(command('\u0410BC'), { status: 'absent' }).length, 1, 'the same code is not its own look-alike');
});
