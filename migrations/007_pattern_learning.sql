-- Pattern learning: one row per (type, target, template), so learners upsert instead of
-- accumulating duplicates; the distinct users behind each pattern (role and global patterns are
-- shown only once enough colleagues share them); and each learner shard's watermark.
CREATE UNIQUE INDEX query_patterns_key ON query_patterns (pattern_type, target_id, query_template);

CREATE TABLE query_pattern_users (
    pattern_id INTEGER NOT NULL REFERENCES query_patterns(id) ON DELETE CASCADE,
    user_id VARCHAR(100) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pattern_id, user_id)
);

CREATE TABLE pattern_learner_state (
    shard INTEGER PRIMARY KEY,
    last_activity_id BIGINT NOT NULL DEFAULT 0,
    -- Bumped by every rebuild, so a save from a learner that predates it is refused.
    generation INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
