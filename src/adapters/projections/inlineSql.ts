import type { SqlStatement } from '../../projections/projection.js';

/**
 * Render a parameterised statement with its values inlined as SQL literals, so a whole batch of
 * projection statements runs in ONE round trip (`exec`). Literals are escaped the way libpq's
 * PQescapeLiteral does (quotes doubled; E'' with doubled backslashes when a backslash occurs).
 * Only for the projections' own statements: their SQL text never contains `$n` inside quotes.
 */
export const literal = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  if (text.includes('\0')) throw new Error('cannot inline a NUL character');
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
};

export const inlineStatement = (st: SqlStatement): string =>
  st.text.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= st.params.length) throw new Error(`statement refers to $${n} but has ${st.params.length} parameters`);
    return literal(st.params[i]);
  });

/** Join statements into scripts of at most ~`maxBytes` each. */
export const toScripts = (statements: readonly SqlStatement[], maxBytes = 2 * 1024 * 1024): string[] => {
  const scripts: string[] = [];
  let current = '';
  for (const st of statements) {
    const line = `${inlineStatement(st)};\n`;
    if (current.length + line.length > maxBytes && current) {
      scripts.push(current);
      current = '';
    }
    current += line;
  }
  if (current) scripts.push(current);
  return scripts;
};
