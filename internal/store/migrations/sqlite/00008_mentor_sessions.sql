-- +goose Up
-- Signed-in browsers of the mentor area, by the hash of their cookie's
-- random value: signing out (or a revoked mentor) ends a session on the
-- server at once, not when a signed cookie would have expired.
CREATE TABLE mentor_sessions (
    token_hash TEXT PRIMARY KEY,
    mentor_id  TEXT NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX mentor_sessions_mentor ON mentor_sessions (mentor_id);

-- +goose Down
DROP TABLE mentor_sessions;
