import type { RecordedEvent } from '../../domain/ports/eventStore.js';
import type { EncodedRows, Sql } from '../../domain/ports/sql.js';
import { isCopy, type CopyRows, type LoadStep, type Projection, type SqlStatement } from '../../projections/projection.js';
import { toScripts } from './inlineSql.js';

/** The SQL of one batch of events for one projection, computed before its transaction opens. */
export type StatementsSql = Readonly<{ statements: readonly SqlStatement[]; setBased: boolean }>;

/** Rows to COPY, encoded already where the database can (see `encodedLoad`). */
type CopyStep = Readonly<Omit<CopyRows, 'rows'> & { rows: CopyRows['rows'] | EncodedRows }>;

/** A batch's load steps (a rebuild on a database that can COPY), with its statements to fall back on. */
export type LoadSql<S = SqlStatement | CopyStep> = Readonly<{ load: readonly S[]; otherwise: () => StatementsSql }>;

export type BatchSql = StatementsSql | LoadSql;

/** Throws what the projection throws (an event it cannot decode): the runner then isolates that event. */
export const batchSql = (p: Projection, events: readonly RecordedEvent[]): StatementsSql =>
  p.applyBatch
    ? { statements: p.applyBatch(events), setBased: true }
    : { statements: events.flatMap((event) => p.apply(event)), setBased: false };

/** The batch with its new rows loaded by COPY, for a projection that has `loadBatch` (else its statements). */
export const loadSql = (p: Projection, events: readonly RecordedEvent[]): StatementsSql | LoadSql<LoadStep> =>
  p.loadBatch ? { load: p.loadBatch(events), otherwise: () => batchSql(p, events) } : batchSql(p, events);

/**
 * The load's COPY rows encoded now by `encode` (the database's `encodeRows`): a rebuild prepares its
 * next batches while one is written, so that batch's transaction only sends bytes.
 */
export const encodedLoad = (sql: StatementsSql | LoadSql<LoadStep>, encode: Sql['encodeRows']): BatchSql =>
  'load' in sql && encode ? { ...sql, load: sql.load.map((step) => (isCopy(step) ? { ...step, rows: encode(step.rows, step.columns.length) } : step)) } : sql;

const UNIQUE_VIOLATION = '23505';

/**
 * Load steps run in order behind a savepoint: when a COPY meets a row that exists already (the
 * projection took it for new), they are rolled back to it and the batch's statements run instead —
 * the same effect either way, in the caller's transaction. Set-based statements are few and carry a
 * whole batch in one parameter: they run with bound parameters (nothing to escape, no megabytes of
 * literals for the server to lex). Per-event statements are many and small: inlined into one
 * script, so the batch is one round trip.
 */
export const runBatchSql = async (tx: Sql, sql: BatchSql): Promise<void> => {
  if ('load' in sql) {
    if (!tx.copyRows) return runBatchSql(tx, sql.otherwise());
    const copies = sql.load.some(isCopy);
    if (copies) await tx.query('SAVEPOINT batch_load');
    try {
      for (const step of sql.load) {
        if (isCopy(step)) await tx.copyRows(step.copy, step.columns, step.rows);
        else await tx.query(step.text, step.params);
      }
    } catch (error) {
      if (!copies || (error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT batch_load');
      await runBatchSql(tx, sql.otherwise());
    }
    return;
  }
  if (sql.setBased) {
    for (const st of sql.statements) await tx.query(st.text, st.params);
    return;
  }
  for (const script of toScripts(sql.statements)) await tx.exec(script);
};
