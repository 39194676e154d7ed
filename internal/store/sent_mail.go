package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// MailOutcome is what the SMTP server answered to a mail, by Message-ID.
type MailOutcome int

const (
	MailNotSent MailOutcome = iota // never accepted nor refused for good: send it
	MailSent                       // accepted
	MailRefused                    // refused for good (a 5xx to the message)
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
// Accepted wins over a refusal recorded before (two runs of one job that
// overlapped, or an acceptance whose record was lost): the mail is out.
func (q Q) RecordMailSent(ctx context.Context, messageID string, at time.Time) error {
	return q.recordMail(ctx, SentMail{MessageID: messageID, SentAt: at.UTC()}, clause.OnConflict{
		Columns:   []clause.Column{{Name: "message_id"}},
		DoUpdates: clause.Assignments(map[string]any{"refused": false, "sent_at": at.UTC()}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "sent_mail.refused"}}},
	})
}

// RecordMailRefused records a mail refused for good; a record already
// there (accepted by an earlier attempt) stays as it is.
func (q Q) RecordMailRefused(ctx context.Context, messageID string, at time.Time) error {
	return q.recordMail(ctx, SentMail{MessageID: messageID, SentAt: at.UTC(), Refused: true}, clause.OnConflict{DoNothing: true})
}

func (q Q) recordMail(ctx context.Context, row SentMail, onConflict clause.OnConflict) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Clauses(onConflict).Create(&row).Error; err != nil {
		return fmt.Errorf("record sent mail: %w", translate(err))
	}
	return nil
}
