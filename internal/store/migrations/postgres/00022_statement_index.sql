-- +goose Up
-- A month's statement reads every session starting in the month (some
-- 22,000 for 2,000 mentors): covering them lets the database answer from
-- the index alone instead of fetching each row (SQLite three times
-- faster on that benchmark, BENCHMARKS.md).
CREATE INDEX bookings_statement ON bookings (start_at, mentor_id, end_at, status, outcome);

-- +goose Down
DROP INDEX bookings_statement;
