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

// forgetWrittenVersion makes a session look written before edits were
// followed (migration 00014 gave those -1).
func (a *app) forgetWrittenVersion(id string) {
	a.t.Helper()
	b, err := a.store.Booking(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.store.SetBookingWriteback(context.Background(), id, b.WritebackCalendarID, b.WritebackRef, b.WritebackEtag, -1); err != nil {
		a.t.Fatal(err)
	}
}

// TestSessionsWrittenBeforeFollowThrough: a session whose event was
// written before edits were followed is followed from the next sync on,
// without waiting for a write-back: its event at the session's time is
// recorded as holding the current version, and a later move of it
// reschedules the session; an event found elsewhere is written back at
// the session's time (the booking was the truth then), which records
// the version too.
func TestSessionsWrittenBeforeFollowThrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			a := startApp(t, db, appOptions{allowPrivate: true})
			m := a.createMentor("Ada" + srv.Name)
			if st := m.connect(srv.CalendarURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			id, start, end := a.bookFor(m, "mentee."+srv.Name+"@example.org")
			b := a.written(id)
			objURL := srv.URL + strings.TrimPrefix(b.WritebackRef, "/")

			a.forgetWrittenVersion(id)
			m.sync()
			got, err := a.store.Booking(context.Background(), id)
			if err != nil || got.WritebackSequence != got.Sequence || got.WritebackEtag == "" {
				t.Fatalf("after a sync, the legacy session: %+v %v", got, err)
			}
			to := start.Add(2 * time.Hour)
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), to, to.Add(end.Sub(start))))
			m.sync()
			eventually(t, "the legacy session rescheduled from the calendar", func() bool { return m.booking(id).Start.Equal(to) })

			// Elsewhere in the calendar while its version is unknown: put back.
			a.written(id)
			m.sync()
			a.forgetWrittenVersion(id)
			away := to.Add(time.Hour)
			srv.PutAt(t, objURL, moveObject(srv.Get(t, objURL), away, away.Add(end.Sub(start))))
			m.sync()
			stamp := "DTSTART:" + to.Format("20060102T150405Z")
			eventually(t, "the legacy event written back at the session's time", func() bool {
				b, err := a.store.Booking(context.Background(), id)
				return err == nil && b.WritebackSequence == b.Sequence && strings.Contains(srv.Get(t, objURL), stamp)
			})
			if got := m.booking(id); !got.Start.Equal(to) || got.Status != store.StatusConfirmed {
				t.Fatalf("the legacy session after its event was found elsewhere: %+v", got)
			}
		})
	})
}
