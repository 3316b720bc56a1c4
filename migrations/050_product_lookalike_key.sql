-- The look-alike key of each product's code (NFKC, Cyrillic/Greek homoglyphs folded to Latin;
-- src/domain/catalog/skuCode.ts lookalikeKey): a new SKU whose key another SKU of the tenant
-- already has is refused as `sku_confusable`. Filled by the products projection (version 2
-- rebuilds it from the events).
ALTER TABLE rm_products ADD COLUMN IF NOT EXISTS sku_key text;
CREATE INDEX IF NOT EXISTS rm_products_sku_key ON rm_products (tenant_id, sku_key);
