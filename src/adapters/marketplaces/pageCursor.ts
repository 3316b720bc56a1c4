import type { z } from 'zod';
import { MarketplaceError } from '../../domain/ports/marketplaces.js';

/**
 * OrderPage.next as the sources write it: the marketplace's own token plus what the next request
 * must repeat (frozen bounds, search state), tagged so a cursor of one source is refused by another.
 */
export const encodeCursor = (tag: string, state: unknown): string => `${tag}.${Buffer.from(JSON.stringify(state)).toString('base64url')}`;

export const decodeCursor = <T>(tag: string, schema: z.ZodType<T>, cursor: string): T => {
  const dot = cursor.indexOf('.');
  if (dot === -1 || cursor.slice(0, dot) !== tag) throw notOurs(tag);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor.slice(dot + 1), 'base64url').toString('utf8'));
  } catch {
    throw notOurs(tag);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw notOurs(tag);
  return parsed.data;
};

const notOurs = (tag: string) => new MarketplaceError('cursor_refused', null, `not a page cursor issued by the ${tag} order source`);
