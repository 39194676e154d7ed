-- +goose Up
-- A feed reads each session's mentee by id: with the name and email in the
-- index, that is one index seek instead of an index seek and a row read.
CREATE INDEX mentees_feed ON mentees (id, name, email);

-- +goose Down
DROP INDEX mentees_feed;
