-- +goose Up
-- A weekly series: the rule its occurrences were booked by (the first
-- start in the mentor's zone, repeated every interval_weeks, count times),
-- one iCalendar UID for all of them, and the occurrences that were not
-- booked with why. Each occurrence is an ordinary booking row carrying
-- series_id and recurrence_at (its start by the rule, which a move keeps):
-- the overlap constraint, caseloads and reports see them as sessions.
CREATE TABLE booking_series (
    id              TEXT PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    mentor_id       TEXT NOT NULL REFERENCES mentors (id),
    mentee_id       TEXT NOT NULL REFERENCES mentees (id),
    first_start_at  DATETIME NOT NULL,
    timezone        TEXT NOT NULL,
    count           INTEGER NOT NULL CHECK (count BETWEEN 2 AND 26),
    interval_weeks  INTEGER NOT NULL CHECK (interval_weeks BETWEEN 1 AND 4),
    session_minutes INTEGER NOT NULL,
    skipped         TEXT NOT NULL DEFAULT '[]',
    sequence        INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL DEFAULT '',
    -- The series' one event in the mentor's calendar (write-back).
    writeback_calendar_id TEXT NOT NULL DEFAULT '',
    writeback_ref         TEXT NOT NULL DEFAULT '',
    writeback_etag        TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX booking_series_mentee ON booking_series (mentee_id);
ALTER TABLE bookings ADD COLUMN series_id TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN recurrence_at DATETIME;
CREATE INDEX bookings_series ON bookings (series_id, recurrence_at) WHERE series_id <> '';
-- A series' days are read one index range each (busy intervals starting
-- up to 4 hours before a day); the few longer intervals through this.
CREATE INDEX busy_intervals_long ON busy_intervals (mentor_id, start_at) WHERE (julianday(end_at) - julianday(start_at)) * 24 > 4;

-- +goose Down
DROP INDEX busy_intervals_long;
DROP INDEX bookings_series;
ALTER TABLE bookings DROP COLUMN recurrence_at;
ALTER TABLE bookings DROP COLUMN series_id;
DROP TABLE booking_series;
