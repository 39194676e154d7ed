// Package maillog makes mail jobs send each mail once. River records a
// job's completion after its worker returns, in batches: a process killed
// in between leaves a job that already sent its mail marked as running,
// and the job is rescued and run again. Every mail the SMTP server accepted
// is recorded here by its Message-ID before the worker returns, and a mail
// already recorded is not sent again.
package maillog

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
)

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

// Send sends m unless a mail with its Message-ID was sent already. A mail
// without a stable Message-ID cannot be recognised and is simply sent.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	if m.MessageID == "" {
		return s.next.Send(ctx, m)
	}
	sent, err := s.store.MailSent(ctx, m.MessageID)
	if err != nil {
		return fmt.Errorf("check whether %s was sent: %w", m.MessageID, err)
	}
	if sent {
		s.logger.Info("mail was sent before; not sending it again", slog.String("message_id", m.MessageID))
		return nil
	}
	if err := s.next.Send(ctx, m); err != nil {
		return err
	}
	// The server has the mail: record it even if the job's own context
	// ends now, or a retry would send it again.
	record, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.store.RecordMailSent(record, m.MessageID, s.now()); err != nil {
		// Returning the error would retry, and so resend, the mail.
		s.logger.Error("mail sent but not recorded; a crash now could send it twice",
			slog.String("message_id", m.MessageID), slog.Any("error", err))
	}
	return nil
}
