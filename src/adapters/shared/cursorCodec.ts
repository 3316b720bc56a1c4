import { z } from 'zod';
import { InvalidCursorError } from '../../domain/ports/cursors.js';

/**
 * The one codec of opaque cursors: a position as base64url of its JSON. Decoding is strict — only
 * the exact text `encodeJson` writes is read back (canonical base64url: no padding, no stray bits;
 * canonical JSON: no other spacing, escapes or number forms; valid UTF-8), and then only a value the
 * caller's schema accepts — so a tampered, truncated or re-encoded cursor is refused, never queried.
 * What a refusal throws: InvalidCursorError (400 invalid_cursor), or the caller's own `refuse`.
 */

/** Longer than any cursor OMS issues: a longer input is refused before it is decoded. */
export const MAX_CURSOR_LENGTH = 4096;

export type Refuse = () => Error;

const invalidCursor: Refuse = () => new InvalidCursorError();

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The bytes `text` is the canonical base64url of; anything else is refused. */
export const canonicalBase64url = (text: string, refuse: Refuse = invalidCursor): Buffer => {
  if (text.length > MAX_CURSOR_LENGTH || !BASE64URL.test(text)) throw refuse();
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw refuse();
  return bytes;
};

export const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** The value `encodeJson` wrote into `text`, if the schema accepts it; anything else is refused. */
export const decodeJson = <T>(schema: z.ZodType<T>, text: string, refuse: Refuse = invalidCursor): T => {
  const json = canonicalBase64url(text, refuse).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw refuse();
  }
  if (encodeJson(value) !== text) throw refuse();
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw refuse();
  return parsed.data;
};

export type ListCursor<K> = Readonly<{ encode: (key: K) => string; decode: (cursor: string) => K }>;

/**
 * A paged list's cursor: `[list, key]` through the codec, the key being the sort key of the page's
 * last row. The list's name makes another list's cursor — even one whose key has the same shape —
 * a refusal here.
 */
export const listCursor = <K>(list: string, key: z.ZodType<K>, refuse: Refuse = invalidCursor): ListCursor<K> => {
  const tagged = z.tuple([z.literal(list), key]);
  return {
    encode: (k) => encodeJson([list, k]),
    decode: (cursor) => decodeJson(tagged, cursor, refuse)[1],
  };
};
