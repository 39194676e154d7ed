-- +goose Up
-- 00026's booking-alone path updated the mentee with a WHERE that tested
-- the counters. Under READ COMMITTED an UPDATE whose row version fails its
-- WHERE skips the row without waiting for its lock: it was right only
-- because the booking's foreign-key check (KEY SHARE on the mentee) and a
-- recount's FOR UPDATE of the mentee exclude each other, so a recount that
-- lowers the counters (a cancelled latest session) and a booking never
-- overlap. The path now locks the mentee's row itself and decides on the
-- latest committed counters: it no longer rests on how the foreign key
-- happens to lock (one statement more, ~0.03 ms). FOR NO KEY UPDATE, the
-- update's own lock: it waits for a recount's FOR UPDATE and for another
-- booking's update, but not for the KEY SHARE that concurrent bookings of
-- the mentee hold (FOR UPDATE there deadlocked two of them).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rendezvous_pair_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    live      boolean;
    mentor    text;
    was_live  timestamptz;
    was_booked boolean;
BEGIN
    IF TG_OP = 'INSERT' AND current_setting('rendezvous.pair_writes', true) = '1' THEN
        SELECT mentor_id, last_live_at, booked INTO mentor, was_live, was_booked
          FROM mentees WHERE id = NEW.mentee_id FOR NO KEY UPDATE;
        IF NOT FOUND OR mentor IS DISTINCT FROM NEW.mentor_id THEN
            RETURN NULL;
        END IF;
        live := NEW.status = 'confirmed' AND (NEW.outcome IS NULL OR NEW.outcome = 'completed');
        IF NOT was_booked OR (live AND (was_live IS NULL OR was_live < NEW.start_at)) THEN
            UPDATE mentees SET booked = TRUE,
                last_live_at = CASE WHEN live THEN GREATEST(last_live_at, NEW.start_at) ELSE last_live_at END
             WHERE id = NEW.mentee_id;
        END IF;
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

-- +goose Down
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
