-- +goose Up
-- Sign-in links asked for, by the hash of the lowered address they go to:
-- links are limited per recipient as well as per client address, so that
-- many clients (or spoofed ones) cannot flood one person's mailbox. The
-- address itself is not kept: most requests name no one we know.
CREATE TABLE signin_requests (
    address_hash TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signin_requests_address ON signin_requests (address_hash, requested_at);
CREATE INDEX signin_requests_requested_at ON signin_requests (requested_at);

-- +goose Down
DROP TABLE signin_requests;
