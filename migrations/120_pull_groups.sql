-- Amazon's searchOrders budget is per seller and region, and one call carries up to 50
-- marketplaces: the stores of one Amazon authorization are pulled together, as one "pull group"
-- (the authorization id). NULL: the store is pulled alone (Walmart: one store per key).
ALTER TABLE pull_schedule ADD COLUMN pull_group text;
UPDATE pull_schedule p SET pull_group = s.authorization_id
  FROM rm_stores s WHERE s.store_id = p.store_id AND s.platform = 'amazon';
CREATE INDEX pull_schedule_group ON pull_schedule (pull_group) WHERE active AND pull_group IS NOT NULL;
