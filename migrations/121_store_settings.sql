-- A store's pull settings (StoreSettingsChanged): skipMarketplaceFulfilled (Amazon FBA orders
-- left out of the search), walmart3plNode (Walmart 3PLFulfilled orders pulled and released).
ALTER TABLE rm_stores ADD COLUMN settings jsonb NOT NULL DEFAULT '{"skipMarketplaceFulfilled": false, "walmart3plNode": false}';
