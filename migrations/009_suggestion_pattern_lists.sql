-- The template lists a cached answer names (`user_patterns`, `role_patterns`) are the same for
-- every answer made from one read of a user's patterns, and they were 40% of every cache row:
-- PostgreSQL parsed and stored them again for each generated list, and the write-behind is most
-- of the pattern path's cost. They are now kept once per distinct pair, named by an MD5 of the
-- pair. `used_at` is renewed while rows keep naming a pair, so the periodic purge can tell which
-- pairs no unexpired row names.
CREATE TABLE suggestion_pattern_lists (
    lists_hash CHAR(32) PRIMARY KEY,
    user_patterns JSONB NOT NULL,
    role_patterns JSONB NOT NULL,
    used_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

ALTER TABLE suggestion_cache ADD COLUMN pattern_lists CHAR(32);
UPDATE suggestion_cache SET pattern_lists = md5(user_patterns::text || E'\n' || role_patterns::text);
INSERT INTO suggestion_pattern_lists (lists_hash, user_patterns, role_patterns)
SELECT DISTINCT ON (pattern_lists) pattern_lists, user_patterns, role_patterns
  FROM suggestion_cache ORDER BY pattern_lists;
ALTER TABLE suggestion_cache DROP COLUMN user_patterns, DROP COLUMN role_patterns;
