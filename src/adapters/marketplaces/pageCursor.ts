import type { z } from 'zod';
import { MarketplaceError } from '../../domain/ports/marketplaces.js';
import { decodeJson, encodeJson } from '../shared/cursorCodec.js';

/**
 * OrderPage.next as the sources write it: the marketplace's own token plus what the next request
 * must repeat (frozen bounds, search state), through the cursor codec and tagged
 * (`<tag>.<codec text>`) so a cursor of one source is refused by another. Resume cursors are kept in
 * the pull schedule: the format is the one written before the codec existed.
 */
export const encodeCursor = (tag: string, state: unknown): string => `${tag}.${encodeJson(state)}`;

export const decodeCursor = <T>(tag: string, schema: z.ZodType<T>, cursor: string): T => {
  const dot = cursor.indexOf('.');
  if (dot === -1 || cursor.slice(0, dot) !== tag) throw notOurs(tag);
  return decodeJson(schema, cursor.slice(dot + 1), () => notOurs(tag));
};

const notOurs = (tag: string) => new MarketplaceError('cursor_refused', null, `not a page cursor issued by the ${tag} order source`);
