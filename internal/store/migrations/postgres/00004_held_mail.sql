-- +goose Up
-- A booking's notification held back until its Google Meet link exists
-- (the event it announces: confirmed or transferred); '' when none is.
ALTER TABLE bookings ADD COLUMN mail_held TEXT NOT NULL DEFAULT '';
-- Sessions still waiting for their link were waiting to be confirmed.
UPDATE bookings SET mail_held = 'confirmed'
 WHERE video_provider = 'google_meet' AND video_url = '' AND status = 'confirmed' AND sequence = 0;

-- +goose Down
ALTER TABLE bookings DROP COLUMN mail_held;
