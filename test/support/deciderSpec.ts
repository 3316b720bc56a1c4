import type { Decider } from '../../src/domain/shared/decider.js';
import { DomainError } from '../../src/domain/shared/errors.js';

/** The assertions the spec needs; tap's `t` (and node:test's assert-style wrappers) fit. */
export type SpecAsserts = {
  same: (found: unknown, wanted: unknown, message: string) => unknown;
  equal: (found: unknown, wanted: unknown, message: string) => unknown;
  fail: (message: string) => unknown;
};

/**
 * Given/when/then for deciders: `given` past events, `when` a command, `then` the new events (or
 * nothing, or a DomainError with a code). Each `then*` also returns what happened, for extra checks.
 */
export const deciderSpec =
  <C, E, S>(decider: Decider<C, E, S>) =>
  (t: SpecAsserts) => ({
    given: (...history: readonly E[]) => ({
      when: (command: C) => {
        const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
        return {
          then: (...expected: readonly E[]): readonly E[] => {
            const events = run();
            t.same(events, expected, 'emits the expected events');
            return events;
          },
          thenNothingHappened: (): readonly E[] => {
            const events = run();
            t.same(events, [], 'emits no events');
            return events;
          },
          thenThrows: (code: string): DomainError | undefined => {
            let events: readonly E[];
            try {
              events = run();
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
              t.equal(error.code, code, `refuses with ${code}`);
              return error;
            }
            t.fail(`expected a refusal with ${code}, got ${JSON.stringify(events)}`);
            return undefined;
          },
        };
      },
    }),
  });
