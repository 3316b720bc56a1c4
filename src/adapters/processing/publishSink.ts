import type { EventBatch, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { fencedCheckpoint } from '../feed/fencedCheckpoint.js';
import { advanceCheckpointIfAt, ensureCheckpointRow, loadCheckpoint } from './checkpoints.js';
import type { Sink } from './sink.js';

/**
 * The publish sink: a batch's messages go to a broker, and only after the broker acknowledged them
 * does the checkpoint move — at least once. Under a lease, the checkpoint moves only while the lease
 * is held at the batch's epoch (the lease row locked FOR SHARE in the same statement,
 * fencedCheckpoint.ts), so a holder that lost the lease never moves it; a holder that is not sure it
 * still holds the lease sends nothing. A crash between the ack and the checkpoint sends the batch
 * again after restart: the mapping is deterministic, so with the same message ids, and consumers
 * de-duplicate on them. Messages of one batch per event, in event order; `publish` must send them in
 * that order (one send after the other), so a resend can duplicate, never reorder.
 */
export type PublishSinkOptions<M> = Readonly<{
  db: Database;
  /** The checkpoint row's name. */
  name: string;
  /** Readies the broker connection (e.g. the topic and the producer) each time the processor opens. */
  connect: () => Promise<void>;
  /** The messages of each event (none for an event the feed skips); runs in the read-ahead. */
  messagesOf: (events: readonly RecordedEvent[]) => Promise<M[][]>;
  /** Send the messages and resolve once the broker acknowledged every one (throws otherwise). */
  publish: (events: readonly RecordedEvent[], messages: readonly M[][]) => Promise<void>;
  /** Batches ready together go as one send and one checkpoint, up to this many events. */
  maxGroupEvents: number;
  /** A batch was published (or had nothing to send) and its checkpoint stored. */
  onApplied?: (batch: EventBatch) => void;
  interrupted?: (error: unknown, attempt: number) => void;
}>;

export const publishSink = <M>(opts: PublishSinkOptions<M>): Sink<M[][]> => {
  const { db, name } = opts;
  return {
    kind: 'publish',
    open: async () => {
      await opts.connect();
      await ensureCheckpointRow(db, name);
      return { after: await loadCheckpoint(db, name), until: 'live' };
    },
    prepare: (batch) => opts.messagesOf(batch.events),
    group: { maxEvents: opts.maxGroupEvents, merge: (works) => works.flat() },
    handle: async ({ batch, work }, from, lease) => {
      const messages = work;
      if (messages.some((m) => m.length > 0)) {
        // Not sure the lease is still ours (renewals failing): send nothing; the processor reopens.
        if (lease && !lease.valid()) return 'superseded';
        await opts.publish(batch.events, messages);
      }
      const stored = lease
        ? (await fencedCheckpoint(db, name, lease).advance({
            epoch: lease.epoch,
            expected: from,
            next: batch.checkpoint,
            events: batch.events.length,
            lastEventAt: batch.events.at(-1)?.recordedAt ?? null,
          })) === 'stored'
        : await advanceCheckpointIfAt(db, name, from, batch, null);
      if (!stored) return 'superseded';
      opts.onApplied?.(batch);
      return 'applied';
    },
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
  };
};
