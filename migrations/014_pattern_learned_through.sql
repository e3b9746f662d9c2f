-- The id of the last activity a stored pattern's values hold. Learners save a new pattern at
-- once but coalesce count updates, so a row can be newer than its shard's watermark; a replay
-- after a crash skips, for that row, the activities it already holds.
ALTER TABLE query_patterns ADD COLUMN learned_through bigint NOT NULL DEFAULT 0;
