-- +goose Up
-- Webhook endpoints that admins register, the events they are sent, and
-- one delivery per event and endpoint. An event's payload is stored once,
-- byte for byte, so that every retry sends the same body under the same
-- webhook-id. Secrets are sealed (internal/secret).
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    url                        TEXT NOT NULL,
    events                     TEXT NOT NULL,
    secret_sealed              TEXT NOT NULL,
    previous_secret_sealed     TEXT NOT NULL DEFAULT '',
    previous_secret_expires_at TIMESTAMPTZ,
    status                     TEXT NOT NULL DEFAULT 'enabled',
    disabled_at                TIMESTAMPTZ,
    disabled_reason            TEXT NOT NULL DEFAULT '',
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_events (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    -- No foreign key: events are recorded against the endpoints a process
    -- knew a moment ago; a delivery to an endpoint deleted meanwhile fails.
    endpoint_id      TEXT NOT NULL,
    event_id         TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT NOT NULL DEFAULT '',
    last_attempt_at  TIMESTAMPTZ,
    next_attempt_at  TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries (endpoint_id, delivered_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;
