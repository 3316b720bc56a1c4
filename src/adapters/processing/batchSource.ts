import type { Checkpoint, EventBatch, EventFilter, EventStore } from '../../domain/ports/eventStore.js';
import type { Round } from './sink.js';

/**
 * The batches of one round: a live catch-up subscription, or reads up to the newest event (a batch
 * shorter than `maxBatch` is the last). Both end when `signal` aborts.
 */
export const batchSource = (
  store: EventStore,
  round: Round,
  filter: EventFilter,
  maxBatch: number,
  signal: AbortSignal,
): AsyncIterable<EventBatch> =>
  round.until === 'live' ? store.subscribe({ after: round.after, filter, maxBatch, signal }) : readToHead(store, round.after, filter, maxBatch, signal);

async function* readToHead(store: EventStore, after: Checkpoint | null, filter: EventFilter, maxBatch: number, signal: AbortSignal) {
  let at = after;
  while (!signal.aborted) {
    const batch = await store.readAll(at, { maxCount: maxBatch, filter });
    yield batch;
    if (batch.events.length < maxBatch) return;
    at = batch.checkpoint;
  }
}
