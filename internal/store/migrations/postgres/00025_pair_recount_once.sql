-- +goose Up
-- A weekly series books up to 26 sessions of one pair in one statement,
-- and each row queued a recount of the same pair at commit (00024): 26
-- row locks and index scans where one does, about 5 ms of a series
-- booking (BENCHMARKS.md, "Weekly series"). A recount now remembers, for
-- the rest of the transaction, which pair it counted after how many
-- writes to sessions and mentors of mentees; the next event of that pair
-- with no such write since is skipped (a later write, or a recount forced
-- by SET CONSTRAINTS before more writes, counts again). The writes are
-- counted in a transaction-local setting by a BEFORE row trigger: it
-- runs before any recount of the same row (also when SET CONSTRAINTS
-- made the recounts immediate: AFTER triggers run in name order).
-- +goose StatementBegin
CREATE FUNCTION rendezvous_pair_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('rendezvous.pair_writes',
        (COALESCE(NULLIF(current_setting('rendezvous.pair_writes', true), ''), '0')::bigint + 1)::text, true);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER pair_write BEFORE INSERT OR UPDATE OF mentor_id, mentee_id, start_at, status, outcome OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION rendezvous_pair_write();
CREATE TRIGGER pair_write BEFORE UPDATE OF mentor_id ON mentees
    FOR EACH ROW WHEN (OLD.mentor_id IS DISTINCT FROM NEW.mentor_id) EXECUTE FUNCTION rendezvous_pair_write();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rendezvous_pair_recount(mentee text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    mentor     text;
    live       timestamptz;
    booked_any boolean;
    counted    text := mentee || ' ' || COALESCE(current_setting('rendezvous.pair_writes', true), '');
BEGIN
    IF current_setting('rendezvous.pair_counted', true) = counted THEN
        RETURN;
    END IF;
    SELECT mentor_id INTO mentor FROM mentees WHERE id = mentee FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT MAX(start_at) INTO live FROM bookings WHERE mentee_id = mentee AND mentor_id = mentor
        AND status = 'confirmed' AND (outcome IS NULL OR outcome = 'completed');
    booked_any := EXISTS (SELECT 1 FROM bookings WHERE mentee_id = mentee AND mentor_id = mentor);
    UPDATE mentees SET last_live_at = live, booked = booked_any
     WHERE id = mentee AND (last_live_at IS DISTINCT FROM live OR booked IS DISTINCT FROM booked_any);
    PERFORM set_config('rendezvous.pair_counted', counted, true);
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rendezvous_pair_recount(mentee text) RETURNS void LANGUAGE plpgsql AS $$
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
DROP TRIGGER pair_write ON mentees;
DROP TRIGGER pair_write ON bookings;
DROP FUNCTION rendezvous_pair_write();
