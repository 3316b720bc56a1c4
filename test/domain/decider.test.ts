import t from 'tap';
import { foldEvents, type Decider } from '../../src/domain/shared/decider.js';

const counter: Decider<{ by: number }, { added: number }, number> = {
  decide: (c) => [{ added: c.by }],
  evolve: (s, e) => s + e.added,
  initialState: () => 0,
};

t.test('foldEvents folds with evolve from the initial state', async (t) => {
  t.equal(foldEvents(counter, [{ added: 2 }, { added: 3 }]), 5);
});
