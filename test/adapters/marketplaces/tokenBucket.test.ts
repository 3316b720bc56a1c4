import t from 'tap';
import { systemTiming, type Timing } from '../../../src/adapters/marketplaces/timing.js';
import { tokenBucket, tokenBuckets } from '../../../src/adapters/marketplaces/tokenBucket.js';
import { virtualTiming } from './fixtures/support.js';

t.test('a full bucket serves its burst at once, then one request per 1/rate', async (t) => {
  const timing = virtualTiming();
  const bucket = tokenBucket({ rate: 0.5, burst: 3 }, timing);
  for (let i = 0; i < 3; i += 1) await bucket.take();
  t.same(timing.waits, [], 'the burst needs no waiting');
  await bucket.take();
  t.same(timing.waits, [2000], 'the fourth waits for the next token (1 / 0.5 per second)');
  await bucket.take();
  t.same(timing.waits, [2000, 2000]);
  timing.advance(60_000);
  t.equal(bucket.state().tokens, 3, 'refills to the burst, no further');
});

t.test('the Amazon searchOrders plan: 20 at once, then one every ~179 s', async (t) => {
  const timing = virtualTiming();
  const bucket = tokenBucket({ rate: 0.0056, burst: 20 }, timing);
  for (let i = 0; i < 22; i += 1) await bucket.take();
  t.equal(timing.waits.length, 2);
  t.ok(timing.waits.every((ms) => Math.abs(ms - 1000 / 0.0056) <= 1), `waits ${timing.waits.join(', ')}`);
});

t.test('setRate: the rate the marketplace reports replaces the documented one', async (t) => {
  const timing = virtualTiming();
  const bucket = tokenBucket({ rate: 1, burst: 1 }, timing);
  await bucket.take();
  bucket.setRate(0.25);
  await bucket.take();
  t.same(timing.waits, [4000]);
  bucket.setRate(Number.NaN);
  bucket.setRate(0);
  bucket.setRate(-3);
  t.equal(bucket.state().rate, 0.25, 'nonsense rates are ignored');
});

t.test('sync: the marketplace count wins when lower; an empty count blocks until its replenishment time', async (t) => {
  const timing = virtualTiming();
  const bucket = tokenBucket({ rate: 100, burst: 100 }, timing);
  bucket.sync(2, null);
  t.equal(bucket.state().tokens, 2);
  bucket.sync(50, null);
  t.equal(bucket.state().tokens, 2, 'a higher count does not add tokens we have not earned');
  bucket.sync(0, timing.now() + 30_000);
  await bucket.take();
  t.ok((timing.waits[0] ?? 0) >= 30_000, `waited ${timing.waits[0]} ms for the replenishment`);
  const other = tokenBucket({ rate: 100, burst: 100 }, timing);
  other.sync(0, timing.now() + 3_600_000);
  t.ok(other.state().blockedUntil <= timing.now() + 5 * 60_000, 'a far-off replenishment time is capped (clock mismatch)');
  other.sync(0, timing.now() - 1000);
  other.sync(Number.NaN, null);
});

t.test('drain: after a 429 the next request waits a full interval', async (t) => {
  const timing = virtualTiming();
  const bucket = tokenBucket({ rate: 2, burst: 10 }, timing);
  bucket.drain();
  await bucket.take();
  t.same(timing.waits, [500]);
});

/** Virtual time with real concurrency: sleepers wake in deadline order as the test advances the clock. */
const scheduler = () => {
  let now = 0;
  const timers: { at: number; wake: () => void }[] = [];
  const timing: Timing = {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => void timers.push({ at: now + ms, wake })),
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const runUntilIdle = async () => {
    for (await settle(); timers.length > 0; await settle()) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift() as { at: number; wake: () => void };
      now = Math.max(now, next.at);
      next.wake();
    }
  };
  return { timing, runUntilIdle };
};

t.test('concurrent takers never exceed the plan', async (t) => {
  const { timing, runUntilIdle } = scheduler();
  const bucket = tokenBucket({ rate: 1, burst: 2 }, timing);
  const takenAt: number[] = [];
  const all = Promise.all(
    Array.from({ length: 6 }, async () => {
      await bucket.take();
      takenAt.push(timing.now());
    }),
  );
  await runUntilIdle();
  await all;
  t.same(takenAt, [0, 0, 1000, 2000, 3000, 4000], 'a burst of two, then one a second');
});

t.test('waiting stops when the signal aborts', async (t) => {
  const bucket = tokenBucket({ rate: 0.001, burst: 1 }, systemTiming);
  await bucket.take();
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 30);
  await t.rejects(bucket.take(controller.signal), { name: 'AbortError' });
  t.ok(Date.now() - started < 2000, 'did not wait for the token');
  await t.rejects(bucket.take(AbortSignal.abort()), { name: 'AbortError' }, 'an aborted signal fails at once');
});

t.test('one bucket per authorization and operation', async (t) => {
  const timing = virtualTiming();
  const buckets = tokenBuckets({ search: { rate: 1, burst: 1 }, get: { rate: 1, burst: 5 } }, timing);
  t.equal(buckets.bucket('a', 'search'), buckets.bucket('a', 'search'));
  t.not(buckets.bucket('a', 'search'), buckets.bucket('b', 'search'));
  t.equal(buckets.bucket('a', 'get').state().burst, 5);
  await buckets.bucket('a', 'search').take();
  await buckets.bucket('b', 'search').take();
  t.same(timing.waits, [], 'sellers do not share a bucket');
});
