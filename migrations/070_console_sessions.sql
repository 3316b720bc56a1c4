-- Console sign-in sessions. Only the SHA-256 of the session id is kept: a copy of this table
-- cannot be replayed as a cookie. Users themselves are event streams (user-*, user_email-*).
CREATE TABLE console_sessions (
  id_hash     text        PRIMARY KEY,
  user_id     text        NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
