-- +goose Up
-- Every change that can move a mentor's free slots or a booking link's
-- meaning leaves the mentor's id here, so each process's in-memory slot
-- inputs (internal/availability) can drop what changed. SQLite serialises
-- writers, so AUTOINCREMENT numbers are handed out in commit order and a
-- reader polling "seq > last" never misses one; REPLACE keeps one row per
-- mentor (the table is as small as the mentor list).
CREATE TABLE slot_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    mentor_id TEXT NOT NULL UNIQUE
);
-- +goose StatementBegin
CREATE TRIGGER slot_changes_mentors_update AFTER UPDATE ON mentors
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_mentors_delete AFTER DELETE ON mentors
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_bookings_insert AFTER INSERT ON bookings WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_bookings_update_new AFTER UPDATE ON bookings WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_bookings_update_old AFTER UPDATE ON bookings WHEN OLD.mentor_id IS NOT NULL AND OLD.mentor_id IS NOT NEW.mentor_id
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_bookings_delete AFTER DELETE ON bookings WHEN OLD.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_busy_intervals_insert AFTER INSERT ON busy_intervals WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_busy_intervals_update_new AFTER UPDATE ON busy_intervals WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_busy_intervals_update_old AFTER UPDATE ON busy_intervals WHEN OLD.mentor_id IS NOT NULL AND OLD.mentor_id IS NOT NEW.mentor_id
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_busy_intervals_delete AFTER DELETE ON busy_intervals WHEN OLD.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_calendars_insert AFTER INSERT ON calendars WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_calendars_update_new AFTER UPDATE ON calendars WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_calendars_update_old AFTER UPDATE ON calendars WHEN OLD.mentor_id IS NOT NULL AND OLD.mentor_id IS NOT NEW.mentor_id
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_calendars_delete AFTER DELETE ON calendars WHEN OLD.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_connections_insert AFTER INSERT ON connections WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_connections_update_new AFTER UPDATE ON connections WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_connections_update_old AFTER UPDATE ON connections WHEN OLD.mentor_id IS NOT NULL AND OLD.mentor_id IS NOT NEW.mentor_id
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_connections_delete AFTER DELETE ON connections WHEN OLD.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_mentees_insert AFTER INSERT ON mentees WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_mentees_update_new AFTER UPDATE ON mentees WHEN NEW.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (NEW.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_mentees_update_old AFTER UPDATE ON mentees WHEN OLD.mentor_id IS NOT NULL AND OLD.mentor_id IS NOT NEW.mentor_id
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER slot_changes_mentees_delete AFTER DELETE ON mentees WHEN OLD.mentor_id IS NOT NULL
BEGIN
    REPLACE INTO slot_changes (mentor_id) VALUES (OLD.mentor_id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER slot_changes_mentors_update;
DROP TRIGGER slot_changes_mentors_delete;
DROP TRIGGER slot_changes_bookings_insert;
DROP TRIGGER slot_changes_bookings_update_new;
DROP TRIGGER slot_changes_bookings_update_old;
DROP TRIGGER slot_changes_bookings_delete;
DROP TRIGGER slot_changes_busy_intervals_insert;
DROP TRIGGER slot_changes_busy_intervals_update_new;
DROP TRIGGER slot_changes_busy_intervals_update_old;
DROP TRIGGER slot_changes_busy_intervals_delete;
DROP TRIGGER slot_changes_calendars_insert;
DROP TRIGGER slot_changes_calendars_update_new;
DROP TRIGGER slot_changes_calendars_update_old;
DROP TRIGGER slot_changes_calendars_delete;
DROP TRIGGER slot_changes_connections_insert;
DROP TRIGGER slot_changes_connections_update_new;
DROP TRIGGER slot_changes_connections_update_old;
DROP TRIGGER slot_changes_connections_delete;
DROP TRIGGER slot_changes_mentees_insert;
DROP TRIGGER slot_changes_mentees_update_new;
DROP TRIGGER slot_changes_mentees_update_old;
DROP TRIGGER slot_changes_mentees_delete;
DROP TABLE slot_changes;
