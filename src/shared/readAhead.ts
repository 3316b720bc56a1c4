/**
 * Bounded read-ahead, the one helper for it (the event-processing runtime's back-pressure, the
 * feed's batches, the pull's pages): a producer pulls the next items from `source` and maps them
 * (e.g. a batch into its SQL or its messages, a page into its events) while the consumer handles
 * earlier ones, keeping at most `depth` results waiting. A slow consumer therefore holds at most
 * `depth` items (+ the one in flight) in memory, however far behind it is; a fast one rarely waits.
 *
 * `map` may be asynchronous: it is started as soon as an item is read, not awaited by the producer,
 * so several items are mapped at once (up to `depth`) while results still come out in read order.
 * A failure (of the source or of one item's `map`) reaches the consumer in its turn, after the
 * results before it.
 *
 * Layer-neutral (no I/O of its own): the application and the adapters both use it.
 */
export type ReadAhead<T> = Readonly<{
  /** The next result in order, or null at the end (or after close). Throws what the source or `map` threw. */
  next: () => Promise<T | null>;
  /** The next result if it is already mapped (neither the end nor a failure); otherwise undefined, taking nothing. */
  nextIfReady: () => T | undefined;
  /** Results read and waiting for the consumer (for metrics and tests). */
  buffered: () => number;
  /**
   * Stop reading; resolves once a read in flight has settled (its result is dropped) and the
   * source is closed. A live source must be ended first (its signal aborted), or this waits for it.
   */
  close: () => Promise<void>;
}>;

/** One waiter at a time, woken by `wake` (a no-op when nobody waits). */
const waiter = () => {
  let resolve: (() => void) | null = null;
  return {
    wait: () => new Promise<void>((r) => (resolve = r)),
    wake: () => {
      const r = resolve;
      resolve = null;
      r?.();
    },
  };
};

/** One read item: its mapped result, and the result itself once it settled successfully. */
type Slot<T> = { result: Promise<T>; done: { value: T } | null };

const isThenable = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as { then?: unknown } | null)?.then === 'function';

const slotOf = <T>(map: () => T | Promise<T>): Slot<T> => {
  let mapped: T | Promise<T>;
  try {
    mapped = map();
  } catch (error) {
    mapped = Promise.reject(error);
  }
  if (!isThenable(mapped)) return { result: Promise.resolve(mapped), done: { value: mapped } };
  const slot: Slot<T> = { result: mapped, done: null };
  // Handled here too, so a result never taken (the consumer closed first) is no unhandled rejection.
  mapped.then(
    (value) => (slot.done = { value }),
    () => undefined,
  );
  return slot;
};

export const readAhead = <S, T>(source: AsyncIterable<S>, depth: number, map: (item: S) => T | Promise<T>): ReadAhead<T> => {
  const iterator = source[Symbol.asyncIterator]();
  const ready: Slot<T>[] = [];
  let failure: { error: unknown } | null = null;
  let finished = false;
  let closed = false;
  const consumer = waiter();
  const producer = waiter();

  const produced = (async () => {
    try {
      while (!closed) {
        if (ready.length >= Math.max(1, depth)) {
          await producer.wait();
          continue;
        }
        const result = await iterator.next();
        if (closed) return;
        if (result.done) {
          finished = true;
          return;
        }
        const item = result.value;
        ready.push(slotOf(() => map(item)));
        consumer.wake();
      }
    } catch (error) {
      failure = { error };
    } finally {
      consumer.wake();
    }
  })();

  return {
    next: async () => {
      for (;;) {
        if (closed) return null;
        const slot = ready.shift();
        if (slot !== undefined) {
          producer.wake();
          return slot.done ? slot.done.value : slot.result;
        }
        if (failure) throw failure.error;
        if (finished) return null;
        await consumer.wait();
      }
    },
    nextIfReady: () => {
      const slot = ready[0];
      if (closed || !slot?.done) return undefined;
      ready.shift();
      producer.wake();
      return slot.done.value;
    },
    buffered: () => ready.length,
    close: async () => {
      closed = true;
      producer.wake();
      consumer.wake();
      await produced;
      await iterator.return?.();
    },
  };
};
