/**
 * A producer that runs ahead of its consumer: `step` is called again as soon as its previous result
 * is taken or there is room, keeping at most `depth` results waiting. A rebuild reads and decodes
 * the next batches (node and one database session) while the current one is written (another
 * session): with a single batch ahead, each side kept waiting for the other.
 */
export type ReadAhead<T> = Readonly<{
  /** The next result in order, or null once the last one was taken (or after close). Throws what `step` threw. */
  next: () => Promise<T | null>;
  /** Stop producing; resolves once a step in flight has settled (its result is dropped). */
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

export const readAhead = <T>(step: (previous: T | null) => Promise<T>, isLast: (result: T) => boolean, depth: number): ReadAhead<T> => {
  const ready: T[] = [];
  let failure: { error: unknown } | null = null;
  let finished = false;
  let closed = false;
  const consumer = waiter();
  const producer = waiter();

  const produced = (async () => {
    let previous: T | null = null;
    try {
      while (!closed) {
        if (ready.length >= depth) {
          await producer.wait();
          continue;
        }
        const result = await step(previous);
        if (closed) return;
        ready.push(result);
        consumer.wake();
        if (isLast(result)) {
          finished = true;
          return;
        }
        previous = result;
      }
    } catch (error) {
      failure = { error };
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
    close: async () => {
      closed = true;
      producer.wake();
      consumer.wake();
      await produced;
    },
  };
};
