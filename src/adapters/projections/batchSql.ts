import type { RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Sql } from '../../domain/ports/sql.js';
import type { Projection, SqlStatement } from '../../projections/projection.js';
import { toScripts } from './inlineSql.js';

/** The SQL of one batch of events for one projection, computed before its transaction opens. */
export type BatchSql = Readonly<{ statements: readonly SqlStatement[]; setBased: boolean }>;

/** Throws what the projection throws (an event it cannot decode): the runner then isolates that event. */
export const batchSql = (p: Projection, events: readonly RecordedEvent[]): BatchSql =>
  p.applyBatch
    ? { statements: p.applyBatch(events), setBased: true }
    : { statements: events.flatMap((event) => p.apply(event)), setBased: false };

/**
 * Set-based statements are few and carry a whole batch in one parameter: they run with bound
 * parameters (nothing to escape, no megabytes of literals for the server to lex). Per-event
 * statements are many and small: inlined into one script, so the batch is one round trip.
 */
export const runBatchSql = async (tx: Sql, sql: BatchSql): Promise<void> => {
  if (sql.setBased) {
    for (const st of sql.statements) await tx.query(st.text, st.params);
    return;
  }
  for (const script of toScripts(sql.statements)) await tx.exec(script);
};
