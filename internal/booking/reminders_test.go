package booking_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// reminded lists the reminder mails enqueued so far, by session: the
// leads of the mentee's mails, each checked to have its mentor's twin.
func (f *fixture) reminded() map[string][]time.Duration {
	f.t.Helper()
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	out := map[string][]time.Duration{}
	mentor := map[string]int{}
	for _, a := range f.jobs.args {
		if _, ok := a.(jobs.ReminderArgs); ok {
			f.t.Errorf("a booking scheduled a reminder job: %+v", a)
		}
		m, ok := a.(jobs.MailArgs)
		if !ok || m.Event != "reminder" {
			continue
		}
		if m.ToMentor {
			mentor[m.BookingID]++
			continue
		}
		out[m.BookingID] = append(out[m.BookingID], m.Lead)
	}
	for id, leads := range out {
		if mentor[id] != len(leads) {
			f.t.Errorf("session %s: %d reminders to the mentee, %d to the mentor", id, len(leads), mentor[id])
		}
	}
	return out
}

// sweep runs the reminder sweep and checks how many reminders went out.
func (f *fixture) sweep(want int) {
	f.t.Helper()
	n, err := f.book.SweepReminders(context.Background())
	if err != nil || n != want {
		f.t.Fatalf("sweep at %s: %d reminders, %v; want %d", f.now.Format(time.DateTime), n, err, want)
	}
}

