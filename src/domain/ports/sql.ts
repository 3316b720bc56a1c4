/**
 * The SQL port: the only database surface the rest of the code sees. Two adapters implement it:
 * node-postgres (a server) and PGlite (embedded). Both return int8 columns as JS numbers (values
 * beyond 2^53 are refused rather than silently rounded), numeric as strings, jsonb as objects and
 * timestamptz as Date. All SQL stays plain PostgreSQL so it runs on both.
 */
export type QueryResult<Row> = Readonly<{ rows: Row[]; rowCount: number }>;

export type SqlParam = unknown;

export type QueryOptions = Readonly<{
  /**
   * The text is one of a few fixed shapes that run often (a list page, an event read, a checkpoint):
   * a server may parse and plan it once per connection and reuse that (a named prepared statement;
   * PostgreSQL still re-plans for parameters that would change the plan). Never for texts built
   * with a varying number of values: each distinct text is kept for the connection's life.
   * `'planOnce'`: plan it once too, for whatever values are bound (a generic plan), instead of once per
   * run — for texts whose best plan does not depend on those values (what would pick an index is
   * written into the text). Planning a list page cost PostgreSQL about as much as running it.
   * Inside a transaction it is a plain `prepare` (the transaction's own session plans as it does).
   */
  prepare?: boolean | 'planOnce';
}>;

/**
 * Rows encoded for `copyRows` ahead of its transaction, by the same database's `encodeRows` (opaque
 * to callers: only that adapter reads the chunks).
 */
export type EncodedRows = Readonly<{ columns: number; chunks: readonly Uint8Array[] }>;

export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<QueryResult<Row>>;
  /** Run a script of several statements without parameters (migrations, schema set-up). */
  exec(script: string): Promise<void>;
  /**
   * Run `fn` in one transaction (READ COMMITTED). Nested calls join the outer transaction.
   * The callback must not wait on other I/O (PGlite has one connection: it blocks everyone).
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Load rows with `COPY … FROM STDIN` (a PostgreSQL server; absent on PGlite): much cheaper for the
   * server than an INSERT of the same rows, for tables being filled (a projection rebuilding from
   * zero). No ON CONFLICT: a row that exists already fails the whole load. Values as in `query`,
   * except that objects and arrays travel as JSON text (for json/jsonb columns; no array columns).
   */
  copyRows?(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]> | EncodedRows): Promise<void>;
  /**
   * Encode rows for `copyRows` now (present wherever `copyRows` is): a caller that prepares work
   * before its transaction opens (a rebuild reading ahead) keeps the encoding off the transaction's
   * time, and the server is fed as fast as the socket takes the bytes.
   */
  encodeRows?(rows: Iterable<readonly unknown[]>, columns: number): EncodedRows;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /** Listen on a channel (LISTEN/NOTIFY on a server; in-process on PGlite); resolves to an unsubscribe. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
