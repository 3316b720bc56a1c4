import t from 'tap';
import { singleFlight } from '../../src/shared/singleFlight.js';

t.test('callers during a run share it; a caller after it starts a new run', async (t) => {
  let runs = 0;
  let finish: (() => void) | null = null;
  const refresh = singleFlight(async () => {
    runs++;
    await new Promise<void>((resolve) => (finish = resolve));
    return runs;
  });
  const during = [refresh(), refresh(), refresh()];
  t.equal(runs, 1, 'three callers, one run');
  finish!();
  t.same(await Promise.all(during), [1, 1, 1]);
  const after = refresh();
  t.equal(runs, 2, 'a new run once the first has settled');
  finish!();
  t.equal(await after, 2);
});

t.test('a failed run reaches its callers and does not stick', async (t) => {
  let fail = true;
  const refresh = singleFlight(async () => {
    if (fail) throw new Error('database away');
    return 'ok';
  });
  await t.rejects(Promise.all([refresh(), refresh()]), /database away/);
  fail = false;
  t.equal(await refresh(), 'ok');
});
