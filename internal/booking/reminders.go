package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Reminders before a session go out from a sweep every minute rather than
// from a job scheduled per reminder per booking: a booking then inserts no
// reminder job (on PostgreSQL, River's job rows with their indexes were
// half of a booking's work). The reminders_sent row of (session, lead,
// start) is the guard: the sweep, the reminder jobs enqueued before the
// sweep existed and several processes send each reminder once; a session
// changed after a lead's point has its row written by the change (see
// markLateReminders), so it gets no reminder for that lead, as when the
// job was not scheduled.

// reminderSweepEvery: a reminder goes out at most this late (later when
// every process was down: the next sweep catches up on the sessions still
// to come).
const reminderSweepEvery = time.Minute

// RegisterReminderSweep adds the sweep of reminders before sessions, run
// by one process (River's leader) every minute and when it starts.
func (s *Service) RegisterReminderSweep(p Periodic) {
	// Registered even without reminders: a sweep job left by an earlier
	// configuration runs (and finds nothing).
	river.AddWorker(p.Workers(), &reminderSweepWorker{svc: s})
	if len(s.Reminders) == 0 {
		return
	}
	p.AddPeriodic(reminderSweepEvery, func() river.JobArgs { return jobs.ReminderSweepArgs{} }, true)
}

type reminderSweepWorker struct {
	river.WorkerDefaults[jobs.ReminderSweepArgs]
	svc *Service
}

func (w *reminderSweepWorker) Work(ctx context.Context, _ *river.Job[jobs.ReminderSweepArgs]) error {
	_, err := w.svc.SweepReminders(ctx)
	return err
}

// TakeOverReminders records, once per database and lead, when the sweep
// took the lead over (cmd/rendezvous calls it before serving). Reminders
// due before then are left alone: those of an upgrade's first start were
// the scheduled jobs' (still run by reminderWorker), so a session booked
// inside a lead before the upgrade, which had no job, gets none now
// either; and a lead added or changed later starts with the sessions whose
// point is still to come, instead of reminding at once every session
// already inside it.
func (s *Service) TakeOverReminders(ctx context.Context) error {
	now := s.now().UTC().Format(time.RFC3339)
	for _, lead := range s.Reminders {
		if _, err := s.store.PutSettingIfAbsent(ctx, store.SettingRemindersSweptSince(lead), now); err != nil {
			return fmt.Errorf("record when the %s reminders were taken over: %w", lead, err)
		}
	}
	return nil
}

// remindersSweptSince is when the sweep took lead over (zero when never
// recorded: every due reminder of it is the sweep's).
func (s *Service) remindersSweptSince(ctx context.Context, lead time.Duration) (time.Time, error) {
	v, err := s.store.Setting(ctx, store.SettingRemindersSweptSince(lead))
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read when the %s reminders were taken over: %w", lead, err)
	}
	since, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("when the %s reminders were taken over (%q): %w", lead, v, err)
	}
	return since, nil
}

// SweepReminders sends each due reminder and reports how many went out.
// For each lead L, the sessions due are the confirmed ones starting in
// (now, now+L] without a reminders_sent row of L at their start; each
// transaction takes at most ReminderSweepBatch of them, records them sent
// and enqueues their mails, so a reminder and its mark commit together.
// The work is bounded: ReminderSweepRounds transactions per lead at most,
// each reading one range of an index, the confirmed sessions starting
// within the lead (at a program's scale, some thousands a minute); what is
// left waits a minute.
func (s *Service) SweepReminders(ctx context.Context) (int, error) {
	sent := 0
	for _, lead := range s.Reminders {
		since, err := s.remindersSweptSince(ctx, lead)
		if err != nil {
			return sent, err
		}
		for range s.ReminderSweepRounds {
			n, more, err := s.sweepReminderBatch(ctx, lead, since)
			sent += n
			if err != nil {
				return sent, fmt.Errorf("send the %s reminders: %w", lead, err)
			}
			if !more {
				break
			}
		}
	}
	return sent, nil
}

// sweepReminderBatch sends at most ReminderSweepBatch reminders of lead
// in one transaction; more reports that the batch was full.
func (s *Service) sweepReminderBatch(ctx context.Context, lead time.Duration, since time.Time) (sent int, more bool, err error) {
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		sent = 0
		now := s.now().UTC()
		after := now
		// A start whose lead's point came before the take-over: the job's.
		if !since.IsZero() && since.Add(lead).After(after) {
			after = since.Add(lead - time.Nanosecond)
		}
		due, err := tx.DueReminders(ctx, lead, after, now.Add(lead), s.ReminderSweepBatch)
		if err != nil {
			return err
		}
		more = len(due) == s.ReminderSweepBatch
		marked, err := tx.MarkRemindersSent(ctx, lead, due, now)
		if err != nil {
			return err
		}
		mentors, mentees := map[string]*store.Mentor{}, map[string]*store.Mentee{}
		var batch []river.InsertManyParams
		for i := range due {
			b := &due[i]
			if !marked[b.ID] {
				continue // sent by another sweep or a reminder job meanwhile
			}
			mentor, ok := mentors[b.MentorID]
			if !ok {
				if mentor, err = tx.Mentor(ctx, b.MentorID); err != nil {
					return fmt.Errorf("mentor of booking %s: %w", b.ID, err)
				}
				mentors[b.MentorID] = mentor
			}
			mentee, ok := mentees[b.MenteeID]
			if !ok {
				if mentee, err = tx.Mentee(ctx, b.MenteeID); err != nil {
					return fmt.Errorf("mentee of booking %s: %w", b.ID, err)
				}
				mentees[b.MenteeID] = mentee
			}
			mails, err := s.outbox.Mails(outbox.Notice{Booking: b, Mentor: mentor, Mentee: mentee, Event: EventReminder, Lead: lead})
			if err != nil {
				// A session whose mails cannot be built (its links sealed
				// under another key) would fail every sweep until it starts
				// and hold back the reminders after it: it is given up.
				s.Logger.Error("reminder cannot be built; giving it up", slog.String("booking_id", b.ID),
					slog.Duration("lead", lead), slog.Any("error", err))
				continue
			}
			batch = append(batch, mails...)
			sent++
		}
		return s.jobs.InsertManyTx(ctx, tx, batch)
	})
	if err != nil {
		return 0, false, err
	}
	return sent, more, nil
}

// markLateReminders records as sent the reminders of a confirmed session
// whose lead's point has passed at its change (booked, moved or handed
// over inside the lead): the sweep skips them, as no job was scheduled
// for them before. A session changed well ahead writes nothing.
func (s *Service) markLateReminders(ctx context.Context, tx *store.Tx, b *store.Booking) error {
	now := s.now()
	if b.Status != store.StatusConfirmed || !b.StartAt.After(now) {
		return nil
	}
	for _, lead := range s.Reminders {
		if b.StartAt.Add(-lead).After(now) {
			continue
		}
		if _, err := tx.MarkReminderSent(ctx, b.ID, lead, b.StartAt, now.UTC()); err != nil {
			return err
		}
	}
	return nil
}
