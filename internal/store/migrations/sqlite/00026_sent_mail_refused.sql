-- +goose Up
-- A mail the SMTP server refused for good is recorded too: a notice job
-- retried for its other mail (refused for now) must not offer the refused
-- one to the server again at each of its retries.
ALTER TABLE sent_mail ADD COLUMN refused BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE sent_mail DROP COLUMN refused;
