-- Safe retries of POST /api/v1/activity/log: a client's Idempotency-Key is unique per user, so a
-- repeated request (even a concurrent one) finds the first row instead of storing a second.
ALTER TABLE user_activity ADD COLUMN idempotency_key VARCHAR(100);
CREATE UNIQUE INDEX user_activity_idempotency ON user_activity (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- History pages walk one user's activities newest first: (user_id, id DESC) serves them directly.
CREATE INDEX user_activity_user_recent ON user_activity (user_id, id DESC);
