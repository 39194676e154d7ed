-- +goose Up
-- Staff members (admins and coordinators) who run the programme in the
-- console. The address is unique without case (email_key is its lower
-- form), so one person cannot hold two staff rows.
CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    email_key  TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'coordinator')),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX staff_email_key ON staff (email_key);
CREATE INDEX staff_list ON staff (created_at, id);

-- Staff sign-in links and signed-in browsers, by hash, as the mentors'
-- ones. Deleting a staff member deletes both: their sessions end at once.
CREATE TABLE staff_signin_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX staff_signin_tokens_staff ON staff_signin_tokens (staff_id);
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- +goose Down
DROP TABLE staff_sessions;
DROP TABLE staff_signin_tokens;
DROP TABLE staff;
