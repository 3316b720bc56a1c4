import t from 'tap';
import { batchLoader } from '../../src/shared/batchLoader.js';

t.test('calls started together are loaded with one call; each key answered, or rejected, on its own', async (t) => {
  const loads: string[][] = [];
  const get = batchLoader<number>(async (keys) => {
    loads.push([...keys]);
    return (key) => {
      if (key === 'missing') throw new Error(`no ${key}`);
      return key.length;
    };
  });
  const results = await Promise.allSettled([get('a'), get('bb'), get('a'), get('missing')]);
  t.same(loads, [['a', 'bb', 'missing']], 'one load, each key once');
  t.same(results.slice(0, 3).map((r) => (r.status === 'fulfilled' ? r.value : null)), [1, 2, 1]);
  t.match(results[3], { status: 'rejected', reason: { message: 'no missing' } }, 'only that key is rejected');

  await get('ccc');
  t.same(loads.at(-1), ['ccc'], 'a later call loads afresh (nothing cached)');
});

t.test('a failing load rejects every caller of its burst, and only those', async (t) => {
  let fail = true;
  const get = batchLoader<string>(async (keys) => {
    if (fail) throw new Error(`load of ${keys.length} failed`);
    return (key) => key.toUpperCase();
  });
  const burst = await Promise.allSettled([get('x'), get('y')]);
  t.same(burst.map((r) => r.status), ['rejected', 'rejected']);
  t.match(burst[0], { reason: { message: 'load of 2 failed' } });
  fail = false;
  t.equal(await get('z'), 'Z', 'the next burst loads normally');
});
