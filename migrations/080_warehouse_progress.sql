-- What the warehouse reported for each released order (issue #15 item 1): per warehouse line the
-- units shipped and stopped ({"<lineId>": {"shipped": n, "stopped": n}}) and the number of
-- shipments. The hand-off state moves on from `released` to partially_shipped / shipped / rejected
-- from these (src/projections/warehouseProgress.ts).
ALTER TABLE rm_orders
  ADD COLUMN warehouse_progress  jsonb   NOT NULL DEFAULT '{}',
  ADD COLUMN warehouse_shipments integer NOT NULL DEFAULT 0;
