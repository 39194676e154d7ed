-- +goose Up
-- What the console's attention reads and the nudge sweep ask of a pair
-- (a mentee and their current mentor), kept on the mentee's row as the
-- pair's sessions are written, so that each count is a range of an index
-- over the pairs it counts instead of a probe into bookings for every
-- active mentee (issue 20, BENCHMARKS.md "Staff console"):
-- last_live_at is the start of the pair's latest live session (confirmed,
-- and held or not yet reported), past or future; booked whether the pair
-- has any session at all. Triggers keep them: every write to bookings and
-- every change of a mentee's mentor, whichever code path makes it.
ALTER TABLE mentees ADD COLUMN last_live_at DATETIME;
ALTER TABLE mentees ADD COLUMN booked BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE mentees SET
    last_live_at = (SELECT MAX(b.start_at) FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id
        AND b.status = 'confirmed' AND (b.outcome IS NULL OR b.outcome = 'completed')),
    booked = EXISTS (SELECT 1 FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id)
WHERE mentor_id IS NOT NULL;

-- A new session only moves the counters forward: no recount.
-- +goose StatementBegin
CREATE TRIGGER mentee_pair_booking_insert AFTER INSERT ON bookings
BEGIN
    UPDATE mentees SET booked = TRUE,
        last_live_at = CASE WHEN NEW.status = 'confirmed' AND (NEW.outcome IS NULL OR NEW.outcome = 'completed')
                AND (last_live_at IS NULL OR last_live_at < NEW.start_at) THEN NEW.start_at ELSE last_live_at END
    WHERE id = NEW.mentee_id AND mentor_id = NEW.mentor_id;
END;
-- +goose StatementEnd
-- A session moved, cancelled, reported, given to another mentor or
-- mentee, or deleted: the pairs it left and joined are recounted (one
-- range of bookings_pair each).
-- +goose StatementBegin
CREATE TRIGGER mentee_pair_booking_update AFTER UPDATE OF mentor_id, mentee_id, start_at, status, outcome ON bookings
WHEN OLD.mentor_id IS NOT NEW.mentor_id OR OLD.mentee_id IS NOT NEW.mentee_id OR OLD.start_at IS NOT NEW.start_at
    OR OLD.status IS NOT NEW.status OR OLD.outcome IS NOT NEW.outcome
BEGIN
    UPDATE mentees SET
        last_live_at = (SELECT MAX(b.start_at) FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id
            AND b.status = 'confirmed' AND (b.outcome IS NULL OR b.outcome = 'completed')),
        booked = EXISTS (SELECT 1 FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id)
    WHERE id IN (OLD.mentee_id, NEW.mentee_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER mentee_pair_booking_delete AFTER DELETE ON bookings
BEGIN
    UPDATE mentees SET
        last_live_at = (SELECT MAX(b.start_at) FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id
            AND b.status = 'confirmed' AND (b.outcome IS NULL OR b.outcome = 'completed')),
        booked = EXISTS (SELECT 1 FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id)
    WHERE id = OLD.mentee_id;
END;
-- +goose StatementEnd
-- A mentee given to another mentor (or none) is a new pair.
-- +goose StatementBegin
CREATE TRIGGER mentee_pair_reassign AFTER UPDATE OF mentor_id ON mentees
WHEN OLD.mentor_id IS NOT NEW.mentor_id
BEGIN
    UPDATE mentees SET
        last_live_at = (SELECT MAX(b.start_at) FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id
            AND b.status = 'confirmed' AND (b.outcome IS NULL OR b.outcome = 'completed')),
        booked = EXISTS (SELECT 1 FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- Overdue pairs: assigned before a time and no live session after it,
-- that is COALESCE(last_live_at, assigned_at) up to it (one range of this
-- index, no OR for a planner to miss) and assigned_at before it (read
-- from the same entries).
CREATE INDEX mentees_quiet ON mentees (COALESCE(last_live_at, assigned_at), assigned_at) WHERE status = 'active' AND mentor_id IS NOT NULL;
-- Mentees who never booked, in assignment order.
CREATE INDEX mentees_never_booked ON mentees (assigned_at, id) WHERE status = 'active' AND mentor_id IS NOT NULL AND NOT booked;

-- +goose Down
DROP INDEX mentees_never_booked;
DROP INDEX mentees_quiet;
DROP TRIGGER mentee_pair_reassign;
DROP TRIGGER mentee_pair_booking_delete;
DROP TRIGGER mentee_pair_booking_update;
DROP TRIGGER mentee_pair_booking_insert;
ALTER TABLE mentees DROP COLUMN booked;
ALTER TABLE mentees DROP COLUMN last_live_at;
