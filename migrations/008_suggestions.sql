-- Suggestions: preferences carry a version (part of the cache key, so a change invalidates the
-- user's cached suggestions at once); cache rows are unique per context hash (write-behind
-- upserts) and keep what the answer needs besides the suggestion array; impressions count every
-- served list, so that click-through is clicks over impressions.
ALTER TABLE user_suggestion_preferences ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

DELETE FROM suggestion_cache a USING suggestion_cache b
 WHERE a.context_hash = b.context_hash AND a.id < b.id;
-- The spec's index on context_hash becomes unique (same name): one index to maintain per
-- write-behind row instead of two.
DROP INDEX idx_suggestion_cache_hash;
CREATE UNIQUE INDEX idx_suggestion_cache_hash ON suggestion_cache (context_hash);
ALTER TABLE suggestion_cache ADD COLUMN connection_id VARCHAR(100);
ALTER TABLE suggestion_cache ADD COLUMN partial_query TEXT;
ALTER TABLE suggestion_cache ADD COLUMN user_patterns JSONB NOT NULL DEFAULT '[]';
ALTER TABLE suggestion_cache ADD COLUMN role_patterns JSONB NOT NULL DEFAULT '[]';
ALTER TABLE suggestion_cache ADD COLUMN origin VARCHAR(50);

CREATE TABLE suggestion_impressions (
    id BIGSERIAL PRIMARY KEY,
    user_id VARCHAR(100) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_id VARCHAR(100) NOT NULL,
    source VARCHAR(50) NOT NULL,
    lists INTEGER NOT NULL,        -- suggestion lists served (aggregated per flush)
    suggestions INTEGER NOT NULL,  -- suggestions in them
    served_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_suggestion_impressions_user_served ON suggestion_impressions (user_id, served_at);

-- LLM calls per user and UTC day: the daily budget survives restarts.
CREATE TABLE llm_usage (
    user_id VARCHAR(100) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day DATE NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    tokens_in BIGINT NOT NULL DEFAULT 0,
    tokens_out BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);
