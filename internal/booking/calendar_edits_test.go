package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// writtenInto records that the session's event holds its current version
// in a calendar of the mentor's (as the write-back does), and returns the
// edit the sync would report for a move to start (zero: a deletion).
func (f *fixture) writtenInto(calID string, id string, start time.Time) jobs.CalendarEditArgs {
	f.t.Helper()
	ctx := context.Background()
	b, err := f.store.Booking(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.SetBookingWriteback(ctx, id, calID, "/cal/"+id+".ics", `"v1"`, b.Sequence); err != nil {
		f.t.Fatal(err)
	}
	e := jobs.CalendarEditArgs{BookingID: id, Sequence: b.Sequence, CalendarID: calID, Key: "/cal/" + id + ".ics", Start: start, ETag: `"v2"`}
	e.Deleted = start.IsZero()
	return e
}

// calendarOf gives the mentor a connected calendar busy over busy.
func (f *fixture) calendarOf(mentorID string, busy ...time.Time) string {
	f.t.Helper()
	ctx := context.Background()
	conn := &store.Connection{ID: "conn-" + mentorID, MentorID: mentorID, Provider: "caldav", URL: "https://dav.example.org/", Status: store.ConnectionOK,
		CreatedAt: f.now, UpdatedAt: f.now}
	if err := f.store.InsertConnection(ctx, conn); err != nil {
		f.t.Fatal(err)
	}
	cal := &store.Calendar{ID: "cal-" + mentorID, ConnectionID: conn.ID, MentorID: mentorID, Ref: "/cal/", Name: "Work",
		CheckConflicts: true, WriteTarget: true, Writable: true, CreatedAt: f.now}
	if err := f.store.InsertCalendar(ctx, cal); err != nil {
		f.t.Fatal(err)
	}
	var spans []store.BusyInterval
	for _, at := range busy {
		spans = append(spans, store.BusyInterval{StartAt: at, EndAt: at.Add(time.Hour)})
	}
	if err := f.store.ReplaceCalendarBusy(ctx, mentorID, cal.ID, spans); err != nil {
		f.t.Fatal(err)
	}
	return cal.ID
}

func (f *fixture) mails(event string) int {
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	n := 0
	for _, a := range f.jobs.args {
		if m, ok := a.(jobs.MailArgs); ok && m.Event == event {
			n++
		}
	}
	return n
}

func (f *fixture) lastMail(event string) jobs.MailArgs {
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	var last jobs.MailArgs
	for _, a := range f.jobs.args {
		if m, ok := a.(jobs.MailArgs); ok && m.Event == event {
			last = m
		}
	}
	return last
}

func (f *fixture) writebacks() int {
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	n := 0
	for _, a := range f.jobs.args {
		if _, ok := a.(jobs.WritebackArgs); ok {
			n++
		}
	}
	return n
}

// TestCalendarEditRules: a move in the mentor's calendar is followed
// onto a free time (quarter hours, notice waived) with the reschedule
// mails; onto a past time, outside the hours, over another session or
// over busy time it is refused with its reason, the session keeps its
// time and its event is written back; an edit of a version that changed
// since is dropped; a deletion cancels with the cancellation mails.
func TestCalendarEditRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", func(in *mentoring.MentorInput) { notice := 240; in.MinNoticeMinutes = &notice })
		_, zoe := f.mentee(m.ID, "Zoe")
		_, yan := f.mentee(m.ID, "Yan")
		tuesday := monday.Add(24 * time.Hour) // 09:00
		busyAt := tuesday.Add(7 * time.Hour)  // 16:00-17:00
		calID := f.calendarOf(m.ID, busyAt)
		b, _ := f.bookAt(zoe, tuesday.Add(time.Hour))       // 10:00
		other, _ := f.bookAt(yan, tuesday.Add(5*time.Hour)) // 14:00
		get := func() *booking.Booking {
			got, err := f.book.Get(ctx, access.Mentor(m.ID), b.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		for _, c := range []struct {
			name   string
			to     time.Time
			reason string
		}{
			{"past", monday.Add(-time.Hour), booking.MoveRefusedPast},
			{"outside hours", tuesday.Add(12 * time.Hour), booking.MoveRefusedOutsideHours},
			{"off the quarter hours", tuesday.Add(time.Hour + 10*time.Minute), booking.MoveRefusedOutsideHours},
			{"over another session", other.Start.Add(15 * time.Minute), booking.MoveRefusedSession},
			{"over busy time", busyAt.Add(15 * time.Minute), booking.MoveRefusedBusy},
		} {
			writebacks := f.writebacks()
			e := f.writtenInto(calID, b.ID, c.to)
			if err := f.book.ApplyCalendarEdit(ctx, e); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got := get()
			if !got.Start.Equal(b.Start) || got.Sequence != 0 || got.ChangedBy != "" || got.CalendarRefusal == nil ||
				got.CalendarRefusal.Reason != c.reason || !got.CalendarRefusal.Start.Equal(c.to) {
				t.Fatalf("%s: %+v %+v", c.name, got, got.CalendarRefusal)
			}
			if f.writebacks() != writebacks+1 {
				t.Fatalf("%s: the event is not written back at the session's time", c.name)
			}
			if sb, _ := f.store.Booking(ctx, b.ID); sb.WritebackEtag != `"v2"` {
				t.Fatalf("%s: the refused edit's ETag is not remembered: %q", c.name, sb.WritebackEtag)
			}
			// The mentor is told, once: the same edit applied again (a job
			// run twice) mails nothing more.
			refusals := f.mails("calendar_move_refused")
			if err := f.book.ApplyCalendarEdit(ctx, e); err != nil {
				t.Fatal(err)
			}
			if f.mails("calendar_move_refused") != refusals {
				t.Fatalf("%s: the same edit mailed the mentor again", c.name)
			}
			last := f.lastMail("calendar_move_refused")
			if !last.ToMentor || last.Refused != c.reason || last.TriedStart == nil || !last.TriedStart.Equal(c.to) {
				t.Fatalf("%s: the mentor's mail: %+v", c.name, last)
			}
		}
		if f.mails("calendar_move_refused") != 5 {
			t.Fatalf("refused moves mailed the mentor %d times, want 5", f.mails("calendar_move_refused"))
		}

		// Only the end changed (the mentor stretched the event to an
		// hour): the session keeps its length, and the mentor is told.
		resized := f.writtenInto(calID, b.ID, b.Start)
		resized.End = b.Start.Add(time.Hour)
		if err := f.book.ApplyCalendarEdit(ctx, resized); err != nil {
			t.Fatal(err)
		}
		if got := get(); !got.Start.Equal(b.Start) || !got.End.Equal(b.End) || got.Sequence != 0 || got.CalendarRefusal == nil ||
			got.CalendarRefusal.Reason != booking.MoveRefusedLength {
			t.Fatalf("after a length change: %+v %+v", got, got.CalendarRefusal)
		}
		if last := f.lastMail("calendar_move_refused"); last.Refused != "length" || last.TriedEnd == nil || !last.TriedEnd.Equal(resized.End) {
			t.Fatalf("the mentor's mail of a length change: %+v", last)
		}
		if f.mails("rescheduled") != 0 {
			t.Fatal("a refused move sent mails")
		}
		// The mentee sees no refusal.
		if seen, err := f.book.Manage(ctx, tokenOf(b.ManageURL)); err != nil || seen.CalendarRefusal != nil {
			t.Fatalf("the mentee's view: %+v %v", seen, err)
		}

		// Moved to 11:15, within the 4 h notice: followed.
		f.now = tuesday // 09:00
		to := tuesday.Add(2*time.Hour + 15*time.Minute)
		stale := f.writtenInto(calID, b.ID, to.Add(time.Hour))
		if err := f.book.ApplyCalendarEdit(ctx, f.writtenInto(calID, b.ID, to)); err != nil {
			t.Fatal(err)
		}
		got := get()
		if !got.Start.Equal(to) || !got.End.Equal(to.Add(30*time.Minute)) || got.Sequence != 1 || got.ChangedBy != "calendar" || got.CalendarRefusal != nil {
			t.Fatalf("after the move: %+v", got)
		}
		if f.mails("rescheduled") != 2 {
			t.Fatalf("reschedule mails: %d, want one to each", f.mails("rescheduled"))
		}
		// An edit seen against the former version is dropped.
		if err := f.book.ApplyCalendarEdit(ctx, stale); err != nil || !get().Start.Equal(to) {
			t.Fatalf("a stale edit: %v, %+v", err, get())
		}

		// Deleted: cancelled, with notice.
		if err := f.book.ApplyCalendarEdit(ctx, f.writtenInto(calID, b.ID, time.Time{})); err != nil {
			t.Fatal(err)
		}
		got = get()
		if got.Status != "cancelled" || got.ChangedBy != "calendar" || got.Outcome != nil {
			t.Fatalf("after the deletion: %+v", got)
		}
		if f.mails("cancelled") != 2 {
			t.Fatalf("cancellation mails: %d, want one to each", f.mails("cancelled"))
		}
		if sb, _ := f.store.Booking(ctx, b.ID); sb.CancelledBy != "calendar" {
			t.Fatalf("cancelled by %q", sb.CancelledBy)
		}
	})
}