func (f *fixture) remindersSent() int {
	f.t.Helper()
	var n int
	if err := f.store.SQLDB().QueryRow("SELECT count(*) FROM reminders_sent").Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// menteeOfGrace is the booking link of Zoe, mentee of Grace, who takes
// up to upcoming sessions per mentee.
func (f *fixture) menteeOfGrace(upcoming int) (link string) {
	f.t.Helper()
	m := f.mentor("Grace", func(in *mentoring.MentorInput) { in.MaxUpcomingPerMentee = &upcoming })
	_, link = f.mentee(m.ID, "Zoe")
	return link
}

func withReminders(f *fixture) *fixture {
	f.book.Reminders = []time.Duration{time.Hour, 24 * time.Hour}
	return f
}

func sameLeads(got []time.Duration, want ...time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestReminderSweep: each lead's reminder goes out once, when its point
// has come, however many sweeps run and race (as in several processes);
// a booking well ahead writes nothing for its reminders; a sweep after a
// pause sends what fell due meanwhile; none for a session over.
func TestReminderSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := withReminders(newFixture(t, db))
		link := f.menteeOfGrace(5)
		start := monday.Add(3*24*time.Hour + time.Hour) // Thursday 10:00
		b, _ := f.bookAt(link, start)
		other, _ := f.bookAt(link, start.Add(2*time.Hour))
		if n := f.remindersSent(); n != 0 {
			t.Fatalf("booking ahead wrote %d reminders_sent rows", n)
		}
		f.sweep(0)

		f.now = start.Add(-24*time.Hour - time.Second)
		f.sweep(0)
		f.now = start.Add(-24 * time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := f.book.SweepReminders(context.Background())
				if err != nil {
					t.Errorf("sweep: %v", err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if got := f.reminded(); total != 1 || len(got) != 1 || !sameLeads(got[b.ID], 24*time.Hour) {
			t.Fatalf("racing sweeps at the 24-hour point: %d sent, %v", total, got)
		}
		f.sweep(0)

		// Down for a while: the next sweep sends the session's 1-hour
		// reminder and the other's 24-hour one, late.
		f.now = start.Add(-30 * time.Minute)
		f.sweep(2)
		f.sweep(0)
		f.now = start.Add(time.Hour + 5*time.Minute)
		f.sweep(1)
		got := f.reminded()
		if !sameLeads(got[b.ID], 24*time.Hour, time.Hour) || !sameLeads(got[other.ID], 24*time.Hour, time.Hour) {
			t.Fatalf("reminders after a pause: %v", got)
		}
		f.now = other.Start.Add(time.Minute)
		f.sweep(0)
	})
}

// TestReminderSweepFollowsChanges: no reminder for a cancelled session nor
// at the time a session was moved from; a moved session gets its
// reminders at its new time, but not those whose point had passed when it
// was booked or moved (as when they were jobs, which were not scheduled),
// and a transfer inside a lead does not send it again.
func TestReminderSweepFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := withReminders(newFixture(t, db))
		link := f.menteeOfGrace(5)
		ada := f.mentor("Ada", nil)
		day := monday.Add(3 * 24 * time.Hour) // Thursday 09:00
		cancelled, _ := f.bookAt(link, day.Add(time.Hour))
		moved, _ := f.bookAt(link, day.Add(3*time.Hour))
		if _, err := f.book.Cancel(ctx, access.AdminToken(), cancelled.ID, ""); err != nil {
			t.Fatal(err)
		}
		// Booked 10 hours ahead: inside the 24-hour lead, not the 1-hour.
		late, _ := f.bookAt(link, monday.Add(10*time.Hour))
		// Booked 30 minutes ahead: inside both.
		later, _ := f.bookAt(link, monday.Add(30*time.Minute))
		if n := f.remindersSent(); n != 3 {
			t.Fatalf("late bookings marked %d reminders, want 3", n)
		}
		f.sweep(0)
		f.now = monday.Add(9*time.Hour + 5*time.Minute)
		f.sweep(1) // the late session's 1-hour reminder only

		// The moved session's 24-hour reminder went out; it moves a day
		// later, then (inside the new 24-hour lead) half an hour later.
		f.now = day.Add(3*time.Hour - 24*time.Hour)
		f.sweep(1)
		if _, err := f.book.Reschedule(ctx, access.AdminToken(), moved.ID, day.Add(27*time.Hour)); err != nil {
			t.Fatal(err)
		}
		f.now = day.Add(2 * time.Hour) // the old time's 1-hour point
		f.sweep(0)
		f.now = day.Add(3 * time.Hour) // the new time's 24-hour point
		f.sweep(1)
		f.now = day.Add(4 * time.Hour)
		if _, err := f.book.Reschedule(ctx, access.AdminToken(), moved.ID, day.Add(27*time.Hour+30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		f.sweep(0) // its new 24-hour point passed before the move
		// Handed to another mentor inside the 1-hour lead, after its
		// reminder: not sent again.
		f.now = day.Add(26*time.Hour + 30*time.Minute)
		f.sweep(1)
		if _, err := f.book.Transfer(ctx, access.Staff("s1", access.RoleCoordinator), moved.ID, ada.ID); err != nil {
			t.Fatal(err)
		}
		f.sweep(0)
		f.now = day.Add(27*time.Hour + 31*time.Minute)
		f.sweep(0)

		got := f.reminded()
		if len(got) != 2 || len(got[cancelled.ID]) != 0 || len(got[later.ID]) != 0 || !sameLeads(got[late.ID], time.Hour) ||
			!sameLeads(got[moved.ID], 24*time.Hour, 24*time.Hour, time.Hour) {
			t.Fatalf("reminders %v", got)
		}
	})
}

// TestReminderSweepTakesOver: on upgrade, reminders due before the sweep
// took over are left to the jobs scheduled then (a session booked inside a
// lead before, which had no job, gets none now), the take-over time is the
// first process's, and a reminder a job sent is not sent again.
func TestReminderSweepTakesOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := withReminders(newFixture(t, db))
		link := f.menteeOfGrace(5)
		// Booked before the upgrade, on Monday 09:00: at 14:00 (no 24-hour
		// job), Tuesday 10:00 (its 24-hour job ran at 10:00), Tuesday
		// 11:30 (its 24-hour job is due at 11:30).
		early, _ := f.bookAt(link, monday.Add(5*time.Hour))
		ran, _ := f.bookAt(link, monday.Add(25*time.Hour))
		mid, _ := f.bookAt(link, monday.Add(26*time.Hour+30*time.Minute))
		if err := f.store.Exec(ctx, "DELETE FROM reminders_sent"); err != nil { // no marks then
			t.Fatal(err)
		}
		if err := f.store.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.MarkReminderSent(ctx, ran.ID, 24*time.Hour, ran.Start, monday.Add(time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		f.now = monday.Add(2 * time.Hour) // 11:00: the first new process
		if err := f.book.TakeOverReminders(ctx); err != nil {
			t.Fatal(err)
		}
		f.now = monday.Add(3 * time.Hour) // 12:00: another one
		if err := f.book.TakeOverReminders(ctx); err != nil {
			t.Fatal(err)
		}
		f.sweep(1) // mid's 24-hour reminder (due 11:30, after 11:00)
		f.now = monday.Add(4 * time.Hour)
		f.sweep(1) // early's 1-hour reminder
		f.now = monday.Add(24 * time.Hour)
		f.sweep(1) // ran's 1-hour reminder
		f.now = monday.Add(25*time.Hour + 30*time.Minute)
		f.sweep(1) // mid's
		got := f.reminded()
		if len(got) != 3 || !sameLeads(got[early.ID], time.Hour) || !sameLeads(got[ran.ID], time.Hour) ||
			!sameLeads(got[mid.ID], 24*time.Hour, time.Hour) {
			t.Fatalf("reminders %v", got)
		}
	})
}

