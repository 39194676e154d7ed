package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/statements"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestSeriesOccurrencesCountAsSessions: each confirmed occurrence of a
// series is a session for the mentor's caseload, the monthly statement
// and the overdue rule (the caseload's flag and the console's list); a
// cancelled occurrence is none. The last occurrence is the cancelled one,
// so that counting it would hide that the pair has gone quiet.
func TestSeriesOccurrencesCountAsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin := access.AdminToken()
		m := f.mentor("Grace", nil)
		zoe, link := f.mentee(m.ID, "Zoe")
		statement := statements.New(f.store, statements.Options{Now: func() time.Time { return f.now }})
		// Tuesdays 1, 8, 15 and 22 December 2026 at 10:00 UTC.
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		s, _, err := f.book.BookSeries(ctx, link, booking.SeriesInput{Start: start, Count: 4, IntervalWeeks: 1}, nil)
		if err != nil || len(s.Bookings) != 4 {
			t.Fatalf("book the series: %+v %v", s, err)
		}
		minutes := int(s.Bookings[0].End.Sub(s.Bookings[0].Start) / time.Minute)
		if _, err := f.book.Cancel(ctx, admin, s.Bookings[3].ID, "holidays"); err != nil {
			t.Fatalf("cancel the last occurrence: %v", err)
		}
		caseload := func() (*mentoring.Caseload, mentoring.MenteeLoad) {
			t.Helper()
			c, err := f.ment.Caseload(ctx, admin, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range c.Mentees {
				if l.ID == zoe.ID {
					return c, l
				}
			}
			t.Fatalf("Zoe is not in the caseload: %+v", c)
			return nil, mentoring.MenteeLoad{}
		}
		overdue := func() int {
			t.Helper()
			n, _, err := f.store.OverduePairs(ctx, f.now.Add(-7*24*time.Hour), 10)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		c, l := caseload()
		if c.Sessions.Upcoming != 3 || l.NextSession == nil || l.NextSession.ID != s.Bookings[0].ID || l.Overdue || overdue() != 0 {
			t.Fatalf("before the series: %+v %+v (overdue pairs %d), want 3 upcoming, the first next", c.Sessions, l, overdue())
		}

		// Thursday 17th: three occurrences held, none reported yet.
		f.now = time.Date(2026, 12, 17, 10, 0, 0, 0, time.UTC)
		c, l = caseload()
		if c.Sessions.Upcoming != 0 || c.Sessions.Unreported != 3 || l.Unreported != 3 || l.NextSession != nil ||
			l.LastSession == nil || l.LastSession.ID != s.Bookings[2].ID || l.Overdue || overdue() != 0 {
			t.Fatalf("after three occurrences: %+v %+v (overdue pairs %d), want 3 unreported, the third last", c.Sessions, l, overdue())
		}
		for _, b := range s.Bookings[:3] {
			if _, err := f.book.SetOutcome(ctx, admin, b.ID, booking.OutcomeCompleted); err != nil {
				t.Fatalf("report %s: %v", b.ID, err)
			}
		}
		c, l = caseload()
		if l.SessionsCompleted != 3 || l.Unreported != 0 || c.Sessions.CompletedThisMonth != 3 || c.Sessions.MinutesThisMonth != 3*minutes ||
			l.LastSession == nil || l.LastSession.ID != s.Bookings[2].ID {
			t.Fatalf("after the reports: %+v %+v, want 3 completed", c.Sessions, l)
		}
		st, err := statement.Get(ctx, admin, "2026-12", m.ID)
		if err != nil || len(st.Mentors) != 1 {
			t.Fatalf("statement: %+v %v", st, err)
		}
		if r := st.Mentors[0]; r.Completed != 3 || r.Minutes != 3*minutes || r.Unreported != 0 || r.LateCancel != 0 {
			t.Fatalf("statement of December: %+v, want 3 completed sessions of %d minutes", r, minutes)
		}

		// Wednesday 23rd: more than a week since the last held occurrence,
		// the cancelled one of the 22nd notwithstanding.
		f.now = time.Date(2026, 12, 23, 11, 0, 0, 0, time.UTC)
		if _, l = caseload(); !l.Overdue || overdue() != 1 {
			t.Fatalf("a week after the last held occurrence: %+v (overdue pairs %d), want overdue", l, overdue())
		}
	})
}
