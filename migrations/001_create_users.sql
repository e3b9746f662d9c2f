-- Users of the analytics product; identity for tokens, role and goals for personalisation.
CREATE TABLE users (
    id VARCHAR(100) PRIMARY KEY,
    username VARCHAR(100) NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role VARCHAR(100) NOT NULL,
    department VARCHAR(200),
    goals JSONB NOT NULL DEFAULT '[]',
    is_admin BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
