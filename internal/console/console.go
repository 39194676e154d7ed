// Package console is what the staff console shows: the dashboard a
// coordinator opens every morning, and the keyset-paginated lists of
// mentors and mentees. It owns the queries and the rules of those views
// and returns view types; changing anything goes through the services
// that own it (mentoring, booking). Staff only.
package console

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/keyset"
	"github.com/rendezvous/rendezvous/internal/store"
)

// unreportedAfter is how long after its end a session without an outcome
// counts as unreported (as in the caseloads).
const unreportedAfter = 24 * time.Hour

// Service reads the console's views.
type Service struct {
	store            *store.Store
	now              func() time.Time
	expectedInterval time.Duration
}

// Options configure the service.
type Options struct {
	// ExpectedInterval: a pair with no session within it is overdue
	// (RENDEZVOUS_EXPECTED_INTERVAL; a week when 0).
	ExpectedInterval time.Duration
	// Now is the service's clock (time.Now when nil).
	Now func() time.Time
}

// New builds the service.
func New(s *store.Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ExpectedInterval <= 0 {
		opts.ExpectedInterval = 7 * 24 * time.Hour
	}
	return &Service{store: s, now: opts.Now, expectedInterval: opts.ExpectedInterval}
}

// MentorLoad is a mentor's load as the console shows it.
type MentorLoad struct {
	ID, Name, Email, Timezone string
	Status                    string // active, paused, inactive
	Active, Max               int
	HasHours                  bool
	CalendarErrors            int
}

// Full reports whether the mentor has no free place; Overloaded whether
// they follow more mentees than their maximum (it was lowered).
func (m MentorLoad) Full() bool       { return m.Active >= m.Max }
func (m MentorLoad) Overloaded() bool { return m.Active > m.Max }

// Percent is the load in percent of the maximum, for the bar (100 when
// the maximum is 0 and someone is still followed).
func (m MentorLoad) Percent() int {
	if m.Max <= 0 {
		if m.Active > 0 {
			return 100
		}
		return 0
	}
	return m.Active * 100 / m.Max
}

// Attention is one kind of pair needing a look: how many, and the first
// ones.
type Attention struct {
	Count int
	Pairs []store.AttentionPair
}

// Dashboard is the console's first page.
type Dashboard struct {
	// Mentors are the most loaded first, up to DashboardRows.
	Mentors                                               []MentorLoad
	MentorCount                                           int
	Full, Overloaded, NoHours, CalendarErrors, FreePlaces int
	Paused, Inactive                                      int
	Overdue, Unreported, NeverBooked                      Attention
	// NeedsCoordinator are the overdue pairs still overdue a week after
	// their nudge (or whose mentor is inactive): a mail did not help.
	NeedsCoordinator Attention
	// Month is this calendar month (UTC) so far and ahead.
	Month      store.ProgramMonth
	MonthStart time.Time
	// ActiveMentees is the number of active mentorships.
	ActiveMentees int
}

// DashboardRows is how many mentors and pairs of each kind the dashboard
// lists; the lists pages have the rest.
const DashboardRows = 15

