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
 * Shared rule for SKU-like codes: trimmed, 1..max code points, printable only. No case folding and
 * no Unicode normalisation: a code matches only itself, exactly as the marketplace or seller wrote it.
 */
export const validateCode = <Prefix extends string>(
  raw: string,
  prefix: Prefix,
  label: string,
  max: number,
): Result<string, CodeIssue<Prefix>> => {
  const value = raw.trim();
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

/** Validate and normalise (trim) a system SKU code: 1..64 printable characters, case-sensitive. */
export const validateSkuCode = (raw: string): Result<string, SkuCodeError> =>
  validateCode(raw, 'sku', 'SKU', SKU_MAX_LENGTH);

export type PlatformSkuError = CodeIssue<'platform_sku'>;

/** Validate and normalise (trim) a marketplace SKU: like a system SKU, but up to 200 characters. */
export const validatePlatformSku = (raw: string): Result<string, PlatformSkuError> =>
  validateCode(raw, 'platform_sku', 'Platform SKU', PLATFORM_SKU_MAX_LENGTH);
