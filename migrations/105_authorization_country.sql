-- Amazon authorizations remember the store's country (its Seller Central host), issue #16 item 3.
-- The projection's version rises with this migration, so the column is filled by its rebuild.
ALTER TABLE rm_authorizations ADD COLUMN IF NOT EXISTS country_code text;
