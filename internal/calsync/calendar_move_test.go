package calsync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// TestSessionFollowsItsEventToAnotherCalendar: the mentor moves the
// session's event to another calendar of the same account (a drag
// between calendars, Google's "Move to"). Its old calendar reports it
// deleted, but it still exists: the session stays, its write-back follows
// the event, and a later move of the event there reschedules it.
func TestSessionFollowsItsEventToAnotherCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			a := startApp(t, db, appOptions{allowPrivate: true})
			homeURL := strings.TrimSuffix(srv.CalendarURL, "/")
			homeURL = homeURL[:strings.LastIndex(homeURL, "/")+1]
			otherURL := homeURL + "personal-" + strings.ReplaceAll(t.Name(), "/", "-") + "/"
			srv.MakeCalendar(t, otherURL, "Personal", "VEVENT")
			m := a.createMentor("Ada" + srv.Name)
			if st := m.connect(homeURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			id, start, end := a.bookFor(m, "mentee."+srv.Name+"@example.org")
			b := a.written(id)
			from := b.WritebackCalendarID
			m.sync()

			// Moved from its calendar to the other: a copy there, gone here.
			fromURL := srv.URL + strings.TrimPrefix(b.WritebackRef, "/")
			cals, err := a.store.ConnectionCalendars(context.Background(), mustCalendar(t, a, from).ConnectionID)
			if err != nil || len(cals) < 2 {
				t.Fatalf("calendars of the connection: %d %v", len(cals), err)
			}
			toURL := otherURL
			if strings.HasPrefix(fromURL, otherURL) {
				toURL = srv.CalendarURL
			}
			body := srv.Get(t, fromURL)
			srv.PutAt(t, toURL+"moved-"+id+".ics", body)
			srv.DeleteAt(t, fromURL)
			m.sync()
			time.Sleep(300 * time.Millisecond) // an edit job would have run
			if got := m.booking(id); got.Status != "confirmed" || !got.Start.Equal(start) || got.ChangedBy != nil {
				t.Fatalf("after the event moved to another calendar: %+v", got)
			}
			moved, err := a.store.Booking(context.Background(), id)
			if err != nil || moved.WritebackCalendarID == from || !strings.Contains(moved.WritebackRef, "moved-"+id) {
				t.Fatalf("the session's event is recorded at %s %s (was %s)", moved.WritebackCalendarID, moved.WritebackRef, from)
			}

			// Moved in time there: followed there.
			to := start.Add(2 * time.Hour)
			objURL := toURL + "moved-" + id + ".ics"
			m.sync()
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), to, to.Add(end.Sub(start))))
			m.sync()
			eventually(t, "the session rescheduled from its new calendar", func() bool { return m.booking(id).Start.Equal(to) })
		})
	})
}

func mustCalendar(t *testing.T, a *app, id string) *store.Calendar {
	t.Helper()
	c, err := a.store.Calendar(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
