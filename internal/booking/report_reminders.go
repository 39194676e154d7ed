package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
)

// reminderHorizon: sessions that ended longer than this before their
// reminder was due get none (a deployment upgraded with months of
// unreported history does not mail it all).
const reminderHorizon = 7 * 24 * time.Hour

// reminderBatch bounds the sessions one sweep handles; the next sweep
// takes the rest.
const reminderBatch = 500

// Periodic schedules a job on a timer, once across processes.
type Periodic interface {
	AddPeriodic(every time.Duration, build func() river.JobArgs, runOnStart bool)
	Workers() *river.Workers
}

// RegisterReportReminders adds the sweep that reminds mentors to file
// reports, checked at an eighth of RENDEZVOUS_REPORT_REMINDER (at least
// every minute, at most every 5 seconds).
func (s *Service) RegisterReportReminders(p Periodic) {
	if s.ReportReminder <= 0 {
		return
	}
	river.AddWorker(p.Workers(), &reportReminderWorker{svc: s})
	every := min(max(s.ReportReminder/8, 5*time.Second), time.Minute)
	p.AddPeriodic(every, func() river.JobArgs { return jobs.ReportReminderSweepArgs{} }, true)
}

type reportReminderWorker struct {
	river.WorkerDefaults[jobs.ReportReminderSweepArgs]
	svc *Service
}

func (w *reportReminderWorker) Work(ctx context.Context, _ *river.Job[jobs.ReportReminderSweepArgs]) error {
	_, err := w.svc.SweepReportReminders(ctx)
	return err
}

// SweepReportReminders mails each mentor with a session that ended
// RENDEZVOUS_REPORT_REMINDER ago without a report one reminder, and
// reports how many went out. Each session's mark and its mail commit
// together, and the mark is taken only once: sweeps racing in several
// processes send each reminder once.
func (s *Service) SweepReportReminders(ctx context.Context) (int, error) {
	due := s.now().UTC().Add(-s.ReportReminder)
	ids, err := s.store.DueReportReminders(ctx, due.Add(-reminderHorizon), due, reminderBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, id := range ids {
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			first, err := tx.MarkReportReminded(ctx, id, s.now())
			if err != nil || !first {
				return err
			}
			b, err := tx.Booking(ctx, id)
			if err != nil {
				return err
			}
			mentor, mentee, err := outbox.Parties(ctx, tx.Q, b)
			if err != nil {
				return err
			}
			mail, err := s.outbox.ReportDueMail(b, mentor, mentee)
			if err != nil {
				return err
			}
			sent++
			return s.jobs.InsertManyTx(ctx, tx, []river.InsertManyParams{mail})
		})
		if err != nil {
			return sent, fmt.Errorf("remind the report of booking %s: %w", id, err)
		}
	}
	return sent, nil
}

// UnreportedLimit is how many unreported sessions the mentor area lists.
const UnreportedLimit = 50

// Unreported lists a mentor's ended sessions without a report, latest
// first (staff, or that mentor).
func (s *Service) Unreported(ctx context.Context, by access.Principal, mentorID string) ([]Booking, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	bs, err := s.store.MentorUnreportedSessions(ctx, mentorID, s.now(), UnreportedLimit)
	if err != nil {
		return nil, err
	}
	out := make([]Booking, 0, len(bs))
	for i := range bs {
		v, err := s.view(&bs[i], false)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}
