-- The list of authorizations shows the account and the Walmart key hint like the detail view does.
-- The projection's version rises with this migration, so the columns are filled by its rebuild.
ALTER TABLE rm_authorizations ADD COLUMN IF NOT EXISTS account_id text;
ALTER TABLE rm_authorizations ADD COLUMN IF NOT EXISTS client_id_hint text;
