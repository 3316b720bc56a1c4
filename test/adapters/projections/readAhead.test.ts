import t from 'tap';
import { readAhead } from '../../../src/adapters/projections/readAhead.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

t.test('results come in order, at most `depth` ahead of the consumer, and end after the last', async (t) => {
  let started = 0;
  const ahead = readAhead<number>(
    async (previous) => {
      started++;
      await tick();
      return (previous ?? 0) + 1;
    },
    (n) => n === 6,
    2,
  );
  await tick();
  await tick();
  await tick();
  t.equal(started, 2, 'two read ahead while nobody takes them');
  const taken: number[] = [];
  for (let n = await ahead.next(); n !== null; n = await ahead.next()) {
    taken.push(n);
    t.ok(started - taken.length <= 2 + 1, 'never more than depth waiting (plus one in flight)');
  }
  t.same(taken, [1, 2, 3, 4, 5, 6]);
  t.equal(started, 6, 'nothing read after the last');
  await ahead.close();
});

t.test('an error reaches the consumer after the results before it', async (t) => {
  const ahead = readAhead<number>(
    async (previous) => {
      if (previous === 2) throw new Error('database away');
      return (previous ?? 0) + 1;
    },
    () => false,
    3,
  );
  t.equal(await ahead.next(), 1);
  t.equal(await ahead.next(), 2);
  await t.rejects(ahead.next(), /database away/);
  await ahead.close();
});

t.test('close stops the producer and waits for the step in flight', async (t) => {
  let inFlight = 0;
  let steps = 0;
  const ahead = readAhead<number>(
    async () => {
      inFlight++;
      steps++;
      await tick();
      inFlight--;
      return steps;
    },
    () => false,
    1,
  );
  t.equal(await ahead.next(), 1);
  await ahead.close();
  t.equal(inFlight, 0, 'no step left running');
  const after = steps;
  await tick();
  await tick();
  t.equal(steps, after, 'no step started after close');
  t.equal(await ahead.next(), null, 'a closed reader has nothing more');
});
