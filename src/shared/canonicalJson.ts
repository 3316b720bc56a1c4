/**
 * JSON text with every object's keys sorted (by UTF-16 code units): the same value always gives
 * the same text, so it can be hashed. The text is exactly what `JSON.stringify` gives for a copy of
 * the value whose objects were rebuilt with sorted keys — including JavaScript's own property order,
 * which puts array-index keys ("0", "7", "10") first, in numeric order — but it is written in one
 * walk, without building those copies (the pull hashes every order of every page).
 */
export const canonicalJson = (value: unknown): string | undefined => write(value, '');

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : 1);

/** An array index as JavaScript orders properties: a canonical decimal integer below 2³² − 1. */
const isIndex = (key: string) => {
  if (key === '0') return true;
  const c = key.charCodeAt(0);
  if (key.length > 10 || c < 49 || c > 57) return false;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(key) < 4294967295;
};

const sortedKeys = (object: object): string[] => {
  const keys = Object.keys(object).sort(byCodeUnits);
  if (!keys.some(isIndex)) return keys;
  const indices = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((k) => !isIndex(k))];
};

function write(input: unknown, key: string): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      // As JSON.stringify: a BigInt has no JSON form.
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (write(value[i], String(i)) ?? 'null');
        return out + ']';
      }
      let out = '{';
      let first = true;
      for (const k of sortedKeys(value)) {
        const v = write((value as Record<string, unknown>)[k], k);
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + v;
        first = false;
      }
      return out + '}';
    }
    default:
      // undefined, a function, a symbol: left out of objects, null in arrays, nothing at the top.
      return undefined;
  }
}
