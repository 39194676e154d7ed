-- +goose Up
-- The staff console's reads over 20,000 mentees and 200,000 sessions
-- (issue 20, BENCHMARKS.md "Staff console"): each list walks an index in
-- its own order and stops at a page, and each dashboard count reads an
-- index only, never the sessions' rows.

-- The mentor and mentee lists, by (name, id) (keyset pages).
CREATE INDEX mentors_name_id ON mentors (name, id);
CREATE INDEX mentees_name_id ON mentees (name, id);
-- Mentorships started in a month, and the attention lists by assignment.
CREATE INDEX mentees_assigned ON mentees (assigned_at, id);
-- A pair's sessions, with what the overdue and never-booked probes test:
-- one index seek per mentee, no row read.
CREATE INDEX bookings_pair ON bookings (mentee_id, mentor_id, start_at, status, outcome);
-- Unreported sessions, oldest first (the dashboard lists 15 of them).
CREATE INDEX bookings_unreported_start ON bookings (start_at, mentee_id) WHERE status = 'confirmed' AND outcome IS NULL;
-- A month's figures read bookings_statement (00022) alone.

-- +goose Down
DROP INDEX bookings_unreported_start;
DROP INDEX bookings_pair;
DROP INDEX mentees_assigned;
DROP INDEX mentees_name_id;
DROP INDEX mentors_name_id;
