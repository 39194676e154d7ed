-- +goose Up
-- Two costs of every booking on PostgreSQL (pg_stat_statements, 4
-- bookers; BENCHMARKS.md "Slots from memory"):
--
-- 1. A new session recounted its pair (00024/00025): the mentee's row
--    locked, MAX over the pair's sessions, EXISTS, then the update; 0.64 ms
--    of a booking's ~4 ms in PostgreSQL. A new session can only raise the
--    counters (booked becomes true; a live session later than
--    last_live_at becomes it). When it is the transaction's only write to
--    sessions and mentors of mentees (00025's count is 1: a booking), the
--    row as inserted is the row as committed and every other session is
--    counted already, so the insert updates the mentee with what it adds,
--    in one statement. Any other transaction (a series' 26 sessions, a
--    move, a reassignment) recounts once, as before. Concurrent inserts
--    commute (the update re-reads the locked row and only raises it); a
--    recount in another transaction locks the row first and counts with
--    this one's session once it commits, as before.
-- 2. That update of the mentee's counters fired the mentee's slot_changes
--    trigger (00018): a second version bump of the mentor per booking,
--    though no slot depends on the counters. An update that changes
--    nothing but last_live_at and booked now leaves slot_changes alone.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rendezvous_pair_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    live boolean;
BEGIN
    IF TG_OP = 'INSERT' AND current_setting('rendezvous.pair_writes', true) = '1' THEN
        live := NEW.status = 'confirmed' AND (NEW.outcome IS NULL OR NEW.outcome = 'completed');
        UPDATE mentees SET booked = TRUE,
            last_live_at = CASE WHEN live THEN GREATEST(last_live_at, NEW.start_at) ELSE last_live_at END
         WHERE id = NEW.mentee_id AND mentor_id = NEW.mentor_id
           AND (NOT booked OR (live AND (last_live_at IS NULL OR last_live_at < NEW.start_at)));
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        PERFORM rendezvous_pair_recount(OLD.mentee_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.mentee_id IS DISTINCT FROM OLD.mentee_id) THEN
        PERFORM rendezvous_pair_recount(NEW.mentee_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP TRIGGER slot_changes ON mentees;
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR DELETE ON mentees
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();
CREATE CONSTRAINT TRIGGER slot_changes_update AFTER UPDATE ON mentees
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'last_live_at' - 'booked') IS DISTINCT FROM (to_jsonb(NEW) - 'last_live_at' - 'booked'))
    EXECUTE FUNCTION rendezvous_mentor_changed();

-- +goose Down
DROP TRIGGER slot_changes_update ON mentees;
DROP TRIGGER slot_changes ON mentees;
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR UPDATE OR DELETE ON mentees
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rendezvous_pair_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
