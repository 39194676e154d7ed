package booking_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// reportDue counts the report reminders enqueued, by session.
func (f *fixture) reportDue() map[string]int {
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	out := map[string]int{}
	for _, a := range f.jobs.args {
		if m, ok := a.(jobs.MailArgs); ok && m.Event == "report_due" {
			out[m.BookingID]++
			if !m.ToMentor || m.Session.Organizer.Email != "grace@example.org" {
				f.t.Errorf("report reminder %+v", m)
			}
		}
	}
	return out
}

// TestReportReminderSweep: a mentor is reminded once per unreported
// session, 2 hours after its end, however many sweeps race (as in several
// processes); not for a reported or cancelled session, not before it is
// due, not for one long past; the mentor area lists what is unreported.
func TestReportReminderSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		five := 5
		m := f.mentor("Grace", func(in *mentoring.MentorInput) { in.MaxUpcomingPerMentee = &five })
		_, link := f.mentee(m.ID, "Zoe")
		day := monday.Add(time.Hour) // 10:00
		old, _ := f.bookAt(link, day)
		reported, _ := f.bookAt(link, day.Add(9*24*time.Hour))
		cancelled, _ := f.bookAt(link, day.Add(9*24*time.Hour+2*time.Hour))
		due, _ := f.bookAt(link, day.Add(9*24*time.Hour+4*time.Hour))
		later, _ := f.bookAt(link, day.Add(9*24*time.Hour+6*time.Hour))
		if _, err := f.book.Cancel(ctx, access.AdminToken(), cancelled.ID, ""); err != nil {
			t.Fatal(err)
		}
		// Now: 2h10 after "due" ended; "later" ended 10 minutes ago, "old"
		// more than a week before its reminder was due.
		f.now = due.End.Add(2*time.Hour + 10*time.Minute)
		if _, err := f.book.FileReport(ctx, access.Mentor(m.ID), reported.ID, booking.ReportInput{Outcome: "completed"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.book.SweepReportReminders(ctx); err != nil {
					t.Errorf("sweep: %v", err)
				}
			}()
		}
		wg.Wait()
		if got := f.reportDue(); len(got) != 1 || got[due.ID] != 1 {
			t.Fatalf("reminders %v, want one for %s", got, due.ID)
		}
		unreported, err := f.book.Unreported(ctx, access.Mentor(m.ID), m.ID)
		if err != nil || len(unreported) != 3 || unreported[0].ID != later.ID || unreported[1].ID != due.ID || unreported[2].ID != old.ID {
			t.Fatalf("unreported sessions: %+v %v", unreported, err)
		}
		if _, err := f.book.Unreported(ctx, access.Mentor("someone-else"), m.ID); err == nil {
			t.Fatal("another mentor listed the unreported sessions")
		}
		f.now = later.End.Add(2*time.Hour + time.Minute)
		if n, err := f.book.SweepReportReminders(ctx); err != nil || n != 1 {
			t.Fatalf("the next sweep: %d %v", n, err)
		}
		if n, err := f.book.SweepReportReminders(ctx); err != nil || n != 0 {
			t.Fatalf("a sweep with nothing due: %d %v", n, err)
		}
		if got := f.reportDue(); len(got) != 2 || got[later.ID] != 1 || got[due.ID] != 1 {
			t.Fatalf("reminders %v", got)
		}
	})
}
