/**
 * Stream ids. A part taken from user data (a SKU may hold '.', '-', '/', '%', spaces, any script) is
 * percent-encoded as UTF-8 bytes, keeping only [A-Za-z0-9_~-] as is. '.' is always encoded, so it
 * can separate two parts unambiguously; '%' is always encoded, so decoding is unique: the encoding is
 * injective (`decodeStreamIdPart` inverts it). Unlike encodeURIComponent it never throws: a lone
 * surrogate is encoded as its 3-byte generalised-UTF-8 form. A '-' inside a part is harmless: the
 * category is everything before the FIRST '-'.
 */
const KEEP = /^[A-Za-z0-9_~-]$/;

const hex = (byte: number): string => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

const utf8Bytes = (codePoint: number): number[] => {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint < 0x10000) {
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  }
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  ];
};

export const encodeStreamIdPart = (value: string): string => {
  let out = '';
  for (const char of value) {
    if (KEEP.test(char)) out += char;
    else for (const byte of utf8Bytes(char.codePointAt(0) as number)) out += hex(byte);
  }
  return out;
};

/** Inverse of encodeStreamIdPart: decodeStreamIdPart(encodeStreamIdPart(x)) === x for every string. */
export const decodeStreamIdPart = (encoded: string): string => {
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    let i = 0;
    while (i < bytes.length) {
      const lead = bytes[i] as number;
      const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
      let codePoint = size === 1 ? lead : lead & (0xff >> (size + 1));
      for (let k = 1; k < size; k++) {
        const next = bytes[i + k];
        if (next === undefined || (next & 0xc0) !== 0x80) throw new Error(`Malformed stream id part: ${encoded}`);
        codePoint = (codePoint << 6) | (next & 0x3f);
      }
      out += String.fromCodePoint(codePoint);
      i += size;
    }
    bytes.length = 0;
  };
  for (let i = 0; i < encoded.length; ) {
    const char = encoded.charAt(i);
    if (char === '%') {
      const pair = encoded.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(pair)) throw new Error(`Malformed stream id part: ${encoded}`);
      bytes.push(Number.parseInt(pair, 16));
      i += 3;
    } else {
      if (!KEEP.test(char)) throw new Error(`Malformed stream id part: ${encoded}`);
      flush();
      out += char;
      i += 1;
    }
  }
  flush();
  return out;
};

/** One stream per system SKU of a tenant: `product-<tenantId>.<sku>` (both parts encoded). */
export const productStreamId = (tenantId: string, sku: string): string =>
  `product-${encodeStreamIdPart(tenantId)}.${encodeStreamIdPart(sku)}`;
