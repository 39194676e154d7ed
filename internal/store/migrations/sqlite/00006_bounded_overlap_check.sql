-- +goose Up
-- The overlap triggers scanned every earlier session of the mentor (the
-- range "start before my end" is open at the bottom): quadratic in the
-- number of sessions. A session lasts at most a day (the longest session
-- length is 240 minutes; bookings_at_most_a_day keeps it so), so only
-- sessions starting within the day before can overlap, a bounded range of
-- bookings_mentor_start.
DROP TRIGGER bookings_no_overlap_insert;
DROP TRIGGER bookings_no_overlap_update;
-- +goose StatementBegin
CREATE TRIGGER bookings_at_most_a_day BEFORE INSERT ON bookings
WHEN julianday(NEW.end_at) - julianday(NEW.start_at) > 1
BEGIN
    SELECT RAISE(ABORT, 'bookings_at_most_a_day');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER bookings_at_most_a_day_update BEFORE UPDATE OF start_at, end_at ON bookings
WHEN julianday(NEW.end_at) - julianday(NEW.start_at) > 1
BEGIN
    SELECT RAISE(ABORT, 'bookings_at_most_a_day');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.mentor_id = NEW.mentor_id AND b.status <> 'cancelled'
      AND b.start_at > datetime(NEW.start_at, '-1 day')
      AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF mentor_id, start_at, end_at, status ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.mentor_id = NEW.mentor_id AND b.status <> 'cancelled'
      AND b.start_at > datetime(NEW.start_at, '-1 day')
      AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER bookings_at_most_a_day;
DROP TRIGGER bookings_at_most_a_day_update;
DROP TRIGGER bookings_no_overlap_insert;
DROP TRIGGER bookings_no_overlap_update;
-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.mentor_id = NEW.mentor_id AND b.status <> 'cancelled'
      AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF mentor_id, start_at, end_at, status ON bookings
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.mentor_id = NEW.mentor_id AND b.status <> 'cancelled'
      AND b.start_at < NEW.end_at AND b.end_at > NEW.start_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap');
END;
-- +goose StatementEnd
