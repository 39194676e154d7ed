-- +goose Up

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE mentors (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    email                   TEXT NOT NULL,
    timezone                TEXT NOT NULL,
    language                TEXT NOT NULL DEFAULT 'en',
    max_mentees             INTEGER NOT NULL CHECK (max_mentees >= 0),
    session_minutes         INTEGER NOT NULL CHECK (session_minutes BETWEEN 15 AND 240),
    min_notice_minutes      INTEGER NOT NULL CHECK (min_notice_minutes >= 0),
    horizon_days            INTEGER NOT NULL CHECK (horizon_days >= 1),
    buffer_minutes          INTEGER NOT NULL CHECK (buffer_minutes >= 0),
    max_sessions_per_day    INTEGER CHECK (max_sessions_per_day >= 1),
    max_upcoming_per_mentee INTEGER NOT NULL DEFAULT 1 CHECK (max_upcoming_per_mentee >= 1),
    public_booking          BOOLEAN NOT NULL DEFAULT FALSE,
    video_provider          TEXT NOT NULL DEFAULT '',
    weekly_hours            TEXT NOT NULL DEFAULT '[]',
    overrides               TEXT NOT NULL DEFAULT '[]',
    token_hash              TEXT NOT NULL UNIQUE,
    feed_token_hash         TEXT NOT NULL UNIQUE,
    feed_token_sealed       TEXT NOT NULL,
    public_token_hash       TEXT NOT NULL UNIQUE,
    public_token_sealed     TEXT NOT NULL,
    created_at              DATETIME NOT NULL,
    updated_at              DATETIME NOT NULL
);

CREATE TABLE mentees (
    id                TEXT PRIMARY KEY,
    mentor_id         TEXT REFERENCES mentors (id),
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    email_key         TEXT NOT NULL,
    timezone          TEXT NOT NULL,
    language          TEXT NOT NULL DEFAULT 'en',
    status            TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    link_token_hash   TEXT NOT NULL UNIQUE,
    link_token_sealed TEXT NOT NULL,
    assigned_at       DATETIME NOT NULL,
    ended_at          DATETIME,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX mentees_mentor_status ON mentees (mentor_id, status);
-- One active mentorship per address and mentor: a public-link booker who
-- comes back is the same mentee.
CREATE UNIQUE INDEX mentees_active_email ON mentees (mentor_id, email_key) WHERE status = 'active';

CREATE TABLE bookings (
    id                     TEXT PRIMARY KEY,
    uid                    TEXT NOT NULL UNIQUE,
    mentor_id              TEXT NOT NULL REFERENCES mentors (id),
    mentee_id              TEXT NOT NULL REFERENCES mentees (id),
    start_at               DATETIME NOT NULL,
    end_at                 DATETIME NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    outcome                TEXT CHECK (outcome IN ('completed', 'no_show', 'mentor_no_show', 'late_cancel')),
    sequence               INTEGER NOT NULL DEFAULT 0,
    note                   TEXT NOT NULL DEFAULT '',
    cancel_reason          TEXT NOT NULL DEFAULT '',
    cancelled_by           TEXT NOT NULL DEFAULT '',
    cancelled_at           DATETIME,
    video_provider         TEXT NOT NULL DEFAULT '',
    video_room             TEXT NOT NULL DEFAULT '',
    video_url              TEXT NOT NULL DEFAULT '',
    manage_token_hash      TEXT NOT NULL UNIQUE,
    manage_token_sealed    TEXT NOT NULL,
    writeback_calendar_id  TEXT NOT NULL DEFAULT '',
    writeback_ref          TEXT NOT NULL DEFAULT '',
    writeback_etag         TEXT NOT NULL DEFAULT '',
    created_at             DATETIME NOT NULL,
    updated_at             DATETIME NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX bookings_mentor_start ON bookings (mentor_id, start_at);
CREATE INDEX bookings_mentee_start ON bookings (mentee_id, start_at);

-- SQLite has no exclusion constraints. Writes run in IMMEDIATE transactions,
-- so a check made by a trigger sees every committed booking: two live
-- sessions of one mentor can never overlap. Times are stored as UTC
-- "YYYY-MM-DD HH:MM:SS", which orders correctly as text.
-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.mentor_id = NEW.mentor_id AND b.status <> 'cancelled'
      AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF mentor_id, start_at, end_at, status ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.mentor_id = NEW.mentor_id AND b.status <> 'cancelled'
      AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
-- +goose StatementEnd

CREATE TABLE connections (
    id                   TEXT PRIMARY KEY,
    mentor_id            TEXT NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    provider             TEXT NOT NULL CHECK (provider IN ('caldav', 'google')),
    url                  TEXT NOT NULL DEFAULT '',
    username             TEXT NOT NULL DEFAULT '',
    credentials_sealed   TEXT NOT NULL,
    status               TEXT NOT NULL,
    last_error           TEXT NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_attempt_at      DATETIME,
    last_success_at      DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX connections_mentor ON connections (mentor_id);

CREATE TABLE calendars (
    id              TEXT PRIMARY KEY,
    connection_id   TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    mentor_id       TEXT NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    ref             TEXT NOT NULL,
    name            TEXT NOT NULL,
    check_conflicts BOOLEAN NOT NULL DEFAULT TRUE,
    write_target    BOOLEAN NOT NULL DEFAULT FALSE,
    writable        BOOLEAN NOT NULL DEFAULT TRUE,
    sync_state      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    UNIQUE (connection_id, ref)
);
CREATE UNIQUE INDEX calendars_one_write_target ON calendars (mentor_id) WHERE write_target = 1;

CREATE TABLE calendar_items (
    calendar_id TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    etag        TEXT NOT NULL DEFAULT '',
    ics         BLOB,
    busy        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_id, key)
);

CREATE TABLE busy_intervals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    mentor_id   TEXT NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    calendar_id TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    start_at    DATETIME NOT NULL,
    end_at      DATETIME NOT NULL
);
CREATE INDEX busy_intervals_mentor_start ON busy_intervals (mentor_id, start_at, end_at);
CREATE INDEX busy_intervals_calendar ON busy_intervals (calendar_id);

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE oauth_states (
    state_hash      TEXT PRIMARY KEY,
    mentor_id       TEXT NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    verifier_sealed TEXT NOT NULL,
    expires_at      DATETIME NOT NULL,
    used_at         DATETIME
);

CREATE TABLE signin_tokens (
    token_hash TEXT PRIMARY KEY,
    mentor_id  TEXT NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);

CREATE TABLE reminders_sent (
    booking_id     TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    offset_minutes INTEGER NOT NULL,
    start_at       DATETIME NOT NULL,
    sent_at        DATETIME NOT NULL,
    PRIMARY KEY (booking_id, offset_minutes, start_at)
);

-- +goose Down
DROP TABLE reminders_sent;
DROP TABLE signin_tokens;
DROP TABLE oauth_states;
DROP TABLE idempotency_keys;
DROP TABLE busy_intervals;
DROP TABLE calendar_items;
DROP TABLE calendars;
DROP TABLE connections;
DROP TABLE bookings;
DROP TABLE mentees;
DROP TABLE mentors;
DROP TABLE settings;
