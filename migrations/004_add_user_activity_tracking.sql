-- The spec's four tables (activity, learned patterns, suggestion cache, preferences), 11 indexes.
CREATE TABLE user_activity (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(100) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    activity_type VARCHAR(50) NOT NULL,
    query_text TEXT,
    response_data JSONB,
    suggestion_clicked TEXT,
    feedback_rating INTEGER,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_user_activity_user_id ON user_activity (user_id);
CREATE INDEX idx_user_activity_type ON user_activity (activity_type);
CREATE INDEX idx_user_activity_created_at ON user_activity (created_at DESC);
CREATE INDEX idx_user_activity_user_type ON user_activity (user_id, activity_type);

CREATE TABLE query_patterns (
    id SERIAL PRIMARY KEY,
    pattern_type VARCHAR(50) NOT NULL,
    target_id VARCHAR(100),
    query_template TEXT NOT NULL,
    frequency INTEGER DEFAULT 1,
    success_rate FLOAT DEFAULT 1.0,
    avg_response_time FLOAT,
    last_used TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_query_patterns_type ON query_patterns (pattern_type);
CREATE INDEX idx_query_patterns_target ON query_patterns (target_id);
CREATE INDEX idx_query_patterns_frequency ON query_patterns (frequency DESC);
CREATE INDEX idx_query_patterns_success ON query_patterns (success_rate DESC);

CREATE TABLE suggestion_cache (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(100) REFERENCES users(id) ON DELETE CASCADE,
    context_hash VARCHAR(64) NOT NULL,
    suggestions JSONB NOT NULL,
    generated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP DEFAULT (CURRENT_TIMESTAMP + INTERVAL '1 hour'),
    hit_count INTEGER DEFAULT 0
);

CREATE INDEX idx_suggestion_cache_user_id ON suggestion_cache (user_id);
CREATE INDEX idx_suggestion_cache_hash ON suggestion_cache (context_hash);
CREATE INDEX idx_suggestion_cache_expires ON suggestion_cache (expires_at);

CREATE TABLE user_suggestion_preferences (
    user_id VARCHAR(100) PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    preferred_query_types JSONB DEFAULT '[]',
    excluded_metrics JSONB DEFAULT '[]',
    preferred_metrics JSONB DEFAULT '[]',
    preferred_dimensions JSONB DEFAULT '[]',
    show_advanced_queries BOOLEAN DEFAULT false,
    max_suggestions INTEGER DEFAULT 6,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
