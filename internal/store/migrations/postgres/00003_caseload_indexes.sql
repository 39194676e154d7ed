-- +goose Up
-- The sessions report pages through a period by (start_at, id) when no
-- mentor is given.
CREATE INDEX bookings_start_id ON bookings (start_at, id);
-- Upcoming sessions (assignment ranking) and this month's sessions
-- (caseloads) are ranges of start over live sessions.
CREATE INDEX bookings_confirmed_start ON bookings (start_at, mentor_id) WHERE status = 'confirmed';
-- The caseload aggregate reads every live session per (mentor, mentee):
-- covering it lets PostgreSQL answer from the index alone, and one
-- mentor's caseload becomes an index range.
CREATE INDEX bookings_caseload ON bookings (mentor_id, mentee_id)
    INCLUDE (start_at, end_at, outcome, id) WHERE status = 'confirmed';

-- +goose Down
DROP INDEX bookings_caseload;
DROP INDEX bookings_confirmed_start;
DROP INDEX bookings_start_id;
