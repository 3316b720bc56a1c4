import { UnavailableError } from '../../domain/shared/errors.js';

// SQLSTATE classes/codes that a retry may cure: connection exceptions, serialization failures and
// deadlocks, shutdowns, too many connections, and the lock/statement timeouts we set ourselves.
const TRANSIENT_CODES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '55P03', '57014']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Is this error worth retrying (the dependency is briefly away), rather than a bug or bad data? */
export const isTransientError = (error: unknown): boolean => {
  if (error instanceof UnavailableError) return true;
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string') {
    if (e.code.startsWith('08') || TRANSIENT_CODES.has(e.code) || TRANSIENT_NODE_CODES.has(e.code)) return true;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
};
