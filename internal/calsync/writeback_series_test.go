package calsync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar/ical/icaltest"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// TestSeriesWriteback: a weekly series is written into the mentor's
// calendar as one object (one UID); read back from Radicale and Xandikos
// and expanded (recurring-ical-events, ical.js), it holds exactly the
// confirmed sessions, also after one moved and one cancelled; once the
// series is cancelled the object is gone.
func TestSeriesWriteback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			ctx := context.Background()
			// One mentor per server: a mentor's address is unique.
			m := a.createMentor("Ada" + t.Name()[strings.LastIndex(t.Name(), "/")+1:])
			if st := m.connect(srv.CalendarURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			link := (*m.BookingURL)[strings.LastIndex(*m.BookingURL, "/")+1:]
			first := time.Now().UTC().AddDate(0, 0, 2).Truncate(24 * time.Hour).Add(9 * time.Hour)
			var s struct {
				ID       string `json:"id"`
				Bookings []struct {
					ID string `json:"id"`
				} `json:"bookings"`
			}
			anon := client{t: t, base: a.base}
			if st := anon.do("POST", "/api/v1/book/"+link+"/series", map[string]any{"start": first.Format(time.RFC3339), "count": 4,
				"interval_weeks": 1, "name": "Mentee", "email": "mentee-" + m.ID + "@example.org", "timezone": "UTC"}, &s); st != 201 || len(s.Bookings) != 4 {
				t.Fatalf("book series: %d %+v", st, s)
			}
			written := func(what string, seq int) *store.BookingSeries {
				t.Helper()
				var row *store.BookingSeries
				eventually(t, what, func() bool {
					var err error
					row, err = a.store.Series(ctx, s.ID)
					if err != nil || row.WritebackRef == "" || row.Sequence != seq {
						return false
					}
					_, body := fetch(t, srv, row.WritebackRef)
					return strings.Contains(body, "SEQUENCE:"+string(rune('0'+seq)))
				})
				return row
			}
			check := func(what string, row *store.BookingSeries) {
				t.Helper()
				code, body := fetch(t, srv, row.WritebackRef)
				if code != 200 || strings.Count(body, "UID:"+row.UID) < 1 || strings.Contains(body, "METHOD:") {
					t.Fatalf("%s: written object %d\n%s", what, code, body)
				}
				bs, err := a.store.Bookings(ctx, store.BookingFilter{MentorID: m.ID, Status: store.StatusConfirmed})
				if err != nil {
					t.Fatal(err)
				}
				var starts []time.Time
				for _, b := range bs {
					starts = append(starts, b.StartAt)
				}
				want := icaltest.Format(starts...)
				py, js := icaltest.Expand(t, []byte(body), first.AddDate(0, 0, -7), first.AddDate(0, 0, 60))
				if !icaltest.Equal(py, want) || !icaltest.Equal(js, want) {
					t.Errorf("%s: the object expands to\npython  %v\nical.js %v\nwant    %v\n%s", what, py, js, want, body)
				}
			}
			check("booked", written("the series in the mentor's calendar", 0))

			moved := first.AddDate(0, 0, 7).Add(2 * time.Hour).Format(time.RFC3339)
			if st := a.admin.do("POST", "/api/v1/bookings/"+s.Bookings[1].ID+"/reschedule", map[string]string{"start": moved}, nil); st != 200 {
				t.Fatalf("move: %d", st)
			}
			if st := a.admin.do("POST", "/api/v1/bookings/"+s.Bookings[2].ID+"/cancel", map[string]string{"reason": "away"}, nil); st != 200 {
				t.Fatalf("cancel one: %d", st)
			}
			row := written("the series with one moved and one cancelled", 2)
			check("moved and cancelled", row)

			if st := a.admin.do("POST", "/api/v1/bookings/"+s.Bookings[0].ID+"/cancel", map[string]any{"scope": "following"}, nil); st != 200 {
				t.Fatalf("cancel all: %d", st)
			}
			eventually(t, "the cancelled series removed", func() bool {
				r, err := a.store.Series(ctx, s.ID)
				return err == nil && r.WritebackRef == ""
			})
			if code, _ := fetch(t, srv, row.WritebackRef); code != 404 {
				t.Fatalf("cancelled series' object: %d, want 404", code)
			}
		})
	})
}
