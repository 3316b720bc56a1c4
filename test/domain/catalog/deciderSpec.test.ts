import t from 'tap';
import type { Decider } from '../../../src/domain/shared/decider.js';
import { DomainError } from '../../../src/domain/shared/errors.js';
import { deciderSpec, type SpecAsserts } from '../../support/deciderSpec.js';

// A tiny counter that refuses to go negative, to check the spec helper itself.
const counter: Decider<{ by: number }, { added: number }, number> = {
  decide: (c, total) => {
    if (c.by === 0) return [];
    if (total + c.by < 0) throw new DomainError('negative', 'would go negative');
    if (Number.isNaN(c.by)) throw new TypeError('not a number');
    return [{ added: c.by }];
  },
  evolve: (total, e) => total + e.added,
  initialState: () => 0,
};

/** Records what the helper asserted instead of asserting it. */
const recorder = () => {
  const calls: unknown[][] = [];
  const asserts: SpecAsserts = {
    same: (...args) => calls.push(['same', ...args]),
    equal: (...args) => calls.push(['equal', ...args]),
    fail: (...args) => calls.push(['fail', ...args]),
  };
  return { calls, asserts };
};

t.test('then/thenNothingHappened compare the new events, after folding the history', async (t) => {
  const { calls, asserts } = recorder();
  const spec = deciderSpec(counter)(asserts);
  t.same(spec.given({ added: 2 }).when({ by: 3 }).then({ added: 3 }), [{ added: 3 }]);
  spec.given().when({ by: 0 }).thenNothingHappened();
  t.same(calls, [
    ['same', [{ added: 3 }], [{ added: 3 }], 'emits the expected events'],
    ['same', [], [], 'emits no events'],
  ]);
});

t.test('thenThrows checks the code, and fails when nothing is refused', async (t) => {
  const { calls, asserts } = recorder();
  const spec = deciderSpec(counter)(asserts);
  const error = spec.given({ added: 1 }).when({ by: -2 }).thenThrows('negative');
  t.equal(error?.code, 'negative');
  t.equal(spec.given().when({ by: 1 }).thenThrows('negative'), undefined);
  t.same(calls, [
    ['equal', 'negative', 'negative', 'refuses with negative'],
    ['fail', 'expected a refusal with negative, got [{"added":1}]'],
  ]);
});

t.test('an error that is not a DomainError is not swallowed', async (t) => {
  const spec = deciderSpec(counter)(recorder().asserts);
  t.throws(() => spec.given().when({ by: Number.NaN }).thenThrows('negative'), TypeError);
});
