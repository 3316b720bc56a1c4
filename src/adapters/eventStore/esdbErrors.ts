import { ErrorType, isCommandError } from '@kurrent/kurrentdb-client';
import type { ExpectedVersion } from '../../domain/ports/eventStore.js';
import { ConcurrencyError, UnavailableError } from '../../domain/shared/errors.js';

/** Errors that say "try again later": the server or the way to it, not the request. */
const TRANSIENT = new Set<string>([
  ErrorType.TIMEOUT,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.UNAVAILABLE,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
]);

/** gRPC status codes for the same, when an error reaches us unconverted (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE). */
const TRANSIENT_GRPC = new Set([1, 4, 14]);

/** The client's error type (`ErrorType`), undefined for anything that is not one of its errors. */
export const esdbErrorType = (error: unknown): string | undefined => (error instanceof Error && isCommandError(error) ? error.type : undefined);

/**
 * Translate the client's errors into the port's: a failed expected-version or consistency check is
 * a ConcurrencyError; timeouts, an unreachable or non-leader node and cancellation are the
 * transient UnavailableError (runners back off, HTTP answers 503). Anything else passes through.
 * Messages name the stream and versions only: never event data.
 */
export const translateEsdbError = (error: unknown, streamId?: string, expected?: ExpectedVersion): unknown => {
  const type = esdbErrorType(error);
  if (type === ErrorType.WRONG_EXPECTED_VERSION || type === ErrorType.APPEND_CONSISTENCY_VIOLATION) {
    const details = error as { streamName?: string; actualState?: unknown; actualVersion?: unknown };
    return new ConcurrencyError(streamId ?? details.streamName ?? '?', String(expected ?? '?'), String(details.actualState ?? details.actualVersion ?? '?'));
  }
  if (type !== undefined && TRANSIENT.has(type)) return new UnavailableError('eventstoredb', `EventStoreDB unavailable (${type})`);
  const code = (error as { code?: unknown } | null)?.code;
  if (type === undefined && error instanceof Error && typeof code === 'number' && TRANSIENT_GRPC.has(code)) {
    return new UnavailableError('eventstoredb', `EventStoreDB unavailable (grpc status ${code})`);
  }
  return error;
};
