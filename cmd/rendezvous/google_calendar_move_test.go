package main

import (
	"context"
	"testing"
	"time"

	calendarapi "google.golang.org/api/calendar/v3"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/google/googlefake"
)

// TestGoogleSessionFollowsMoveToAnotherCalendar: Google's "Move to"
// another calendar of the account reports the event cancelled in its old
// calendar; the session stays and follows the event (same id) there, and
// a later change of its time there reschedules it.
func TestGoogleSessionFollowsMoveToAnotherCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		g := startWithGoogle(t, db, nil)
		const personal = "personal@group.calendar.google.com"
		g.fake.AddCalendar(googlefake.Calendar{ID: personal, Summary: "Personal", AccessRole: "owner"})
		if st, body := callback(t, g.consent(t), true); st != 201 {
			t.Fatalf("callback: %d %s", st, body)
		}
		anon := client{t: t, base: g.s.base}
		link := linkOf(*g.mentor.BookingURL)
		var b bookingAnswer
		if st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": slotsOfFullDay(t, anon, link, "UTC")[0],
			"name": "Ada", "email": "ada@example.org", "timezone": "UTC"}, &b); st != 201 {
			t.Fatalf("book: %d %+v", st, b)
		}
		start, _ := time.Parse(time.RFC3339, b.Start)
		get := func() editedBooking {
			var out editedBooking
			if st := g.admin.do("GET", "/api/v1/bookings/"+b.ID, nil, &out); st != 200 {
				t.Fatalf("get booking: %d", st)
			}
			return out
		}
		var evID, from string
		eventually(t, 20*time.Second, "the event written", func() bool {
			sb, err := g.db.Booking(context.Background(), b.ID)
			evID, from = sb.WritebackRef, sb.WritebackCalendarID
			return err == nil && evID != "" && sb.WritebackSequence == sb.Sequence
		})
		g.sync(t)

		ev, ok := g.fake.Event(g.fake.User, evID)
		if !ok {
			t.Fatal("the session's event is missing")
		}
		g.fake.DeleteEvent(g.fake.User, evID)
		g.fake.PutEvent(personal, ev)
		g.sync(t)
		time.Sleep(300 * time.Millisecond) // an edit job would have run
		if got := get(); got.Status != "confirmed" || !got.Start.Equal(start) || got.ChangedBy != nil {
			t.Fatalf("after Move to another calendar: %+v", got)
		}
		sb, err := g.db.Booking(context.Background(), b.ID)
		if err != nil || sb.WritebackCalendarID == from || sb.WritebackRef != evID {
			t.Fatalf("the session's event recorded at %s %s (was %s)", sb.WritebackCalendarID, sb.WritebackRef, from)
		}

		to := start.Add(2 * time.Hour)
		ev, _ = g.fake.Event(personal, evID)
		ev.Start = &calendarapi.EventDateTime{DateTime: to.Format(time.RFC3339)}
		ev.End = &calendarapi.EventDateTime{DateTime: to.Add(30 * time.Minute).Format(time.RFC3339)}
		g.fake.PutEvent(personal, ev)
		eventually(t, 20*time.Second, "the session rescheduled from its new calendar", func() bool { g.sync(t); return get().Start.Equal(to) })
	})
}
