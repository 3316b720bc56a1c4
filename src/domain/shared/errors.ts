/**
 * A command that must not run in the current state, or input that breaks a business rule.
 * `code` is stable (snake_case), part of the API contract, and mapped to an HTTP status at the edge.
 * `details` must never carry secrets or buyer data.
 */
export class DomainError<Code extends string = string> extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/** The stream moved on since it was read: the expected version did not match. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Stream ${streamId} is at ${actual}, expected ${expected}`);
  }
}

/** A referenced thing does not exist, or belongs to another tenant (both answer 404 on purpose). */
export class NotFoundError extends DomainError<'not_found'> {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/**
 * A dependency (event store, database, broker) cannot be reached right now. Transient: runners
 * back off and retry; HTTP answers 503.
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(
    readonly dependency: string,
    message: string,
  ) {
    super(message);
  }
}
