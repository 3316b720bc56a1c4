-- Hand-off state of each order: held (which SKUs, since when), released (the warehouse lines and
-- the mapping versions used), cancelled, or fulfilled by the marketplace.
ALTER TABLE rm_orders
  ADD COLUMN handoff_state     text        NOT NULL DEFAULT 'none',
  ADD COLUMN hold_skus         jsonb       NOT NULL DEFAULT '[]',
  ADD COLUMN held_since        timestamptz,
  ADD COLUMN released_at       timestamptz,
  ADD COLUMN warehouse_lines   jsonb       NOT NULL DEFAULT '[]',
  ADD COLUMN mapping_versions  jsonb       NOT NULL DEFAULT '{}',
  ADD COLUMN last_message_type text,
  ADD COLUMN last_message_at   timestamptz;
CREATE INDEX rm_orders_held ON rm_orders USING gin (hold_skus jsonb_path_ops) WHERE handoff_state = 'held';
CREATE INDEX rm_orders_handoff ON rm_orders (tenant_id, handoff_state);
