package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MailSent reports whether the mail with this Message-ID was accepted by
// the SMTP server already.
func (q Q) MailSent(ctx context.Context, messageID string) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	if err := db.Model(&SentMail{}).Where("message_id = ?", messageID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read sent mail: %w", translate(err))
	}
	return n > 0, nil
}

// RecordMailSent records an accepted mail; recording it twice is fine.
func (q Q) RecordMailSent(ctx context.Context, messageID string, at time.Time) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := translate(db.Create(&SentMail{MessageID: messageID, SentAt: at.UTC()}).Error)
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return fmt.Errorf("record sent mail: %w", err)
	}
	return nil
}
