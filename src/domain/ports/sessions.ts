/**
 * Console sessions: the cookie carries a random id that only the store can resolve, and each
 * session has a CSRF token derived from it. The PostgreSQL adapter is adapters/auth/sessionStore.ts.
 */
export type SessionRecord = Readonly<{ userId: string; expiresAt: Date }>;
export type NewSession = Readonly<{ sessionId: string; expiresAt: Date }>;

export interface SessionStore {
  create(userId: string, now: Date, ttlMs: number): Promise<NewSession>;
  /** The live session behind a cookie value, or null (unknown or expired). */
  find(sessionId: string, now: Date): Promise<SessionRecord | null>;
  csrfTokenOf(sessionId: string): string;
  /** Constant-time check of a presented CSRF token. */
  csrfMatches(sessionId: string, token: string): boolean;
  remove(sessionId: string): Promise<void>;
  /** Every session of a user (signed out everywhere). */
  removeAll(userId: string): Promise<void>;
  /** Every session of a user but one. */
  removeOthers(userId: string, keepSessionId: string): Promise<void>;
}
