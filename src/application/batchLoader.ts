/**
 * Gathers the keys asked for while the event loop is busy with one burst of calls (the mapping of
 * a whole feed batch, started together) and loads them with one call, flushed with setImmediate —
 * after the burst and its microtasks — so N concurrent lookups cost one round trip, not N.
 * Nothing is cached beyond the flush: a later call reads afresh.
 */
export const batchLoader = <V>(load: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>, missing: V) => {
  type Waiter = { resolve: (value: V) => void; reject: (error: unknown) => void };
  let pending = new Map<string, Waiter[]>();

  const flush = async () => {
    const batch = pending;
    pending = new Map();
    try {
      const values = await load([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(values.get(key) ?? missing);
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  };

  return (key: string): Promise<V> =>
    new Promise<V>((resolve, reject) => {
      if (pending.size === 0) setImmediate(() => void flush());
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
    });
};
