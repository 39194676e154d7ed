package engage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
)

// nudgeBatch bounds the pairs one sweep handles; the next takes the rest.
const nudgeBatch = 500

// Periodic schedules a job on a timer, once across processes.
type Periodic interface {
	AddPeriodic(every time.Duration, build func() river.JobArgs, runOnStart bool)
	Workers() *river.Workers
}

// RegisterNudges adds the sweep that nudges quiet pairs, run every 1/720
// of the expected interval (14 minutes for a week), between 5 seconds and
// an hour: a nudge goes out soon after it is due, and an idle programme
// costs one query a while.
func (s *Service) RegisterNudges(p Periodic) {
	river.AddWorker(p.Workers(), &nudgeWorker{svc: s})
	every := min(max(s.ExpectedInterval/720, 5*time.Second), time.Hour)
	p.AddPeriodic(every, func() river.JobArgs { return jobs.NudgeSweepArgs{} }, true)
}

type nudgeWorker struct {
	river.WorkerDefaults[jobs.NudgeSweepArgs]
	svc *Service
}

func (w *nudgeWorker) Work(ctx context.Context, _ *river.Job[jobs.NudgeSweepArgs]) error {
	_, err := w.svc.SweepNudges(ctx)
	return err
}

// SweepNudges mails each pair that has had no session within the
// expected interval (the console's overdue rule) one nudge each, the
// mentee's with their booking link, and reports how many pairs were
// nudged. A pair's claim and its two mails commit together, and a spell
// is claimed once: sweeps racing in several processes nudge each pair
// once. A pair still overdue a week after its nudge shows on the
// dashboard as needing a coordinator (store.NeedsCoordinator).
func (s *Service) SweepNudges(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	since := now.Add(-s.ExpectedInterval)
	pairs, err := s.store.DueNudges(ctx, since, nudgeBatch)
	if err != nil {
		return 0, err
	}
	nudged := 0
	for _, p := range pairs {
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			first, err := tx.ClaimNudge(ctx, p, since, now)
			if err != nil || !first {
				return err
			}
			if err := s.nudgeTx(ctx, tx, p, now); err != nil {
				return err
			}
			nudged++
			return nil
		})
		if err != nil {
			return nudged, fmt.Errorf("nudge mentee %s and mentor %s: %w", p.MenteeID, p.MentorID, err)
		}
	}
	return nudged, nil
}

// nudgeTx enqueues the pair's two nudges.
func (s *Service) nudgeTx(ctx context.Context, tx *store.Tx, p store.NudgePair, now time.Time) error {
	mentee, err := tx.Mentee(ctx, p.MenteeID)
	if err != nil {
		return err
	}
	mentor, err := tx.Mentor(ctx, p.MentorID)
	if err != nil {
		return err
	}
	last, err := tx.LastLiveSession(ctx, p, now)
	if err != nil {
		return err
	}
	toMentee, err := s.menteeArgs(mailNudgeMentee, mentee, mentor)
	if err != nil {
		return err
	}
	event := "nudge:" + p.MenteeID + ":" + p.MentorID + ":" + strconv.FormatInt(store.UTCSecond(now).Unix(), 10)
	toMentee.Event = event
	toMentor := jobs.PeopleMailArgs{Mail: mailNudgeMentor, Event: event, MentorID: mentor.ID, MenteeID: mentee.ID,
		ToName: mentor.Name, ToEmail: mentor.Email, Language: mentor.Language, Timezone: mentor.Timezone,
		OtherName: mentee.Name, OtherEmail: mentee.Email, OtherTimezone: mentee.Timezone}
	if !last.IsZero() {
		toMentee.LastSession, toMentor.LastSession = &last, &last
	}
	if err := s.enqueue(ctx, tx, toMentee); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, toMentor)
}
