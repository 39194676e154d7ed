// Package maillog makes mail jobs send each mail once. River records a
// job's completion after its worker returns, in batches: a process killed
// in between leaves a job that already sent its mail marked as running,
// and the job is rescued and run again. Every mail the SMTP server accepted
// is recorded here by its Message-ID before the worker returns, and a mail
// already recorded is not sent again. So is every mail it refused for good
// (a 5xx to its recipient or content): a job retried for another of its
// mails does not offer that one again.
package maillog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// ErrRefusedBefore is the failure of a mail the server refused for good at
// an earlier attempt: a job retried for its other mails logs it quietly.
var ErrRefusedBefore = errors.New("refused for good before")

// Sender sends through next at most once per Message-ID.
type Sender struct {
	next   mail.Sender
	store  *store.Store
	logger *slog.Logger
	now    func() time.Time
}

// New wraps next.
func New(next mail.Sender, s *store.Store, logger *slog.Logger) *Sender {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{next: next, store: s, logger: logger, now: time.Now}
}

// Send sends m unless a mail with its Message-ID was sent already, or
// refused for good (then it fails again as refused, without asking the
// server). A mail without a stable Message-ID cannot be recognised and is
// simply sent.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	if m.MessageID == "" {
		return s.next.Send(ctx, m)
	}
	outcome, err := s.store.MailOutcomeOf(ctx, m.MessageID)
	if err != nil {
		return fmt.Errorf("check whether %s was sent: %w", m.MessageID, err)
	}
	switch outcome {
	case store.MailSent:
		s.logger.Info("mail was sent before; not sending it again", slog.String("message_id", m.MessageID))
		return nil
	case store.MailRefused:
		return fmt.Errorf("mail %s: %w; not offering it again: %w", m.MessageID, ErrRefusedBefore, mail.ErrRefused)
	}
	err = s.next.Send(ctx, m)
	// Record the server's answer even if the job's own context ends now,
	// or a retry would offer the mail again.
	record, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err != nil {
		// Only the message's own refusal: a 5xx to the account or the
		// connection (a wrong password, a sender not allowed) ends when
		// the configuration is fixed, and the mail must go out then.
		if mail.IsRefused(err) {
			if rerr := s.store.RecordMailRefused(record, m.MessageID, s.now()); rerr != nil {
				s.logger.Warn("mail refused for good but not recorded; a retry will offer it again",
					slog.String("message_id", m.MessageID), slog.Any("error", rerr))
			}
		}
		return err
	}
	if err := s.store.RecordMailSent(record, m.MessageID, s.now()); err != nil {
		// Returning the error would retry, and so resend, the mail.
		s.logger.Error("mail sent but not recorded; a crash now could send it twice",
			slog.String("message_id", m.MessageID), slog.Any("error", err))
	}
	return nil
}
