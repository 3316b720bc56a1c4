import type { EventBatch, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { advanceCheckpointIfAt, ensureCheckpointRow, loadCheckpoint } from './checkpoints.js';
import type { Sink } from './sink.js';

/**
 * The reactor sink: side effects (commands to the domain, calls out), then the checkpoint — at
 * least once. A crash between the two repeats the batch's reactions, so reactions must be
 * idempotent. The checkpoint moves only from where the batch was read (and, with a lease, only while
 * it is held at the same epoch): an instance that lost the race or the lease reopens instead.
 */
export const reactorSink = (opts: Readonly<{ db: Database; name: string; react: (events: readonly RecordedEvent[]) => Promise<void> }>): Sink<null> => ({
  kind: 'reactor',
  open: async () => {
    await ensureCheckpointRow(opts.db, opts.name);
    return { after: await loadCheckpoint(opts.db, opts.name), until: 'live' };
  },
  prepare: (_batch: EventBatch) => null,
  handle: async ({ batch }, from, lease) => {
    await opts.react(batch.events);
    return (await advanceCheckpointIfAt(opts.db, opts.name, from, batch, lease)) ? 'applied' : 'superseded';
  },
});
