import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NewSession, SessionRecord, SessionStore } from '../../domain/ports/sessions.js';
import type { Sql } from '../../domain/ports/sql.js';

export type { SessionStore };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Console sessions in PostgreSQL (table console_sessions). The cookie carries a 256-bit random id;
 * the table keeps only its SHA-256. The session's CSRF token is HMAC(key, session id): the page can
 * ask for it again after a reload, and nobody without the cookie can compute it.
 */
export const sessionStore = (db: Sql, csrfKey: Buffer): SessionStore => {
  const csrfTokenOf = (sessionId: string) => createHmac('sha256', csrfKey).update(sessionId).digest('base64url');
  return {
    csrfTokenOf,
    /** Constant-time check of a presented CSRF token. */
    csrfMatches: (sessionId: string, token: string) => {
      const a = createHash('sha256').update(csrfTokenOf(sessionId)).digest();
      return timingSafeEqual(a, createHash('sha256').update(token).digest());
    },

    create: async (userId: string, now: Date, ttlMs: number): Promise<NewSession> => {
      const sessionId = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + ttlMs);
      await db.query('INSERT INTO console_sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [sha256(sessionId), userId, now, expiresAt]);
      return { sessionId, expiresAt };
    },

    /** The live session behind a cookie value, or null (unknown, or expired — which is then removed). */
    find: async (sessionId: string, now: Date): Promise<SessionRecord | null> => {
      const { rows } = await db.query<{ user_id: string; expires_at: Date }>('SELECT user_id, expires_at FROM console_sessions WHERE id_hash = $1', [sha256(sessionId)]);
      const row = rows[0];
      if (!row) return null;
      const expiresAt = new Date(row.expires_at);
      if (expiresAt <= now) {
        await db.query('DELETE FROM console_sessions WHERE id_hash = $1', [sha256(sessionId)]);
        return null;
      }
      return { userId: row.user_id, expiresAt };
    },

    remove: async (sessionId: string) => void (await db.query('DELETE FROM console_sessions WHERE id_hash = $1', [sha256(sessionId)])),

    /** Every session of a user (the user was disabled: they are signed out everywhere at once). */
    removeAll: async (userId: string) => void (await db.query('DELETE FROM console_sessions WHERE user_id = $1', [userId])),

    /** Every session of a user but one (after a password change, other devices sign in again). */
    removeOthers: async (userId: string, keepSessionId: string) =>
      void (await db.query('DELETE FROM console_sessions WHERE user_id = $1 AND id_hash <> $2', [userId, sha256(keepSessionId)])),
  };
};
