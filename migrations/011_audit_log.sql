-- What admins did (users created, passwords reset, catalogs changed), for GET /api/v1/audit;
-- written in the same transaction as the change it records.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor VARCHAR(100) NOT NULL,
    action VARCHAR(50) NOT NULL,
    target VARCHAR(200) NOT NULL,
    detail JSONB NOT NULL DEFAULT '{}'
);

-- The last password change: tokens issued before it stop working.
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;
