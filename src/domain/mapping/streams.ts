import { encodeStreamIdPart } from '../catalog/streams.js';

/**
 * One stream per (store, platform SKU): `mapping-<storeId>.<platformSku>`, both parts encoded with
 * encodeStreamIdPart (injective, '.'-free), so any printable platform SKU — '.', '-', '/', spaces,
 * '%' included — gets its own stream and two different pairs never share one. Pass the validated
 * (trimmed) platform SKU.
 */
export const mappingStreamId = (storeId: string, platformSku: string): string =>
  `mapping-${encodeStreamIdPart(storeId)}.${encodeStreamIdPart(platformSku)}`;
