import t from 'tap';
import { readAhead } from '../../src/shared/readAhead.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** A source of `n` items that records each read, a failure at `failAt`, and when it was closed. */
const source = (n: number, failAt: number | null = null) => {
  const log: string[] = [];
  let reads = 0;
  let inFlight = 0;
  async function* items() {
    try {
      for (let i = 0; i < n; i++) {
        log.push(`read ${i}`);
        reads++;
        inFlight++;
        await tick();
        inFlight--;
        if (i === failAt) throw new Error(`source failed at ${i}`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  }
  return { items: items(), log, reads: () => reads, inFlight: () => inFlight };
};

t.test('results come in order, mapped, at most `depth` waiting, and end after the last', async (t) => {
  const s = source(6);
  const ahead = readAhead(s.items, 2, (n) => n * 10);
  for (let i = 0; i < 6; i++) await tick();
  t.equal(ahead.buffered(), 2, 'two read ahead while nobody takes them');
  t.equal(s.reads(), 2, 'and no further read starts until there is room');
  const taken: number[] = [];
  for (let n = await ahead.next(); n !== null; n = await ahead.next()) {
    taken.push(n);
    t.ok(s.reads() - taken.length <= 2 + 1, 'never more than depth waiting (plus one in flight)');
    await tick();
  }
  t.same(taken, [0, 10, 20, 30, 40, 50]);
  t.equal(s.reads(), 6, 'nothing read after the last');
  await ahead.close();
  t.equal(s.log.filter((l) => l === 'closed').length, 1, 'the source finished once');
});

t.test('with depth 1 the next item is read while the consumer handles the current one', async (t) => {
  const s = source(3);
  const ahead = readAhead(s.items, 1, (n) => n);
  const seen: number[] = [];
  for (let n = await ahead.next(); n !== null; n = await ahead.next()) {
    s.log.push(`handle ${n}`);
    await tick();
    await tick();
    seen.push(n);
  }
  await ahead.close();
  t.same(seen, [0, 1, 2]);
  t.same(s.log.slice(0, 3), ['read 0', 'read 1', 'handle 0'], 'item 1 was asked for before item 0 was handled');
});

t.test('a failure reaches the consumer after the results before it', async (t) => {
  const s = source(10, 2);
  const ahead = readAhead(s.items, 3, (n) => n);
  t.equal(await ahead.next(), 0);
  t.equal(await ahead.next(), 1);
  await t.rejects(ahead.next(), /source failed at 2/);
  await ahead.close();
});

t.test('close waits for the read in flight, then closes the source; nothing is read after', async (t) => {
  const s = source(100);
  const ahead = readAhead(s.items, 1, (n) => n);
  t.equal(await ahead.next(), 0);
  await ahead.close();
  t.equal(s.inFlight(), 0, 'no read left running');
  t.equal(s.log.at(-1), 'closed', 'the source was closed');
  const after = s.reads();
  await tick();
  await tick();
  t.equal(s.reads(), after, 'no read started after close');
  t.equal(await ahead.next(), null, 'a closed reader has nothing more');
});

t.test('an asynchronous map runs for several items at once; results still come in read order', async (t) => {
  const s = source(4);
  const releases: (() => void)[] = [];
  const started: number[] = [];
  const ahead = readAhead(s.items, 3, (n) => {
    started.push(n);
    return new Promise<number>((resolve) => releases.push(() => resolve(n * 10)));
  });
  const first = ahead.next();
  for (let i = 0; i < 6; i++) await tick();
  t.same(started, [0, 1, 2, 3], 'the one taken and three waiting are mapped at once');
  releases[2]!();
  await tick();
  t.equal(ahead.nextIfReady(), undefined, 'the next result (1) is not mapped yet: nothing is taken out of turn');
  releases[0]!();
  t.equal(await first, 0);
  releases[1]!();
  await tick();
  t.equal(ahead.nextIfReady(), 10, 'a result already mapped is taken without waiting');
  t.equal(ahead.nextIfReady(), 20);
  t.equal(ahead.nextIfReady(), undefined, 'the fourth item is still mapping');
  releases[3]!();
  t.equal(await ahead.next(), 30);
  t.equal(await ahead.next(), null);
  await ahead.close();
});

t.test("one item's failing map reaches the consumer in its turn, after the results before it", async (t) => {
  const s = source(5);
  const ahead = readAhead(s.items, 3, async (n) => {
    await tick();
    if (n === 1) throw new Error('map failed at 1');
    return n;
  });
  t.equal(await ahead.next(), 0);
  await t.rejects(ahead.next(), /map failed at 1/);
  await ahead.close();
});
