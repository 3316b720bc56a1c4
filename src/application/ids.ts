import { createHash } from 'node:crypto';

/**
 * A UUID derived from a name (the version-5 layout over SHA-1): the same input always gives the
 * same id — a store per marketplace, an order per platform order id, an event per order version —
 * so a retried operation writes nothing new.
 */
export const nameUuid = (name: string): string => {
  const h = createHash('sha1').update(`oms:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
};
