import pg from 'pg';
import type { Database, QueryOptions, QueryResult, Sql, SqlParam } from '../../domain/ports/sql.js';
import { copyIn, encodeRows } from './copyIn.js';
import { INT8_OID, parseInt8 } from './int8.js';

export type PostgresOptions = Readonly<{
  url: string;
  poolSize?: number;
  /** Run everything in this schema (tests isolate themselves this way). Must exist or be creatable. */
  schema?: string;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}>;

const typeParser = (oid: number, format?: string) =>
  oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text');

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Names for the texts callers mark `prepare` (QueryOptions), shared by every connection of a pool:
 * one text, one name, so node-postgres parses it once per connection and then only binds. Bounded:
 * past MAX_PREPARED distinct texts (a caller marking a varying text by mistake) the rest run unnamed.
 */
const MAX_PREPARED = 256;
const statementNames = () => {
  const names = new Map<string, string>();
  return (text: string, options: QueryOptions | undefined): string | undefined => {
    if (!options?.prepare) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `oms_${names.size + 1}`));
    return name;
  };
};
type NameOf = ReturnType<typeof statementNames>;

const run = (client: pg.Pool | pg.PoolClient | pg.Client, nameOf: NameOf, text: string, params: readonly SqlParam[], options?: QueryOptions) => {
  const name = nameOf(text, options);
  return name === undefined ? client.query(text, params as unknown[]) : client.query({ name, text, values: params as unknown[] });
};

const clientSql = (client: pg.PoolClient | pg.Client, nameOf: NameOf): Sql => {
  const sql: Sql = {
    query: async <Row>(text: string, params: readonly SqlParam[] = [], options?: QueryOptions) => {
      const res = await run(client, nameOf, text, params, options);
      return { rows: res.rows as Row[], rowCount: res.rowCount ?? 0 } satisfies QueryResult<Row>;
    },
    exec: async (script) => {
      await client.query(script);
    },
    // Nested transactions join the outer one: callers compose units of work freely.
    transaction: (fn) => fn(sql),
    copyRows: (table, columns, rows) => copyIn(client, table, columns, rows),
    encodeRows,
  };
  return sql;
};

/** node-postgres Pool behind the Sql port, with LISTEN on one dedicated connection. */
export const postgresDatabase = async (opts: PostgresOptions): Promise<Database> => {
  // JIT off: OMS runs short statements (keyed lookups, pages, batches). PostgreSQL compiles one when
  // its estimated cost passes jit_above_cost, which happens where statistics are missing or stale
  // and the estimate is off by orders of magnitude — 80 ms of compiling measured on a statement that
  // then ran in 1 ms.
  const sessionOptions = ['-c jit=off', ...(opts.schema ? [`-c search_path=${quoteIdent(opts.schema)}`] : [])];
  const connection = {
    connectionString: opts.url,
    application_name: opts.applicationName ?? 'oms',
    types: { getTypeParser: typeParser },
    options: sessionOptions.join(' '),
  } as pg.ClientConfig;
  if (opts.schema) {
    const admin = new pg.Client(connection);
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(opts.schema)}`);
    } catch (error) {
      // Two instances creating the same schema at once: the loser sees a unique violation.
      if ((error as { code?: string }).code !== '23505') throw error;
    } finally {
      await admin.end();
    }
  }
  const newPool = (config: pg.ClientConfig, max: number) => {
    const p = new pg.Pool({ ...config, max, idleTimeoutMillis: 30_000 });
    // An idle client that loses its connection emits 'error' on the pool; without a listener that
    // crashes the process. The next checkout gets a fresh connection, so logging is not needed here.
    p.on('error', () => undefined);
    return p;
  };
  const poolSize = opts.poolSize ?? 10;
  const pool = newPool(connection, poolSize);
  // Statements marked 'planOnce' run on sessions that plan generically: PostgreSQL's own choice
  // ('auto') keeps re-planning a list page for every cursor because its estimate for an unknown
  // bound is worse than for the actual one. The setting is per session, so these sessions are
  // separate (opened on first use) and every other statement keeps per-value plans.
  let planOncePool: pg.Pool | null = null;
  const planOnce = () =>
    (planOncePool ??= newPool(
      { ...connection, options: [...sessionOptions, '-c plan_cache_mode=force_generic_plan'].join(' ') },
      Math.max(2, Math.ceil(poolSize / 2)),
    ));
  const nameOf = statementNames();

  const listeners = new Map<string, Set<() => void>>();
  let listenClient: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;

  const fireAll = () => {
    for (const set of listeners.values()) for (const cb of set) cb();
  };

  const connectListener = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const client = new pg.Client(connection);
      client.on('notification', (msg) => {
        for (const cb of listeners.get(msg.channel) ?? []) cb();
      });
      const reconnect = () => {
        if (listenClient !== client) return;
        listenClient = null;
        connecting = null;
        if (closed) return;
        // Notifications sent while disconnected are lost: wake everyone so they poll, then retry.
        fireAll();
        setTimeout(() => {
          if (!closed && listeners.size > 0) void connectListener().catch(reconnectLater);
        }, 1000).unref();
      };
      client.on('error', reconnect);
      client.on('end', reconnect);
      await client.connect();
      for (const channel of listeners.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
      listenClient = client;
      return client;
    })();
    return connecting;
  };
  const reconnectLater = () => {
    connecting = null;
    if (!closed) setTimeout(() => void connectListener().catch(reconnectLater), 1000).unref();
  };

  const db: Database = {
    kind: 'postgres',
    query: async <Row>(text: string, params: readonly SqlParam[] = [], options?: QueryOptions) => {
      const res = await run(options?.prepare === 'planOnce' ? planOnce() : pool, nameOf, text, params, options);
      return { rows: res.rows as Row[], rowCount: res.rowCount ?? 0 };
    },
    exec: async (script) => {
      await pool.query(script);
    },
    copyRows: (table, columns, rows) => db.transaction((tx) => tx.copyRows!(table, columns, rows)),
    encodeRows,
    transaction: async (fn) => {
      const client = await pool.connect();
      let broken = false;
      // A checked-out client has no 'error' listener (the pool only listens while it is idle), and
      // node-postgres emits 'error' when the server ends the session (restart, pg_terminate_backend,
      // network loss) even while a statement is running. Unheard, that event is an uncaught exception
      // that takes the whole process down; the statement in flight rejects on its own, so here it
      // only marks the connection as not reusable.
      const onConnectionError = () => {
        broken = true;
      };
      client.on('error', onConnectionError);
      try {
        await client.query('BEGIN');
        const result = await fn(clientSql(client, nameOf));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection itself failed: do not return it to the pool
        }
        throw error;
      } finally {
        client.removeListener('error', onConnectionError);
        client.release(broken);
      }
    },
    listen: async (channel, onNotify) => {
      const isNew = !listeners.has(channel);
      const set = listeners.get(channel) ?? new Set();
      set.add(onNotify);
      listeners.set(channel, set);
      const client = await connectListener();
      if (isNew && listenClient === client) await client.query(`LISTEN ${quoteIdent(channel)}`);
      return async () => {
        set.delete(onNotify);
        if (set.size === 0) {
          listeners.delete(channel);
          await listenClient?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
        }
      };
    },
    close: async () => {
      closed = true;
      const client = listenClient;
      listenClient = null;
      await client?.end().catch(() => undefined);
      await Promise.all([pool.end(), planOncePool?.end()]);
    },
  };
  return db;
};
