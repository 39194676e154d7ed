-- +goose Up
-- Nothing on SQLite: its pair counters (00024) move forward in one
-- statement per new session, without a recount; 00025 is PostgreSQL's
-- (one recount per pair and transaction), numbered alike on both.
SELECT 1;

-- +goose Down
SELECT 1;
