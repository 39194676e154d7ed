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
ALTER TABLE mentees ADD COLUMN last_live_at TIMESTAMPTZ;
ALTER TABLE mentees ADD COLUMN booked BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE mentees SET
    last_live_at = (SELECT MAX(b.start_at) FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id
        AND b.status = 'confirmed' AND (b.outcome IS NULL OR b.outcome = 'completed')),
    booked = EXISTS (SELECT 1 FROM bookings b WHERE b.mentee_id = mentees.id AND b.mentor_id = mentees.mentor_id)
WHERE mentor_id IS NOT NULL;
-- The backfill queued a deferred slot_changes event (00018) per mentee;
-- run them now: PostgreSQL refuses CREATE INDEX on a table with pending
-- trigger events, so upgrading a database that has mentees failed.
SET CONSTRAINTS ALL IMMEDIATE;

-- Recounts one mentee's pair. The row is locked before counting: a
-- transaction that waited for another's lock then counts with that one's
-- sessions committed (READ COMMITTED takes a snapshot per statement), so
-- no recount overwrites a newer one with fewer sessions.
-- +goose StatementBegin
CREATE FUNCTION rendezvous_pair_recount(mentee text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    mentor     text;
    live       timestamptz;
    booked_any boolean;
BEGIN
    SELECT mentor_id INTO mentor FROM mentees WHERE id = mentee FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT MAX(start_at) INTO live FROM bookings WHERE mentee_id = mentee AND mentor_id = mentor
        AND status = 'confirmed' AND (outcome IS NULL OR outcome = 'completed');
    booked_any := EXISTS (SELECT 1 FROM bookings WHERE mentee_id = mentee AND mentor_id = mentor);
    UPDATE mentees SET last_live_at = live, booked = booked_any
     WHERE id = mentee AND (last_live_at IS DISTINCT FROM live OR booked IS DISTINCT FROM booked_any);
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION rendezvous_pair_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        PERFORM rendezvous_pair_recount(OLD.mentee_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.mentee_id IS DISTINCT FROM OLD.mentee_id) THEN
        PERFORM rendezvous_pair_recount(NEW.mentee_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION rendezvous_pair_mentee_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rendezvous_pair_recount(NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- Deferred to commit, as the slot_changes triggers (00018) are: the
-- mentee row's lock is each transaction's last, so no lock order is
-- inverted (a booking locks its mentor first), and one recount sees all
-- of the transaction's writes.
CREATE CONSTRAINT TRIGGER mentee_pair AFTER INSERT OR DELETE ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_pair_booking_changed();
CREATE CONSTRAINT TRIGGER mentee_pair_update AFTER UPDATE OF mentor_id, mentee_id, start_at, status, outcome ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.mentor_id IS DISTINCT FROM NEW.mentor_id OR OLD.mentee_id IS DISTINCT FROM NEW.mentee_id
        OR OLD.start_at IS DISTINCT FROM NEW.start_at OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.outcome IS DISTINCT FROM NEW.outcome)
    EXECUTE FUNCTION rendezvous_pair_booking_changed();
CREATE CONSTRAINT TRIGGER mentee_pair_reassign AFTER UPDATE OF mentor_id ON mentees
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.mentor_id IS DISTINCT FROM NEW.mentor_id)
    EXECUTE FUNCTION rendezvous_pair_mentee_changed();

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
DROP TRIGGER mentee_pair_reassign ON mentees;
DROP TRIGGER mentee_pair_update ON bookings;
DROP TRIGGER mentee_pair ON bookings;
DROP FUNCTION rendezvous_pair_mentee_changed();
DROP FUNCTION rendezvous_pair_booking_changed();
DROP FUNCTION rendezvous_pair_recount(text);
ALTER TABLE mentees DROP COLUMN booked;
ALTER TABLE mentees DROP COLUMN last_live_at;
