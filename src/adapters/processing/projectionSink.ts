import type { Logger } from 'pino';
import type { Checkpoint, EventBatch, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database, Sql } from '../../domain/ports/sql.js';
import { isTransientError } from '../sql/transientErrors.js';
import { advanceCheckpoint, lockCheckpointAt, markCheckpointFailed } from './checkpoints.js';
import type { Outcome, Prepared, Round, Sink } from './sink.js';

/**
 * The projection sink: a batch's statements and its checkpoint commit in one transaction, after the
 * checkpoint row is locked and found where the batch was read from — exactly-once effect on the read
 * model, and two instances never apply the same batch (the loser reopens where the winner got to).
 * A non-transient failure is narrowed down to one event by applying the batch one event at a time;
 * that event is recorded on the row and the processor stops (`failed`), others go on.
 */
export type ProjectionSinkOptions<W> = Readonly<{
  db: Database;
  /** The checkpoint row's name. */
  name: string;
  log: Logger;
  open: () => Promise<Round | 'failed'>;
  /** Pure: what `write` runs for these events; throws on an event it cannot handle. */
  prepare: (events: readonly RecordedEvent[]) => W;
  /** Run the prepared work inside the batch's transaction. */
  write: (tx: Sql, work: W) => Promise<void>;
  /** Commit without waiting for the WAL flush (a rebuild: the checkpoint goes back with the rows after a crash). */
  asyncCommit?: () => boolean;
  reachedHead?: () => Promise<void>;
  /** A batch committed (each part, when a failing batch was split). */
  onApplied?: (batch: EventBatch) => void;
  onFailed?: (event: RecordedEvent) => void;
}>;

class Superseded extends Error {}

/** Prepared work, or null when preparing threw (the event is then found by isolation). */
type Work<W> = W | null;

export const projectionSink = <W>(opts: ProjectionSinkOptions<W>): Sink<Work<W>> => {
  const { db, name, log } = opts;

  const prepare = (batch: EventBatch): Work<W> => {
    try {
      return opts.prepare(batch.events);
    } catch {
      return null;
    }
  };

  const commit = async (from: Checkpoint | null, batch: EventBatch, work: W): Promise<void> => {
    const asyncCommit = (opts.asyncCommit?.() ?? false) && db.kind === 'postgres';
    await db.transaction(async (tx) => {
      if (!(await lockCheckpointAt(tx, name, from, asyncCommit))) throw new Superseded();
      await opts.write(tx, work);
      await advanceCheckpoint(tx, name, batch);
    });
  };

  const handle = async ({ batch, work }: Prepared<Work<W>>, from: Checkpoint | null): Promise<Outcome> => {
    try {
      await commit(from, batch, work ?? opts.prepare(batch.events));
      opts.onApplied?.(batch);
      return 'applied';
    } catch (error) {
      if (error instanceof Superseded) return 'superseded';
      // No event to blame (the batch only moves the checkpoint): retried with back-off, not skipped.
      if (isTransientError(error) || batch.events.length === 0) throw error;
      if (batch.events.length === 1) {
        const event = batch.events[0]!;
        const failed = await markCheckpointFailed(db, name, event, error instanceof Error ? error.message : String(error));
        opts.onFailed?.(event);
        log.error({ projection: name, event: failed, err: error }, 'projection stopped on an event it cannot apply');
        return 'failed';
      }
      let at = from;
      for (const event of batch.events) {
        const one = { events: [event], checkpoint: event.checkpoint };
        const outcome = await handle({ batch: one, work: prepare(one) }, at);
        if (outcome !== 'applied') return outcome;
        at = event.checkpoint;
      }
      // Every event applied alone: the failure needed the whole batch. Move past what remains.
      if (at === batch.checkpoint) return 'applied';
      const rest = { events: [], checkpoint: batch.checkpoint };
      return handle({ batch: rest, work: prepare(rest) }, at);
    }
  };

  return {
    kind: 'projection',
    open: opts.open,
    prepare,
    handle: (prepared, from) => handle(prepared, from),
    ...(opts.reachedHead ? { reachedHead: opts.reachedHead } : {}),
  };
};
