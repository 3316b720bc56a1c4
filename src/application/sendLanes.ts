/**
 * Bounded concurrency for the marketplace sender: a lane limit per key (a seller account), a
 * serial queue per key (an order: its calls must reach the marketplace in order), and a bounded
 * map that waits for every task before it reports the first failure (no work is left running
 * behind a rejected batch).
 */

/** At most `limit` tasks of one key run at once; the others wait in arrival order. */
export const keyedLimiter = (limit: number) => {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`the limit must be a positive integer, got ${limit}`);
  const lanes = new Map<string, { running: number; waiting: (() => void)[] }>();
  return async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    let lane = lanes.get(key);
    if (lane === undefined) {
      lane = { running: 0, waiting: [] };
      lanes.set(key, lane);
    }
    const own = lane;
    if (own.running >= limit) await new Promise<void>((resolve) => own.waiting.push(resolve));
    else own.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter (running stays the same), or is freed.
      const next = own.waiting.shift();
      if (next !== undefined) next();
      else if (--own.running === 0) lanes.delete(key);
    }
  };
};

/** Tasks of one key run one after the other (in the order they were queued); other keys meanwhile. */
export const serialPerKey = () => {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
};

/**
 * Runs `fn` over `items` with at most `limit` at once. Every item is attempted; when some failed,
 * the first failure is thrown after all have settled.
 */
export const forEachBounded = async <T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
};
