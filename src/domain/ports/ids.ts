/** Source of new unique ids (UUIDs). Injected so pure code stays deterministic under test. */
export interface IdGenerator {
  newId(): string;
}

/** The time now, injected for the same reason. */
export interface Clock {
  now(): Date;
}
