import t from 'tap';
import { prefetchOne } from '../../../src/adapters/shared/prefetch.js';

/** A source that records when each item was asked for and when the source was closed. */
const source = (n: number, failAt: number | null = null) => {
  const log: string[] = [];
  async function* items() {
    try {
      for (let i = 0; i < n; i++) {
        log.push(`read ${i}`);
        await new Promise((r) => setTimeout(r, 5));
        if (i === failAt) throw new Error(`source failed at ${i}`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  }
  return { items: items(), log };
};

t.test('the next item is read while the consumer handles the current one; every item once, in order', async (t) => {
  const s = source(3);
  const seen: number[] = [];
  for await (const item of prefetchOne(s.items)) {
    s.log.push(`handle ${item}`);
    await new Promise((r) => setTimeout(r, 10));
    seen.push(item);
  }
  t.same(seen, [0, 1, 2]);
  t.same(s.log.slice(0, 3), ['read 0', 'read 1', 'handle 0'], 'item 1 was asked for before item 0 was handled');
  t.equal(s.log.filter((l) => l === 'closed').length, 1, 'the source finished once');
});

t.test('ending the loop early closes the source after the read in flight; a source failure reaches the consumer', async (t) => {
  const s = source(10);
  for await (const item of prefetchOne(s.items)) if (item === 1) break;
  t.same(s.log, ['read 0', 'read 1', 'read 2', 'closed'], 'one read ahead, then closed');

  const f = source(10, 1);
  const seen: number[] = [];
  await t.rejects(
    (async () => {
      for await (const item of prefetchOne(f.items)) {
        await new Promise((r) => setTimeout(r, 20)); // the failure happens while this item is handled
        seen.push(item);
      }
    })(),
    /source failed at 1/,
  );
  t.same(seen, [0], 'the items before the failure were handled');
});
