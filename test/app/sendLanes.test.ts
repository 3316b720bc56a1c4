import t from 'tap';
import { forEachBounded, keyedLimiter, serialPerKey } from '../../src/application/sendLanes.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A task that stays running until released, recording how many of its key ran at once. */
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};

t.test('keyedLimiter: at most `limit` per key at once, other keys unaffected, waiters in order', async (t) => {
  const limit = keyedLimiter(2);
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  const order: string[] = [];
  const gates = Array.from({ length: 5 }, gate);
  const task = (key: string, i: number) => () => {
    running.set(key, (running.get(key) ?? 0) + 1);
    peak.set(key, Math.max(peak.get(key) ?? 0, running.get(key)!));
    order.push(`${key}${i}`);
    return gates[i]!.opened.then(() => {
      running.set(key, running.get(key)! - 1);
      return i;
    });
  };
  const all = [0, 1, 2, 3].map((i) => limit('a', task('a', i)));
  const other = limit('b', task('b', 4));
  await tick();
  t.same(order, ['a0', 'a1', 'b4'], 'two of key a started, the others wait; key b is not held up');
  gates[1]!.open();
  await tick();
  t.same(order, ['a0', 'a1', 'b4', 'a2'], 'a freed slot goes to the first waiter');
  for (const g of gates) g.open();
  t.same(await Promise.all(all), [0, 1, 2, 3]);
  t.equal(await other, 4);
  t.equal(peak.get('a'), 2);
  t.throws(() => keyedLimiter(0), /positive integer/);
});

t.test('keyedLimiter: a failing task frees its slot', async (t) => {
  const limit = keyedLimiter(1);
  await t.rejects(limit('k', () => Promise.reject(new Error('boom'))), /boom/);
  t.equal(await limit('k', () => Promise.resolve('next')), 'next');
});

t.test('serialPerKey: one key one at a time in queue order, even after a failure; keys independent', async (t) => {
  const serial = serialPerKey();
  const log: string[] = [];
  const g = gate();
  const first = serial('o1', async () => {
    log.push('o1:first:start');
    await g.opened;
    log.push('o1:first:end');
    throw new Error('first failed');
  });
  const second = serial('o1', async () => {
    log.push('o1:second');
    return 2;
  });
  const other = serial('o2', async () => {
    log.push('o2');
    return 3;
  });
  t.equal(await other, 3);
  t.same(log, ['o1:first:start', 'o2'], 'the second task of o1 waits; o2 does not');
  g.open();
  await t.rejects(first, /first failed/);
  t.equal(await second, 2);
  t.same(log, ['o1:first:start', 'o2', 'o1:first:end', 'o1:second']);
});

t.test('forEachBounded: bounded, every item attempted, the first failure thrown after all settled', async (t) => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  await t.rejects(
    forEachBounded([1, 2, 3, 4, 5, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      if (n === 2) throw new Error('two failed');
      done.push(n);
    }),
    /two failed/,
  );
  t.equal(peak, 3);
  t.same(done.sort(), [1, 3, 4, 5, 6], 'the others still ran');
  await forEachBounded([], 4, () => Promise.reject(new Error('never called')));
});