// Dashboard is the morning view: mentors by load, pairs that need
// attention, this month's figures.
func (s *Service) Dashboard(ctx context.Context, by access.Principal) (*Dashboard, error) {
	if err := by.RequireStaff("the console"); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	// The reads are independent: side by side, each on its own
	// connection (on SQLite too: the wasm build runs each connection's
	// queries on the calling goroutine, and the pool keeps the
	// connections, with their prepared statements, between pages).
	d := &Dashboard{MonthStart: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)}
	var loads []store.MentorLoadRow
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		loads, err = s.store.MentorLoads(gctx)
		return err
	})
	g.Go(func() (err error) {
		d.Overdue.Count, d.Overdue.Pairs, err = s.store.OverduePairs(gctx, now.Add(-s.expectedInterval), DashboardRows)
		return err
	})
	g.Go(func() (err error) {
		d.NeedsCoordinator.Count, d.NeedsCoordinator.Pairs, err = s.store.NeedsCoordinator(gctx, now.Add(-s.expectedInterval),
			now.Add(-store.CoordinatorAfterNudge), DashboardRows)
		return err
	})
	g.Go(func() (err error) {
		d.Unreported.Count, d.Unreported.Pairs, err = s.store.UnreportedSessions(gctx, now.Add(-unreportedAfter), DashboardRows)
		return err
	})
	g.Go(func() (err error) {
		d.NeverBooked.Count, d.NeverBooked.Pairs, err = s.store.NeverBooked(gctx, DashboardRows)
		return err
	})
	g.Go(func() (err error) {
		d.Month, err = s.store.ProgramFigures(gctx, d.MonthStart, d.MonthStart.AddDate(0, 1, 0), now.Add(-unreportedAfter))
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	d.MentorCount = len(loads)
	all := make([]MentorLoad, 0, len(loads))
	for _, r := range loads {
		m := mentorLoadOf(r)
		d.ActiveMentees += m.Active
		switch m.Status {
		case "paused":
			d.Paused++
		case "inactive":
			d.Inactive++
		}
		switch {
		case m.Overloaded():
			d.Overloaded++
			d.Full++
		case m.Full():
			d.Full++
		case m.Status == "" || m.Status == "active":
			// Only an active mentor's places can be given.
			d.FreePlaces += m.Max - m.Active
		}
		if !m.HasHours {
			d.NoHours++
		}
		if m.CalendarErrors > 0 {
			d.CalendarErrors++
		}
		all = append(all, m)
	}
	// Most loaded first; among equals, those with problems first.
	slices.SortFunc(all, func(a, b MentorLoad) int {
		return cmp.Or(cmp.Compare(b.Percent(), a.Percent()), cmp.Compare(b.CalendarErrors, a.CalendarErrors),
			strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	d.Mentors = all[:min(len(all), DashboardRows)]
	return d, nil
}

func mentorLoadOf(r store.MentorLoadRow) MentorLoad {
	return MentorLoad{ID: r.ID, Name: r.Name, Email: r.Email, Timezone: r.Timezone, Status: r.Status, Active: r.Active, Max: r.MaxMentees,
		HasHours: r.HasHours, CalendarErrors: r.CalendarErrors}
}

// MentorFilter narrows the mentor list.
type MentorFilter struct {
	Query string
	// Load: "", free, full, overloaded, no_hours, calendar_errors,
	// paused, inactive.
	Load string
}

// MentorLoads is the names of the load filters, in the order a form
// offers them.
var mentorLoads = []string{"free", "full", "overloaded", "no_hours", "calendar_errors", "paused", "inactive"}

// MentorLoadFilters are the load filters a form offers.
func MentorLoadFilters() []string { return slices.Clone(mentorLoads) }

// MentorPage is one page of the mentor list.
type MentorPage struct {
	Mentors []MentorLoad
	Next    string
}

// Mentors lists mentors by name, a page at a time.
func (s *Service) Mentors(ctx context.Context, by access.Principal, f MentorFilter, cursor string, limit int) (*MentorPage, error) {
	if err := by.RequireStaff("the mentor list"); err != nil {
		return nil, err
	}
	if f.Load != "" && !slices.Contains(mentorLoads, f.Load) {
		return nil, apperr.Field("load", "load must be one of %s", strings.Join(mentorLoads, ", "))
	}
	if err := checkQuery(f.Query); err != nil {
		return nil, err
	}
	after, limit, err := pageArgs(cursor, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.MentorsPage(ctx, store.MentorListFilter{Query: f.Query, Load: f.Load}, after.Text, after.ID, limit+1)
	if err != nil {
		return nil, err
	}
	page := &MentorPage{Mentors: make([]MentorLoad, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[i-1]
			page.Next = keyset.Cursor{Text: last.Name, ID: last.ID}.Encode()
			break
		}
		page.Mentors = append(page.Mentors, mentorLoadOf(r))
	}
	return page, nil
}

// MenteeFilter narrows the mentee list.
type MenteeFilter struct {
	Query    string
	MentorID string
	Status   string // "", active, ended
	Overdue  bool
}

// MenteeRow is a mentee in the list.
type MenteeRow struct {
	ID, Name, Email, Status string
	MentorID, MentorName    string
	AssignedAt              time.Time
	NextSession             *time.Time
	LastSession             *time.Time
	Overdue                 bool
}

// MenteePage is one page of the mentee list.
type MenteePage struct {
	Mentees []MenteeRow
	Next    string
}

// Mentees lists mentees by name, a page at a time: search by name or
// e-mail, filter by mentor, status and overdue. Staff see everyone's; a
// mentor sees their own only (the API's list and the console's are this
// one method).
func (s *Service) Mentees(ctx context.Context, by access.Principal, f MenteeFilter, cursor string, limit int) (*MenteePage, error) {
	if !by.IsStaff() {
		if by.Role != access.RoleMentor || by.MentorID == "" {
			return nil, by.RequireStaff("the mentee list")
		}
		if f.MentorID == "" {
			f.MentorID = by.MentorID
		}
		if err := by.RequireMentor(f.MentorID); err != nil {
			return nil, err
		}
	}
	if f.Status != "" && f.Status != store.MenteeActive && f.Status != store.MenteeEnded {
		return nil, apperr.Field("status", "status must be active or ended")
	}
	if err := checkQuery(f.Query); err != nil {
		return nil, err
	}
	if len(f.MentorID) > 100 {
		return nil, apperr.Field("mentor_id", "is not a mentor id")
	}
	after, limit, err := pageArgs(cursor, limit)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	sf := store.MenteeListFilter{Query: f.Query, MentorID: f.MentorID, Status: f.Status, Now: now}
	if f.Overdue {
		sf.OverdueSince = now.Add(-s.expectedInterval)
	}
	rows, err := s.store.MenteesPage(ctx, sf, after.Text, after.ID, limit+1)
	if err != nil {
		return nil, err
	}
	page := &MenteePage{Mentees: make([]MenteeRow, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[i-1]
			page.Next = keyset.Cursor{Text: last.Name, ID: last.ID}.Encode()
			break
		}
		page.Mentees = append(page.Mentees, s.menteeRowOf(r, now))
	}
	return page, nil
}

func (s *Service) menteeRowOf(r store.MenteeRow, now time.Time) MenteeRow {
	m := MenteeRow{ID: r.ID, Name: r.Name, Email: r.Email, Status: r.Status, MentorID: r.MentorID, MentorName: r.MentorName,
		AssignedAt: r.AssignedAt}
	if !r.NextStart.IsZero() {
		t := r.NextStart
		m.NextSession = &t
	}
	since := r.AssignedAt
	if !r.LastStart.IsZero() {
		t := r.LastStart
		m.LastSession, since = &t, t
	}
	// The caseload's rule (mentoring.Caseload): nothing booked, nothing
	// held within the interval.
	m.Overdue = r.Status == store.MenteeActive && m.NextSession == nil && now.Sub(since) > s.expectedInterval
	return m
}

// MenteeSession is one of a mentee's sessions.
type MenteeSession struct {
	ID, MentorID, Status, Outcome string
	Start, End                    time.Time
}

// MenteeSessions lists a mentee's sessions, latest first, up to 200.
func (s *Service) MenteeSessions(ctx context.Context, by access.Principal, menteeID string) ([]MenteeSession, error) {
	if err := by.RequireStaff("a mentee's sessions"); err != nil {
		return nil, err
	}
	if _, err := s.store.Mentee(ctx, menteeID); errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Errorf(apperr.NotFound, "no mentee %s", menteeID)
	} else if err != nil {
		return nil, err
	}
	rows, err := s.store.Bookings(ctx, store.BookingFilter{MenteeID: menteeID})
	if err != nil {
		return nil, err
	}
	out := make([]MenteeSession, 0, len(rows))
	for _, b := range rows {
		ms := MenteeSession{ID: b.ID, MentorID: b.MentorID, Status: b.Status, Start: b.StartAt, End: b.EndAt}
		if b.Outcome != nil {
			ms.Outcome = *b.Outcome
		}
		out = append(out, ms)
	}
	slices.SortFunc(out, func(a, b MenteeSession) int { return b.Start.Compare(a.Start) })
	return out[:min(len(out), 200)], nil
}

func checkQuery(q string) error {
	if len(q) > 200 {
		return apperr.Field("q", "a search is at most 200 characters")
	}
	return nil
}

func pageArgs(cursor string, limit int) (keyset.Cursor, int, error) {
	after, err := keyset.Decode(cursor)
	if err != nil {
		return after, 0, err
	}
	limit, err = keyset.Limit(limit)
	return after, limit, err
}
