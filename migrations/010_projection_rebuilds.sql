-- Secondary indexes a projection's rebuild from zero has set aside. Writing a million rows into a
-- table with its b-trees and GINs costs more than loading it bare and building each index once, so
-- the runner records the definition of each plain index of the projection's tables here and drops
-- it in the transaction that empties the tables. The transaction that reaches the head of the event
-- store recreates the indexes and deletes these rows. Both are atomic: a crash in between leaves
-- these rows, and the next runner continues the rebuild and restores them. Primary keys, unique and
-- constraint indexes are never set aside (they decide which rows may exist).
-- A migration that drops or changes an index of a projection's table must use DROP INDEX IF EXISTS
-- and delete its row here too, or the end of an interrupted rebuild would bring the old one back.
CREATE TABLE projection_rebuild_indexes (
  projection  text NOT NULL,
  schema_name text NOT NULL,
  index_name  text NOT NULL,
  -- pg_get_indexdef(): the complete CREATE INDEX statement, table schema-qualified
  definition  text NOT NULL,
  PRIMARY KEY (projection, schema_name, index_name)
);

-- The trigrams of a platform order id (migration 009) are computed for every rm_orders row written,
-- and for each row again when a rebuild builds rm_orders_platform_order_id_trigrams: the SQL body
-- (generate_series + DISTINCT per call) cost ~23 µs a call, more than the rest of the index build.
-- This loop costs ~6.5 µs. It returns the same trigrams, possibly repeated and in another order:
-- its only use is `search_trigrams(…) @> search_trigrams(…)` over a GIN index, and both containment
-- and GIN keys are sets, so the index built by the old body stays valid. Built-in functions are
-- schema-qualified: a PL/pgSQL body resolves names when it runs, not when it is created.
CREATE OR REPLACE FUNCTION search_trigrams(s text) RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  l text := pg_catalog.lower(s);
  trigrams text[] := '{}';
BEGIN
  FOR i IN 1 .. pg_catalog.length(l) - 2 LOOP
    trigrams[i] := pg_catalog.substr(l, i, 3);
  END LOOP;
  RETURN trigrams;
END
$$;
