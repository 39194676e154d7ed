-- +goose Up

-- A lease on a connection's sync: the background job and the on-demand
-- endpoint, in any process, claim it with a conditional UPDATE before
-- talking to the server, so one connection is synced by one worker at a
-- time. It expires on its own if its holder dies.
ALTER TABLE connections ADD COLUMN sync_lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN sync_lease_until TIMESTAMPTZ;

-- Why the last sync of one calendar failed ('' when it succeeded), so a
-- connection with one broken calendar still reports the others as fine.
ALTER TABLE calendars ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE calendars DROP COLUMN sync_error;
ALTER TABLE connections DROP COLUMN sync_lease_until;
ALTER TABLE connections DROP COLUMN sync_lease_owner;
