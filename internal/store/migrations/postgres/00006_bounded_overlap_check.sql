-- +goose Up
-- A session lasts at most a day (the longest session length is 240
-- minutes). SQLite's overlap trigger relies on it to bound its search;
-- the same rule holds here so that both databases accept the same data.
ALTER TABLE bookings ADD CONSTRAINT bookings_at_most_a_day CHECK (end_at - start_at <= interval '1 day');

-- +goose Down
ALTER TABLE bookings DROP CONSTRAINT bookings_at_most_a_day;
