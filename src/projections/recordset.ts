/**
 * Many rows in one statement: the rows travel as one JSON parameter, read back on the server with
 * jsonb_to_recordset. Parsing that parameter is most of such a statement's cost, so each column
 * travels under a short key (a, b, …) rather than its name: a fifth fewer bytes to parse.
 */
export type RecordsetColumn<Name extends string> = readonly [name: Name, sqlType: string];

const shortKey = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : `${shortKey(Math.floor(i / 26) - 1)}${shortKey(i % 26)}`);

export const recordset = <Name extends string>(columns: readonly RecordsetColumn<Name>[]) => {
  const keys = columns.map((_, i) => shortKey(i));
  const names = columns.map(([name]) => name);
  return {
    /** The column names, in order. */
    columns: names,
    /** The column names, comma-separated (an INSERT's column list). */
    names: names.join(', '),
    /** `a AS order_id, b AS tenant_id, …`: each column under its name. */
    select: columns.map(([name], i) => `${keys[i]} AS ${name}`).join(', '),
    /** `jsonb_to_recordset($n::jsonb) AS alias(a text, …)`, for parameter number `param`. */
    from: (param: number, alias: string) =>
      `jsonb_to_recordset($${param}::jsonb) AS ${alias}(${columns.map(([, type], i) => `${keys[i]} ${type}`).join(', ')})`,
    /** The rows as the parameter's value (undefined values travel as NULL). */
    encode: (rows: Iterable<Readonly<Record<Name, unknown>>>): string => {
      const out: Record<string, unknown>[] = [];
      for (const row of rows) {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i++) o[keys[i]!] = row[columns[i]![0]];
        out.push(o);
      }
      return JSON.stringify(out);
    },
  };
};
