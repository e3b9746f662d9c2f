-- A/B testing of ranking strategies: impressions remember the strategy (arm) that served them,
-- so that click-through can be compared per arm (clicks carry theirs in metadata.arm).
ALTER TABLE suggestion_impressions ADD COLUMN arm VARCHAR(50) NOT NULL DEFAULT '';
