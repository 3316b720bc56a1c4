import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, Sql, SqlParam } from '../../domain/ports/sql.js';
import { INT8_OID, parseInt8 } from './int8.js';

export type PgliteOptions = Readonly<{
  /** A directory for durable data, or undefined for memory only (tests). */
  dataDir?: string;
}>;

type Queryable = Pick<Transaction, 'query' | 'exec'>;

const wrap = (q: Queryable, transaction: Sql['transaction']): Sql => ({
  query: async <Row>(text: string, params: readonly SqlParam[] = []) => {
    const res = await q.query<Row>(text, params as unknown[]);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  },
  exec: async (script) => {
    await q.exec(script);
  },
  transaction,
});

/**
 * Embedded PostgreSQL (WASM, one connection). Queries are serialized and an open transaction blocks
 * every other query, so transactions must stay short. LISTEN/NOTIFY work in-process.
 */
export const pgliteDatabase = async (opts: PgliteOptions = {}): Promise<Database> => {
  const pglite = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    parsers: { [INT8_OID]: parseInt8 },
  });
  // Which transaction the current async call chain is inside (not a global flag: other callers run
  // concurrently and must wait for the transaction, not join it).
  const current = new AsyncLocalStorage<Sql>();

  const plain = wrap(pglite, (fn) => db.transaction(fn));
  const db: Database = {
    kind: 'pglite',
    // Inside a transaction's call chain a plain query joins it (waiting for it would deadlock).
    query: (text, params) => (current.getStore() ?? plain).query(text, params),
    exec: (script) => (current.getStore() ?? plain).exec(script),
    transaction: async (fn) => {
      // PGlite has one connection: a nested call must join, or it would wait on itself forever.
      const outer = current.getStore();
      if (outer) return fn(outer);
      return pglite.transaction(async (tx) => {
        const sql: Sql = wrap(tx, (inner) => inner(sql));
        return current.run(sql, () => fn(sql));
      });
    },
    listen: async (channel, onNotify) => {
      const unlisten = await pglite.listen(channel, () => onNotify());
      return async () => {
        await unlisten();
      };
    },
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
  return db;
};
