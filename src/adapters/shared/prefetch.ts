/**
 * An async iterable that asks its source for the next item as soon as it hands one out, so the
 * source's work (a subscription reading the next batch from the database) overlaps the consumer's
 * (applying or reacting to the current one). At most one item is read ahead; ending the loop
 * closes the source once the read in flight has settled.
 */
export async function* prefetchOne<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const ask = () => {
    const next = iterator.next();
    // Awaited in its turn below; a failure while the consumer is busy is not "unhandled" meanwhile.
    next.catch(() => undefined);
    return next;
  };
  let next = ask();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = ask();
      yield result.value;
    }
  } finally {
    // An async generator queues return() behind the pending next(): this waits for the read in flight.
    await next.catch(() => undefined);
    await iterator.return?.();
  }
}
