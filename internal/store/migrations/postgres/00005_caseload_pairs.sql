-- +goose Up
-- What a caseload needs of the past, kept per (mentor, mentee) as outcomes
-- are written, so that the program-wide view does not scan every session
-- ever held: the completed count and the latest completed session, as a
-- "start|id" key. The store rewrites a pair's row whenever one of its
-- sessions is stored with an outcome or cancelled.
CREATE TABLE caseload_pairs (
    mentor_id      TEXT NOT NULL REFERENCES mentors (id),
    mentee_id      TEXT NOT NULL REFERENCES mentees (id),
    completed      INTEGER NOT NULL,
    last_completed TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (mentor_id, mentee_id)
);
INSERT INTO caseload_pairs (mentor_id, mentee_id, completed, last_completed)
SELECT mentor_id, mentee_id, COUNT(*), MAX(CAST(start_at AT TIME ZONE 'UTC' AS TEXT) || '|' || id COLLATE "C")
  FROM bookings WHERE status = 'confirmed' AND outcome = 'completed'
 GROUP BY mentor_id, mentee_id;
-- The rest of a caseload comes from live sessions without an outcome:
-- the upcoming ones, and those held but not yet reported.
CREATE INDEX bookings_open ON bookings (mentor_id, mentee_id, start_at, end_at, id)
    WHERE status = 'confirmed' AND outcome IS NULL;

-- +goose Down
DROP INDEX bookings_open;
DROP TABLE caseload_pairs;
