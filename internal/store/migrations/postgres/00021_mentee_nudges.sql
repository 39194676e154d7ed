-- +goose Up
-- When a pair that had not met within the expected interval was last
-- nudged (a mail to each): set once per quiet spell, by one process, with
-- the pair's row locked. A session held or booked since, or a new
-- assignment, starts a new spell.
ALTER TABLE mentees ADD COLUMN nudged_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE mentees DROP COLUMN nudged_at;
