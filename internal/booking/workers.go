package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/notify"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// RegisterWorkers adds the mail and reminder workers to the job engine.
func (s *Service) RegisterWorkers(w *river.Workers, sender mail.Sender, from calendar.Person) {
	river.AddWorker(w, &mailWorker{sender: sender, from: from, logger: s.Logger})
	river.AddWorker(w, &reminderWorker{svc: s})
}

// mailWorker renders and sends one notification. Temporary failures (4xx,
// timeouts, a server that is down) return an error so River retries with
// backoff; a permanent refusal (5xx) cancels the job with a logged error.
type mailWorker struct {
	river.WorkerDefaults[jobs.MailArgs]
	sender mail.Sender
	from   calendar.Person
	logger *slog.Logger
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[jobs.MailArgs]) error {
	a := job.Args
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		loc = time.UTC
	}
	to := notify.Recipient{Person: a.Session.Attendee, Lang: a.Language, Location: loc, IsMentor: a.ToMentor}
	if a.ToMentor {
		to.Person = a.Session.Organizer
	}
	msg, err := notify.BuildMessage(notify.Kind(a.Event), a.Session, to, w.from, notify.Extra{Reason: a.Reason, Lead: a.Lead})
	if err != nil {
		return river.JobCancel(fmt.Errorf("build %s mail for booking %s: %w", a.Event, a.BookingID, err))
	}
	if err := w.sender.Send(ctx, msg); err != nil {
		attrs := []any{slog.String("booking_id", a.BookingID), slog.String("event", a.Event),
			slog.String("to", to.Person.Email), slog.Int("attempt", job.Attempt), slog.Any("error", err)}
		if mail.IsPermanent(err) {
			w.logger.Error("mail refused permanently; giving up", attrs...)
			return river.JobCancel(fmt.Errorf("send %s mail for booking %s: %w", a.Event, a.BookingID, err))
		}
		if job.Attempt >= job.MaxAttempts {
			w.logger.Error("mail not delivered after every retry; giving up", attrs...)
		} else {
			w.logger.Warn("mail delivery failed; will retry", attrs...)
		}
		return fmt.Errorf("send %s mail for booking %s: %w", a.Event, a.BookingID, err)
	}
	return nil
}

// reminderWorker sends the reminders of a session once, even with several
// processes: the reminders_sent row is the guard, written in the same
// transaction as the mail jobs.
type reminderWorker struct {
	river.WorkerDefaults[jobs.ReminderArgs]
	svc *Service
}

func (w *reminderWorker) Work(ctx context.Context, job *river.Job[jobs.ReminderArgs]) error {
	s, a := w.svc, job.Args
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, a.BookingID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// Cancelled, or moved since this reminder was scheduled (the move
		// scheduled its own reminders).
		if b.Status != store.StatusConfirmed || !b.StartAt.Equal(a.StartAt) || !b.StartAt.After(s.now()) {
			return nil
		}
		first, err := tx.MarkReminderSent(ctx, b.ID, a.Lead, b.StartAt, s.now().UTC())
		if err != nil || !first {
			return err
		}
		c, sess, err := s.loadChange(ctx, tx.Q, b, EventReminder)
		if err != nil {
			return err
		}
		return s.jobs.InsertManyTx(ctx, tx, s.mailJobs(c, sess, a.Lead))
	})
}
