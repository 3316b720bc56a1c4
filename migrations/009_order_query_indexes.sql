-- Indexes for the order queries (GET /v1/orders, the SKU-expansion table, unmapped SKUs).
-- A list page is keyset-paged by (purchased_at DESC, order_id) inside one tenant. Each common
-- filter gets a b-tree that yields its rows already in page order, so a page reads about `limit`
-- index entries however many orders the tenant has (rm_orders_tenant_purchased from 007 serves
-- the unfiltered list and the platform filter, whose two values are never rare enough to need one).

-- Store filter. Replaces rm_orders_store (its prefix), which could not give the order_id tie-break.
CREATE INDEX rm_orders_store_purchased ON rm_orders (store_id, purchased_at DESC, order_id);
DROP INDEX rm_orders_store;

-- Status filter: a rare status (pending, unfulfillable) would otherwise walk the whole tenant.
CREATE INDEX rm_orders_tenant_status ON rm_orders (tenant_id, status, purchased_at DESC, order_id);

-- Hand-off filter (held orders are the ones an operator looks for). Replaces rm_orders_handoff
-- (its prefix).
CREATE INDEX rm_orders_tenant_handoff ON rm_orders (tenant_id, handoff_state, purchased_at DESC, order_id);
DROP INDEX rm_orders_handoff;

-- A store's held orders, for the unmapped-SKU report. Partial, so it holds only the few held
-- orders; without it the planner intersects the tenant's held orders with every order of the store.
CREATE INDEX rm_orders_store_held ON rm_orders (store_id) WHERE handoff_state = 'held';

-- SKU filter: platform SKU in the pulled lines, system SKU (or source platform SKU) in the
-- warehouse lines, both by jsonb containment. The GIN cannot hold tenant_id (that needs the btree_gin
-- extension); SKUs are a seller's own codes, so few matches belong to other tenants and the heap
-- recheck drops them.
CREATE INDEX rm_orders_lines ON rm_orders USING gin (lines jsonb_path_ops);
CREATE INDEX rm_orders_warehouse_lines ON rm_orders USING gin (warehouse_lines jsonb_path_ops);

-- Text search on the platform order id ("contains", case-insensitive). Extensions are avoided: the
-- embedded PGlite loads none, a managed server may refuse CREATE EXTENSION, and an extension is
-- per database while tests give each run a schema of its own. Instead of pg_trgm, the
-- trigrams are computed by this plain SQL function and kept in a GIN index over its result. A
-- query asks `search_trigrams(platform_order_id) @> search_trigrams(q)` to find candidates and
-- rechecks with ILIKE. The body is SQL-standard (bound when created, not by search_path at run time).
CREATE FUNCTION search_trigrams(s text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN ARRAY(SELECT DISTINCT substr(lower(s), i, 3) FROM generate_series(1, length(s) - 2) AS i);
CREATE INDEX rm_orders_platform_order_id_trigrams ON rm_orders USING gin (search_trigrams(platform_order_id));
