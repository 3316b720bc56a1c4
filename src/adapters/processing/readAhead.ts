/**
 * Bounded read-ahead, the runtime's back-pressure: a producer pulls the next items from `source`
 * (and maps them, e.g. a batch into its SQL) while the consumer handles earlier ones, keeping at
 * most `depth` results waiting. A slow sink therefore holds at most `depth` batches (+ the one in
 * flight) in memory, however far behind it is; a fast one rarely waits for a read.
 */
export type ReadAhead<T> = Readonly<{
  /** The next result in order, or null at the end (or after close). Throws what the source or `map` threw. */
  next: () => Promise<T | null>;
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

export const readAhead = <S, T>(source: AsyncIterable<S>, depth: number, map: (item: S) => T): ReadAhead<T> => {
  const iterator = source[Symbol.asyncIterator]();
  const ready: T[] = [];
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
        ready.push(map(result.value));
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
        const result = ready.shift();
        if (result !== undefined) {
          producer.wake();
          return result;
        }
        if (failure) throw failure.error;
        if (finished) return null;
        await consumer.wait();
      }
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
