/**
 * Paged lists behind ports. A cursor is opaque outside the adapter that issued it: callers pass
 * `nextCursor` back as it came, and the adapter alone reads it.
 */
export type Page<T> = Readonly<{ items: T[]; nextCursor: string | null }>;

/**
 * The cursor was not issued by this list (tampered, truncated, from another list or tenant): the
 * caller's error, answered 400 `invalid_cursor` (http/problem.ts). Adapters read cursors with one
 * codec (adapters/shared/cursorCodec.ts).
 */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(message = 'The cursor is not one this list issued') {
    super(message);
  }
}
