-- +goose Up
-- Who made a session's last change (reschedule or cancellation): mentee,
-- mentor, coordinator, admin, or calendar (the mentor moved or deleted its
-- event in their own calendar); '' while it was never changed.
ALTER TABLE bookings ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
-- The booking SEQUENCE whose state the write-back last put into the
-- mentor's calendar. A remote edit is only followed while it equals the
-- booking's own: otherwise our own pending write explains the difference.
-- -1 (unknown, as for sessions written before this column) follows nothing
-- until the next write-back.
ALTER TABLE bookings ADD COLUMN writeback_sequence INTEGER NOT NULL DEFAULT -1;
-- The last move of the session's event in the mentor's calendar that was
-- refused (the time was not free): where to, why, and when it was seen.
ALTER TABLE bookings ADD COLUMN calendar_refused_start DATETIME;
ALTER TABLE bookings ADD COLUMN calendar_refused_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN calendar_refused_at DATETIME;

-- +goose Down
ALTER TABLE bookings DROP COLUMN calendar_refused_at;
ALTER TABLE bookings DROP COLUMN calendar_refused_reason;
ALTER TABLE bookings DROP COLUMN calendar_refused_start;
ALTER TABLE bookings DROP COLUMN writeback_sequence;
ALTER TABLE bookings DROP COLUMN changed_by;
