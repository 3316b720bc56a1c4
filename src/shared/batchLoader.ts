/**
 * Gathers the keys asked for while the event loop is busy with one burst of calls (the mapping of
 * a whole feed batch, the data keys of a page of orders, started together) and loads them with one
 * call, flushed with setImmediate — after the burst and its microtasks — so N concurrent lookups
 * cost one round trip, not N. Nothing is cached beyond the flush: a later call reads afresh.
 *
 * `load` gets every key of the burst and returns how to answer each: a value, or an error thrown
 * for that key alone (e.g. "not found"), which rejects only that key's callers. A failing `load`
 * rejects every caller of the burst.
 *
 * Layer-neutral (no I/O of its own): the application and the adapters both use it.
 */
export const batchLoader = <V>(load: (keys: readonly string[]) => Promise<(key: string) => V>) => {
  type Waiter = { resolve: (value: V) => void; reject: (error: unknown) => void };
  let pending = new Map<string, Waiter[]>();

  const answer = (waiters: readonly Waiter[], outcome: () => V) => {
    let value: V;
    try {
      value = outcome();
    } catch (error) {
      for (const w of waiters) w.reject(error);
      return;
    }
    for (const w of waiters) w.resolve(value);
  };

  const flush = async () => {
    const batch = pending;
    pending = new Map();
    let valueOf: (key: string) => V;
    try {
      valueOf = await load([...batch.keys()]);
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
      return;
    }
    for (const [key, waiters] of batch) answer(waiters, () => valueOf(key));
  };

  return (key: string): Promise<V> =>
    new Promise<V>((resolve, reject) => {
      if (pending.size === 0) setImmediate(() => void flush());
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
    });
};
