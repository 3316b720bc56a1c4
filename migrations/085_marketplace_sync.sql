-- What the marketplace has heard about each released order (issue #15): the warehouse facts not yet
-- told (pending_keys: shipment ids and warehouse message ids), those refused for good (failed_keys),
-- the acknowledgement (Walmart), and the last error. `state` is derived from them on every change:
-- failed > pending > confirmed > none.
CREATE TABLE rm_marketplace_sync (
  order_id         text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  store_id         text        NOT NULL,
  state            text        NOT NULL DEFAULT 'none',
  released_at      timestamptz,
  acknowledged_at  timestamptz,
  pending_keys     jsonb       NOT NULL DEFAULT '[]',
  failed_keys      jsonb       NOT NULL DEFAULT '[]',
  confirmed_lines  jsonb       NOT NULL DEFAULT '{}',
  cancelled_lines  jsonb       NOT NULL DEFAULT '{}',
  last_error       jsonb,
  attempts         integer     NOT NULL DEFAULT 0,
  next_retry_at    timestamptz,
  updated_at       timestamptz
);
CREATE INDEX rm_marketplace_sync_state ON rm_marketplace_sync (tenant_id, state);
CREATE INDEX rm_marketplace_sync_retry ON rm_marketplace_sync (next_retry_at) WHERE next_retry_at IS NOT NULL;
