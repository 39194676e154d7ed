package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MailOutcome is what the SMTP server answered to a mail, by Message-ID.
type MailOutcome int

const (
	MailNotSent MailOutcome = iota // never accepted nor refused for good: send it
	MailSent                       // accepted
	MailRefused                    // refused for good (a 5xx answer)
)

// MailOutcomeOf is what became of the mail with this Message-ID.
func (q Q) MailOutcomeOf(ctx context.Context, messageID string) (MailOutcome, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var rows []SentMail
	if err := db.Select("refused").Where("message_id = ?", messageID).Limit(1).Find(&rows).Error; err != nil {
		return MailNotSent, fmt.Errorf("read sent mail: %w", translate(err))
	}
	switch {
	case len(rows) == 0:
		return MailNotSent, nil
	case rows[0].Refused:
		return MailRefused, nil
	}
	return MailSent, nil
}

// RecordMailSent records an accepted mail; recording it twice is fine.
func (q Q) RecordMailSent(ctx context.Context, messageID string, at time.Time) error {
	return q.recordMail(ctx, SentMail{MessageID: messageID, SentAt: at.UTC()})
}

// RecordMailRefused records a mail refused for good; a record already
// there (accepted by an earlier attempt) stays as it is.
func (q Q) RecordMailRefused(ctx context.Context, messageID string, at time.Time) error {
	return q.recordMail(ctx, SentMail{MessageID: messageID, SentAt: at.UTC(), Refused: true})
}

func (q Q) recordMail(ctx context.Context, row SentMail) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := translate(db.Create(&row).Error)
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return fmt.Errorf("record sent mail: %w", err)
	}
	return nil
}
