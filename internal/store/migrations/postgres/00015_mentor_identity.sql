-- +goose Up
-- A mentor is one person per address, compared without case (addresses
-- are stored trimmed). An installation that holds two mentors with one
-- address must merge them before this migration can run.
CREATE UNIQUE INDEX mentors_email_lower ON mentors (lower(email));
-- active takes mentees and bookings; paused takes no new mentees (its
-- mentees keep booking); inactive offers no slots and takes no mentees.
ALTER TABLE mentors ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
-- Active mentorships of one person, across mentors.
CREATE INDEX mentees_email_key_active ON mentees (email_key) WHERE status = 'active';

-- +goose Down
DROP INDEX mentees_email_key_active;
DROP INDEX mentors_email_lower;
ALTER TABLE mentors DROP COLUMN status;
