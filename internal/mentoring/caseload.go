package mentoring

import (
	"context"
	"fmt"
	"time"

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

// Caseload is one mentor's caseload.
func (s *Service) Caseload(ctx context.Context, mentorID string) (*Caseload, error) {
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

// Caseloads is every mentor's caseload, oldest mentor first. It costs four
// queries whatever the number of mentors.
func (s *Service) Caseloads(ctx context.Context) ([]Caseload, error) {
	return s.caseloads(ctx, "")
}

func (s *Service) caseloads(ctx context.Context, mentorID string) ([]Caseload, error) {
	now := s.now().UTC()
	mentors, err := s.store.MentorCapacities(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	months, err := monthWindows(mentors, now)
	if err != nil {
		return nil, err
	}
	stats, err := s.store.SessionStats(ctx, mentorID, now, now.Add(-unreportedAfter))
	if err != nil {
		return nil, err
	}
	month, err := s.store.MonthStats(ctx, mentorID, months)
	if err != nil {
		return nil, err
	}
	mentees, err := s.store.CaseloadMentees(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	out := make([]Caseload, len(mentors))
	byMentor := make(map[string]*Caseload, len(mentors))
	for i, m := range mentors {
		out[i] = Caseload{MentorID: m.ID, MaxMentees: m.MaxMentees, Mentees: []MenteeLoad{}}
		byMentor[m.ID] = &out[i]
	}
	type pair struct{ mentor, mentee string }
	perMentee := make(map[pair]*store.MenteeSessionStats, len(stats))
	for i := range stats {
		st := &stats[i]
		perMentee[pair{st.MentorID, st.MenteeID}] = st
		if c := byMentor[st.MentorID]; c != nil {
			c.Sessions.Upcoming += st.Upcoming
			c.Sessions.Unreported += st.Unreported
		}
	}
	for _, ms := range month {
		if c := byMentor[ms.MentorID]; c != nil {
			c.Sessions.CompletedThisMonth, c.Sessions.NoShowThisMonth, c.Sessions.MinutesThisMonth = ms.Completed, ms.NoShows, ms.Minutes
		}
	}
	for _, e := range mentees {
		c := byMentor[e.MentorID]
		if c == nil {
			continue
		}
		c.Mentees = append(c.Mentees, s.menteeLoad(e, perMentee[pair{e.MentorID, e.ID}], now))
	}
	for i := range out {
		c := &out[i]
		c.ActiveMentees = len(c.Mentees)
		c.AvailablePlaces = max(0, c.MaxMentees-c.ActiveMentees)
	}
	return out, nil
}

// menteeLoad summarises one mentee; st is nil when they have no session.
func (s *Service) menteeLoad(e store.CaseloadMentee, st *store.MenteeSessionStats, now time.Time) MenteeLoad {
	l := MenteeLoad{ID: e.ID, Name: e.Name, Email: e.Email}
	if st != nil {
		l.SessionsCompleted, l.Unreported = st.Completed, st.Unreported
		if st.LastStart != nil {
			l.LastSession = &SessionRef{ID: st.LastID, Start: *st.LastStart}
		}
		if st.NextStart != nil {
			l.NextSession = &SessionRef{ID: st.NextID, Start: *st.NextStart}
		}
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
