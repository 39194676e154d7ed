package booking

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
)

// RegisterWorkers adds the reminder worker and the worker of calendar
// edits to the job engine.
func (s *Service) RegisterWorkers(w *river.Workers) {
	river.AddWorker(w, &reminderWorker{svc: s})
	river.AddWorker(w, &calendarEditWorker{svc: s})
}

// reminderWorker runs the reminder jobs that bookings scheduled before the
// sweep took over (SweepReminders); none is enqueued now. It sends each
// once, even with several processes and beside the sweep: the
// reminders_sent row is the guard, written in the same transaction as the
// mail jobs.
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
		mentor, mentee, err := outbox.Parties(ctx, tx.Q, b)
		if err != nil {
			return err
		}
		mails, err := s.outbox.Mails(outbox.Notice{Booking: b, Mentor: mentor, Mentee: mentee, Event: EventReminder, Lead: a.Lead})
		if err != nil {
			return err
		}
		return s.jobs.InsertManyTx(ctx, tx, mails)
	})
}
