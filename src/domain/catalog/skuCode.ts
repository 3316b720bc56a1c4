import { err, ok, type Result } from '../shared/result.js';

/**
 * Characters no code may contain: controls (Cc, incl. tab and newlines), invisible format characters
 * (Cf: zero-width space, soft hyphen, BOM, bidi marks — two codes that look identical must be equal),
 * lone surrogates (Cs), private-use (Co) and the Unicode line/paragraph separators.
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;

export const SKU_MAX_LENGTH = 64;
export const PLATFORM_SKU_MAX_LENGTH = 200;

/** Length in Unicode code points (what a person counts), not UTF-16 units. */
export const codePointLength = (value: string): number => [...value].length;

export type CodeIssue<Prefix extends string> = Readonly<{
  code: `${Prefix}_empty` | `${Prefix}_too_long` | `${Prefix}_invalid_character`;
  reason: string;
}>;

/**
 * Shared rule for SKU-like codes: trimmed, 1..max code points, printable only. No case folding.
 * With `nfkc`, the code is put in Unicode NFKC form first (then trimmed again: NFKC turns the
 * ideographic space into a plain one), so NFC/NFD spellings and full-width/ASCII forms of one code
 * are one code. Without it, a code matches only itself, exactly as written.
 */
export const validateCode = <Prefix extends string>(
  raw: string,
  prefix: Prefix,
  label: string,
  max: number,
  nfkc = false,
): Result<string, CodeIssue<Prefix>> => {
  const value = nfkc ? raw.normalize('NFKC').trim() : raw.trim();
  if (value === '') return err({ code: `${prefix}_empty`, reason: `${label} is empty` });
  if (value.length > max && codePointLength(value) > max) {
    return err({ code: `${prefix}_too_long`, reason: `${label} is longer than ${max} characters` });
  }
  const bad = NOT_PRINTABLE.exec(value);
  if (bad) {
    const codePoint = bad[0].codePointAt(0) as number;
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    return err({
      code: `${prefix}_invalid_character`,
      reason: `${label} contains a non-printable character (U+${hex})`,
    });
  }
  return ok(value);
};

export type SkuCodeError = CodeIssue<'sku'>;

/**
 * Validate and normalise a system SKU code: NFKC, trimmed, 1..64 printable characters,
 * case-sensitive. (Products created before NFKC keep their stored code: see docs/catalog.md.)
 */
export const validateSkuCode = (raw: string): Result<string, SkuCodeError> =>
  validateCode(raw, 'sku', 'SKU', SKU_MAX_LENGTH, true);

export type PlatformSkuError = CodeIssue<'platform_sku'>;

/**
 * Validate and normalise (trim) a marketplace SKU: up to 200 characters, and NOT Unicode-normalised —
 * it must equal, byte for byte, what the marketplace puts on its order lines.
 */
export const validatePlatformSku = (raw: string): Result<string, PlatformSkuError> =>
  validateCode(raw, 'platform_sku', 'Platform SKU', PLATFORM_SKU_MAX_LENGTH);

/**
 * Latin look-alikes from Cyrillic and Greek (the homoglyphs of Unicode's confusables list that
 * survive NFKC and render identically in common fonts), mapped to the Latin letter they imitate.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J', Ү: 'Y',
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  ο: 'o', ν: 'v', ϲ: 'c', ϳ: 'j',
};
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'gu');

/**
 * The look-alike key of a code: NFKC, then every Cyrillic/Greek homoglyph replaced by its Latin
 * twin. Two different codes with one key look the same to a person (`sku_confusable`); case and
 * everything else still tell codes apart.
 */
export const lookalikeKey = (code: string): string => code.normalize('NFKC').replace(LOOKALIKE, (c) => LOOKALIKES[c] as string);
