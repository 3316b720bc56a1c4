import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where a search stopped, and the search it belongs to. */
export type PageCursor = Readonly<{
  /** Canonical form of the filters the token was issued for. */
  filters: string;
  /** The search's upper bound, frozen at the first page so pages stay consistent. */
  end: number;
  lastMs: number;
  lastId: string;
  expiresAt: number;
}>;

export type TokenCodec = Readonly<{
  encode: (cursor: PageCursor) => string;
  /** Undefined when the token is malformed or was not issued by this sandbox. */
  decode: (token: string) => PageCursor | undefined;
}>;

/** Opaque, signed tokens: clients must pass them back verbatim, exactly as with Amazon's. */
export const createTokenCodec = (secret: Buffer = randomBytes(32)): TokenCodec => {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
  return {
    encode: (cursor) => {
      const payload = Buffer.from(
        JSON.stringify([cursor.filters, cursor.end, cursor.lastMs, cursor.lastId, cursor.expiresAt]),
      ).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    decode: (token) => {
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) return undefined;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const [filters, end, lastMs, lastId, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [
          string, number, number, string, number,
        ];
        return { filters, end, lastMs, lastId, expiresAt };
      } catch {
        return undefined;
      }
    },
  };
};
