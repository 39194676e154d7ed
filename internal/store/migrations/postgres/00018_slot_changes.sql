-- +goose Up
-- Every change that can move a mentor's free slots or a booking link's
-- meaning bumps the mentor's row here, so each process's in-memory slot
-- inputs (internal/slotcache) drop what changed: processes poll the rows
-- changed in the last seconds and compare versions.
--
-- Not LISTEN/NOTIFY: a notifying transaction takes a database-wide lock
-- through its commit, which serialised every booking's commit (and its
-- WAL flush) and halved the booking rate. The triggers are deferred to
-- commit, so the row lock they take is each transaction's last (no lock
-- order to invert) and changed_at is the commit's time within
-- milliseconds (a poll looking ten seconds back never misses one).
CREATE TABLE slot_changes (
    mentor_id  TEXT PRIMARY KEY,
    version    BIGINT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
-- +goose StatementBegin
CREATE FUNCTION rendezvous_slot_change(mentor text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO slot_changes (mentor_id, version, changed_at) VALUES (mentor, 1, clock_timestamp())
    ON CONFLICT (mentor_id) DO UPDATE SET version = slot_changes.version + 1, changed_at = clock_timestamp();
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION rendezvous_mentor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
        IF OLD.mentor_id IS NOT NULL THEN
            PERFORM rendezvous_slot_change(OLD.mentor_id::text);
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
        IF NEW.mentor_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.mentor_id IS DISTINCT FROM OLD.mentor_id) THEN
            PERFORM rendezvous_slot_change(NEW.mentor_id::text);
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION rendezvous_mentor_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM rendezvous_slot_change(OLD.id::text);
    ELSE
        PERFORM rendezvous_slot_change(NEW.id::text);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER slot_changes AFTER UPDATE OR DELETE ON mentors
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_row_changed();
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR UPDATE OR DELETE ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR UPDATE OR DELETE ON busy_intervals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR UPDATE OR DELETE ON calendars
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR UPDATE OR DELETE ON connections
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();
CREATE CONSTRAINT TRIGGER slot_changes AFTER INSERT OR UPDATE OR DELETE ON mentees
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rendezvous_mentor_changed();

-- +goose Down
DROP TRIGGER slot_changes ON mentors;
DROP TRIGGER slot_changes ON bookings;
DROP TRIGGER slot_changes ON busy_intervals;
DROP TRIGGER slot_changes ON calendars;
DROP TRIGGER slot_changes ON connections;
DROP TRIGGER slot_changes ON mentees;
DROP FUNCTION rendezvous_mentor_row_changed();
DROP FUNCTION rendezvous_mentor_changed();
DROP FUNCTION rendezvous_slot_change(text);
DROP TABLE slot_changes;
