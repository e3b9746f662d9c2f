-- Connection catalogs: what each data connection offers (metrics, dimensions, entities).
-- `version` grows on every change so that caches keyed on it are invalidated.
CREATE TABLE connections (
    id VARCHAR(100) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    metrics JSONB NOT NULL DEFAULT '[]',
    dimensions JSONB NOT NULL DEFAULT '[]',
    entities JSONB NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
