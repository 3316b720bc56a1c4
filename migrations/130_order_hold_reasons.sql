-- The codes of each order's current hold reasons (the decider's holdReasons, in its order), so the
-- hold-reason filter reads the read model only, whatever the event store. Existing rows get theirs
-- from the rebuild of the orders projection (its version 3 writes the column).
ALTER TABLE rm_orders ADD COLUMN hold_reasons jsonb NOT NULL DEFAULT '[]';
CREATE INDEX rm_orders_hold_reasons ON rm_orders USING gin (hold_reasons jsonb_path_ops) WHERE handoff_state = 'held';
