-- +goose Up
-- An idempotency key remembers the booking it created, not an HTTP
-- response: a replay renders that booking again, so no service stores
-- HTTP. Existing keys take the id from the response they kept.
ALTER TABLE idempotency_keys ADD COLUMN booking_id TEXT NOT NULL DEFAULT '';
UPDATE idempotency_keys SET booking_id = coalesce(json_extract(body, '$.id'), '');
DELETE FROM idempotency_keys WHERE booking_id = '';
ALTER TABLE idempotency_keys DROP COLUMN status;
ALTER TABLE idempotency_keys DROP COLUMN body;

-- +goose Down
ALTER TABLE idempotency_keys ADD COLUMN status INTEGER NOT NULL DEFAULT 201;
ALTER TABLE idempotency_keys ADD COLUMN body TEXT NOT NULL DEFAULT '{}';
ALTER TABLE idempotency_keys DROP COLUMN booking_id;
