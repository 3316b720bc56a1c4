/**
 * A decider is the pure heart of an aggregate: `decide` turns a command and the current state into
 * new events (or throws a DomainError), `evolve` folds one event into the state. No I/O, no clock:
 * everything time- or lookup-dependent arrives on the command.
 */
export type Decider<Command, Event, State> = Readonly<{
  decide: (command: Command, state: State) => readonly Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}>;

/** Exhaustiveness guard for switch statements over discriminated unions. */
export const assertNever = (value: never, label = 'value'): never => {
  throw new Error(`Unhandled ${label}: ${JSON.stringify(value)}`);
};

/** Fold a history into a state with a decider's evolve. */
export const foldEvents = <C, E, S>(decider: Decider<C, E, S>, events: readonly E[]): S =>
  events.reduce(decider.evolve, decider.initialState());
