package mentoring

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// unreportedAfter is how long after its end a session without an outcome
// counts as unreported.
const unreportedAfter = 24 * time.Hour

// SessionRef points at one session.
type SessionRef struct {
	ID    string
	Start time.Time
}

// MenteeLoad is one active mentee in a caseload.
type MenteeLoad struct {
	ID, Name, Email   string
	SessionsCompleted int
	Unreported        int
	LastSession       *SessionRef
	NextSession       *SessionRef
	Overdue           bool
}

// SessionCounts summarise a mentor's sessions; "month" is the current
// calendar month in the mentor's zone.
type SessionCounts struct {
	Upcoming           int
	CompletedThisMonth int
	NoShowThisMonth    int
	MinutesThisMonth   int
	Unreported         int
}

// Caseload is a mentor's mentees and sessions at a glance.
type Caseload struct {
	MentorID        string
	MaxMentees      int
	ActiveMentees   int
	AvailablePlaces int
	Sessions        SessionCounts
	Mentees         []MenteeLoad
}

// Caseload is one mentor's caseload (staff, or that mentor).
func (s *Service) Caseload(ctx context.Context, by access.Principal, mentorID string) (*Caseload, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	if mentorID == "" || len(mentorID) > 100 {
		return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", mentorID)
	}
	all, err := s.caseloads(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", mentorID)
	}
	return &all[0], nil
}

// Caseloads is every mentor's caseload, oldest mentor first (staff). It
// costs four queries whatever the number of mentors, none of them over the
// whole history of sessions.
func (s *Service) Caseloads(ctx context.Context, by access.Principal) ([]Caseload, error) {
	if err := by.RequireStaff("every mentor's caseload"); err != nil {
		return nil, err
	}
	return s.caseloads(ctx, "")
}

func (s *Service) caseloads(ctx context.Context, mentorID string) ([]Caseload, error) {
	now := s.now().UTC()
	late := now.Add(-unreportedAfter)
	mentors, err := s.store.MentorCapacities(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	months, err := monthWindows(mentors, now)
	if err != nil {
		return nil, err
	}
	out := make([]Caseload, len(mentors))
	byMentor := make(map[string]*Caseload, len(mentors))
	for i, m := range mentors {
		out[i] = Caseload{MentorID: m.ID, MaxMentees: m.MaxMentees, Mentees: make([]MenteeLoad, 0, min(m.MaxMentees, 256))}
		byMentor[m.ID] = &out[i]
	}
	// The three reads are independent: they run side by side on their own
	// connections, each filling its own fields of the caseloads.
	var open []store.MentorOpenSessions
	var month []store.MentorMonthStats
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		open, err = s.store.OpenSessions(gctx, mentorID, now, late)
		return err
	})
	g.Go(func() (err error) {
		month, err = s.store.MonthStats(gctx, mentorID, months)
		return err
	})
	g.Go(func() error {
		return s.store.CaseloadMentees(gctx, mentorID, now, late, func(e *store.CaseloadMentee) {
			if c := byMentor[e.MentorID]; c != nil {
				c.Mentees = append(c.Mentees, s.menteeLoad(e, now))
			}
		})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, o := range open {
		if c := byMentor[o.MentorID]; c != nil {
			c.Sessions.Upcoming, c.Sessions.Unreported = o.Upcoming, o.Unreported
		}
	}
	for _, ms := range month {
		if c := byMentor[ms.MentorID]; c != nil {
			c.Sessions.CompletedThisMonth, c.Sessions.NoShowThisMonth, c.Sessions.MinutesThisMonth = ms.Completed, ms.NoShows, ms.Minutes
		}
	}
	for i := range out {
		c := &out[i]
		// By name, then id: the same byte order on both databases.
		slices.SortFunc(c.Mentees, func(a, b MenteeLoad) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
		c.ActiveMentees = len(c.Mentees)
		c.AvailablePlaces = max(0, c.MaxMentees-c.ActiveMentees)
	}
	return out, nil
}

// menteeLoad summarises one mentee.
func (s *Service) menteeLoad(e *store.CaseloadMentee, now time.Time) MenteeLoad {
	l := MenteeLoad{ID: e.ID, Name: e.Name, Email: e.Email, SessionsCompleted: e.Completed, Unreported: e.Unreported}
	if !e.LastStart.IsZero() {
		l.LastSession = &SessionRef{ID: e.LastID, Start: e.LastStart}
	}
	if !e.NextStart.IsZero() {
		l.NextSession = &SessionRef{ID: e.NextID, Start: e.NextStart}
	}
	// Overdue: nothing booked, and nothing happened within the interval
	// (counting from the assignment when nothing ever happened).
	since := e.AssignedAt
	if l.LastSession != nil {
		since = l.LastSession.Start
	}
	l.Overdue = l.NextSession == nil && now.Sub(since) > s.expectedInterval
	return l
}

// monthWindows is the current month of every zone the mentors use.
func monthWindows(mentors []store.MentorCapacity, now time.Time) ([]store.MonthWindow, error) {
	seen := map[string]bool{}
	var out []store.MonthWindow
	for _, m := range mentors {
		if seen[m.Timezone] {
			continue
		}
		seen[m.Timezone] = true
		loc, err := time.LoadLocation(m.Timezone)
		if err != nil {
			return nil, fmt.Errorf("mentor %s zone %q: %w", m.ID, m.Timezone, err)
		}
		local := now.In(loc)
		start := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
		out = append(out, store.MonthWindow{Timezone: m.Timezone, Start: start.UTC(), End: start.AddDate(0, 1, 0).UTC()})
	}
	return out, nil
}