// TestReminderSweepBounded: a sweep sends in transactions of a bounded
// number of sessions, and at most a bounded number of them per lead; the
// next sweep sends the rest.
func TestReminderSweepBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		f := withReminders(newFixture(t, db))
		f.book.ReminderSweepBatch, f.book.ReminderSweepRounds = 2, 2
		link := f.menteeOfGrace(10)
		day := monday.Add(3 * 24 * time.Hour) // Thursday 09:00
		for i := range 5 {
			f.bookAt(link, day.Add(time.Duration(i)*time.Hour))
		}
		f.now = day.Add(5*time.Hour - 24*time.Hour)
		f.sweep(4)
		f.sweep(1)
		f.sweep(0)
		if got := f.reminded(); len(got) != 5 {
			t.Fatalf("reminders %v", got)
		}
	})
}

// TestReminderSweepAfterAChangeOrANewLead: a change that keeps a session's
// start (a transfer) made after a lead's point but before the next sweep
// leaves that reminder due; a lead configured later reminds the sessions
// whose point comes after it was taken over, not those already inside it.
func TestReminderSweepAfterAChangeOrANewLead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := withReminders(newFixture(t, db))
		link := f.menteeOfGrace(5)
		ada := f.mentor("Ada", nil)
		handed, _ := f.bookAt(link, monday.Add(30*time.Hour))   // Tuesday 15:00
		inside, _ := f.bookAt(link, monday.Add(77*time.Hour))   // Thursday 14:00
		outside, _ := f.bookAt(link, monday.Add(100*time.Hour)) // Friday 13:00
		if err := f.book.TakeOverReminders(ctx); err != nil {
			t.Fatal(err)
		}
		f.now = monday.Add(6 * time.Hour)
		f.sweep(1)                                        // handed's 24-hour reminder
		f.now = monday.Add(29*time.Hour + 20*time.Second) // its 1-hour point, before the sweep
		if _, err := f.book.Transfer(ctx, access.Staff("s1", access.RoleCoordinator), handed.ID, ada.ID); err != nil {
			t.Fatal(err)
		}
		f.sweep(1) // still due

		f.now = monday.Add(40 * time.Hour)
		f.book.Reminders = append(f.book.Reminders, 48*time.Hour)
		if err := f.book.TakeOverReminders(ctx); err != nil {
			t.Fatal(err)
		}
		f.sweep(0) // inside's 48-hour point (Tuesday 14:00) came before the new lead
		f.now = monday.Add(52 * time.Hour)
		f.sweep(1) // outside's 48-hour point
		got := f.reminded()
		if !sameLeads(got[handed.ID], 24*time.Hour, time.Hour) || len(got[inside.ID]) != 0 || !sameLeads(got[outside.ID], 48*time.Hour) {
			t.Fatalf("reminders %v", got)
		}
	})
}
