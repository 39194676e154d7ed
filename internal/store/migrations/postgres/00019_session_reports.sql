-- +goose Up
-- A session's report (its outcome stays in bookings.outcome): private
-- notes for the mentor and staff, the summary mailed to the mentee, and
-- who filed it when ("rendezvous" for a late cancellation recorded by
-- itself).
ALTER TABLE bookings ADD COLUMN report_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN report_summary TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN reported_at TIMESTAMPTZ;
ALTER TABLE bookings ADD COLUMN reported_by TEXT NOT NULL DEFAULT '';
-- Attendance evidence: the first join of each party through /join/{room}.
ALTER TABLE bookings ADD COLUMN mentor_joined_at TIMESTAMPTZ;
ALTER TABLE bookings ADD COLUMN mentee_joined_at TIMESTAMPTZ;
-- The mentor was reminded to file the report (set once, by one process).
ALTER TABLE bookings ADD COLUMN report_reminded_at TIMESTAMPTZ;
-- Sessions waiting for a report, by end: the reminder sweep and the
-- mentor area read only these.
CREATE INDEX bookings_unreported ON bookings (end_at, mentor_id) WHERE status = 'confirmed' AND outcome IS NULL;

-- A closed month: its reports are locked and its statement is kept as it
-- was at closing, so its CSV never changes.
CREATE TABLE statement_months (
    month          TEXT PRIMARY KEY,
    closed_at      TIMESTAMPTZ NOT NULL,
    closed_by      TEXT NOT NULL,
    statement_json TEXT NOT NULL,
    statement_csv  BYTEA NOT NULL
);

-- +goose Down
DROP TABLE statement_months;
DROP INDEX bookings_unreported;
ALTER TABLE bookings DROP COLUMN report_reminded_at;
ALTER TABLE bookings DROP COLUMN mentee_joined_at;
ALTER TABLE bookings DROP COLUMN mentor_joined_at;
ALTER TABLE bookings DROP COLUMN reported_by;
ALTER TABLE bookings DROP COLUMN reported_at;
ALTER TABLE bookings DROP COLUMN report_summary;
ALTER TABLE bookings DROP COLUMN report_notes;
