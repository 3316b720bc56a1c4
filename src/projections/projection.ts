import type { EventFilter, RecordedEvent } from '../domain/ports/eventStore.js';

/** One parameterised SQL statement, produced by pure projection code and run by the runner. */
export type SqlStatement = Readonly<{ text: string; params: readonly unknown[] }>;

export const sql = (text: string, ...params: unknown[]): SqlStatement => ({ text, params });

/**
 * Rows to load into `copy` with COPY (the Sql port's `copyRows`): rows the projection takes to be new
 * (no row with their key exists yet). Values as the port takes them (objects and arrays as JSON).
 */
export type CopyRows = Readonly<{ copy: string; columns: readonly string[]; rows: readonly (readonly unknown[])[] }>;

/** One step of a batch loaded with COPY: rows to copy, or a statement. */
export type LoadStep = SqlStatement | CopyRows;

/** A COPY step, of these load steps or of any with the same shape (rows encoded ahead, in the adapter). */
export const isCopy = <C extends Readonly<{ copy: string }>>(step: SqlStatement | C): step is C => 'copy' in step;

/**
 * A read model, defined purely: which events it reads, which tables it owns, and the SQL each
 * event turns into. The runner applies a batch's statements and the checkpoint in one transaction,
 * so statements need not be idempotent — but they must be deterministic (no now(), no random()),
 * so that a rebuild from zero produces exactly the same rows.
 */
export type Projection = Readonly<{
  name: string;
  /** Bump when the SQL or tables change: the runner then rebuilds the projection from zero. */
  version: number;
  filter: EventFilter;
  /** Tables this projection owns; emptied on rebuild. */
  tables: readonly string[];
  apply: (event: RecordedEvent) => readonly SqlStatement[];
  /**
   * Optional set-based form of `apply` for a whole batch: a few statements instead of one or more
   * per event (a rebuild of a million events is then thousands of statements, not millions). It
   * must have exactly the effect of `events.flatMap(apply)` run in order; the runner uses it when
   * present and runs each statement with bound parameters (they carry whole batches of values).
   */
  applyBatch?: (events: readonly RecordedEvent[]) => readonly SqlStatement[];
  /**
   * Optional form of `applyBatch` for a rebuild from zero on a database that can COPY: the rows it
   * takes to be new are loaded with COPY, the rest written by statements, in order. It must have the
   * effect of `applyBatch` whenever its COPY rows are indeed new; when one is not (its COPY fails on
   * the key), the runner rolls the steps back and applies the batch with `applyBatch` instead.
   */
  loadBatch?: (events: readonly RecordedEvent[]) => readonly LoadStep[];
}>;
