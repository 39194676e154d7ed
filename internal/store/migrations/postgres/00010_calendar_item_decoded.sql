-- +goose Up
-- The busy time last decoded from a CalDAV object, with the window and
-- zone it was decoded for: an object whose ETag has not changed is not
-- decoded again while the window it covers holds the sync window.
ALTER TABLE calendar_items ADD COLUMN decoded TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE calendar_items DROP COLUMN decoded;
