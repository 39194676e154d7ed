-- +goose Up
-- Connections may be published calendar addresses (provider 'ics').
ALTER TABLE connections DROP CONSTRAINT connections_provider_check;
ALTER TABLE connections ADD CONSTRAINT connections_provider_check CHECK (provider IN ('caldav', 'google', 'ics'));

-- +goose Down
ALTER TABLE connections DROP CONSTRAINT connections_provider_check;
ALTER TABLE connections ADD CONSTRAINT connections_provider_check CHECK (provider IN ('caldav', 'google'));
