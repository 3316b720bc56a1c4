-- A store's held orders in page order (GET /v1/orders?storeId=…&handoff=held, the screen an operator
-- works from). rm_orders_store_held (009) found them but not in (purchased_at DESC, order_id), so the
-- list walked the tenant's held orders and dropped the other stores' (~8 × the rows for 8 stores:
-- 1.7 ms instead of 0.2 ms warm at 1M orders). The wider partial index holds the same few rows and
-- still serves the unmapped-SKU report, which looks them up by store_id: it replaces 009's.
CREATE INDEX rm_orders_store_held_purchased ON rm_orders (store_id, purchased_at DESC, order_id) WHERE handoff_state = 'held';
DROP INDEX rm_orders_store_held;
