import { z } from 'zod';

/**
 * Shapes the marketplaces really send, beyond the one their schemas draw: an array where one object
 * is documented (Walmart's own example has `"shipNode": []`), one object where an array is (a
 * single-element list converted from XML), null for an absent optional field. The parsers use
 * these for every field the published models do not list as required.
 */

/** One object: an array gives its first element (an empty one: absent); null is absent. */
export const one = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (Array.isArray(value) ? value[0] : value === null ? undefined : value), schema.optional());

/** A list: one object becomes a list of one; null or absent, an empty list. */
export const many = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(schema));

/** Optional text: null, absent, or a number written where text was documented (kept as its digits). */
export const optText = z.preprocess(
  (value) => (value === null ? undefined : typeof value === 'number' ? String(value) : value),
  z.string().optional(),
);

/** Text or absent, for a field the marketplace may fill with anything: not text is treated as absent. */
export const looseText = z.preprocess((value) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined), z.string().optional());

/** Trimmed non-empty text, or null. */
export const text = (value: string | null | undefined): string | null => (value === undefined || value === null || value.trim() === '' ? null : value);

/** The keys whose values are given (for optional fields kept only when present). */
export const present = <T extends Record<string, string | null | undefined>>(fields: T): { [K in keyof T]?: string } =>
  Object.fromEntries(Object.entries(fields).flatMap(([key, value]) => (text(value) === null ? [] : [[key, value as string]]))) as { [K in keyof T]?: string };
