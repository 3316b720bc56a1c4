-- One row per projection (and per feed): where it is in the event store and whether it is healthy.
-- The runner updates it in the same transaction as the read-model writes.
CREATE TABLE projection_checkpoints (
  name             text        PRIMARY KEY,
  version          integer     NOT NULL,
  -- opaque event-store checkpoint; NULL = from the start
  checkpoint       text,
  -- running | failed
  status           text        NOT NULL DEFAULT 'running',
  events_processed bigint      NOT NULL DEFAULT 0,
  -- recordedAt of the newest event applied (for time lag)
  last_event_at    timestamptz,
  -- the poison event (ids and type only, never its data) and the error, when failed
  failed_event     jsonb,
  error            text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
