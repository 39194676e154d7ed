-- +goose Up
-- Every mail the SMTP server accepted, by Message-ID: a job rescued after
-- a crash (it was sent, but its completion was never recorded) finds its
-- mail here and does not send it again.
CREATE TABLE sent_mail (
    message_id TEXT PRIMARY KEY,
    sent_at    DATETIME NOT NULL
);
CREATE INDEX sent_mail_sent_at ON sent_mail (sent_at);

-- +goose Down
DROP TABLE sent_mail;
