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

// TestSeriesWritebackFollowsReassignment: when a mentee is reassigned,
// their series leaves the former mentor's calendar (no session of it is
// left there) and the new mentor's calendar holds it as one object of a
// UID of its own that expands (recurring-ical-events, ical.js) to exactly
// the new mentor's sessions.
func TestSeriesWritebackFollowsReassignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			ctx := context.Background()
			suffix := t.Name()[strings.LastIndex(t.Name(), "/")+1:]
			former, next := a.createMentor("Ada"+suffix), a.createMentor("Barbara"+suffix)
			secondURL := srv.HomeURL + "barbara-series/"
			srv.MakeCalendar(t, secondURL, "Barbara", "VEVENT")
			if st := former.connect(srv.CalendarURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			if st := next.connect(secondURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect the second calendar: %d", st)
			}
			link := (*former.BookingURL)[strings.LastIndex(*former.BookingURL, "/")+1:]
			first := time.Now().UTC().AddDate(0, 0, 2).Truncate(24 * time.Hour).Add(9 * time.Hour)
			var s struct {
				ID string `json:"id"`
			}
			anon := client{t: t, base: a.base}
			if st := anon.do("POST", "/api/v1/book/"+link+"/series", map[string]any{"start": first.Format(time.RFC3339), "count": 4,
				"interval_weeks": 1, "name": "Mentee", "email": "mentee-" + former.ID + "@example.org", "timezone": "UTC"}, &s); st != 201 {
				t.Fatalf("book series: %d", st)
			}
			var old *store.BookingSeries
			eventually(t, "the series in the former mentor's calendar", func() bool {
				var err error
				old, err = a.store.Series(ctx, s.ID)
				return err == nil && old.WritebackRef != ""
			})
			oldRef := old.WritebackRef
			if st := a.admin.do("POST", "/api/v1/mentees/"+old.MenteeID+"/reassign", map[string]string{"mentor_id": next.ID}, nil); st != 200 {
				t.Fatalf("reassign: %d", st)
			}
			var moved []store.Booking
			var row *store.BookingSeries
			eventually(t, "the new series in the new mentor's calendar", func() bool {
				bs, err := a.store.Bookings(ctx, store.BookingFilter{MentorID: next.ID, Status: store.StatusConfirmed})
				if err != nil || len(bs) != 4 || bs[0].SeriesID == "" || bs[0].SeriesID == s.ID {
					return false
				}
				moved = bs
				row, err = a.store.Series(ctx, bs[0].SeriesID)
				return err == nil && row.WritebackRef != ""
			})
			eventually(t, "the former series removed", func() bool {
				r, err := a.store.Series(ctx, s.ID)
				return err == nil && r.WritebackRef == ""
			})
			if code, _ := fetch(t, srv, oldRef); code != 404 {
				t.Fatalf("the former mentor's series object: %d, want 404", code)
			}
			if !strings.HasPrefix(srv.URL+strings.TrimPrefix(row.WritebackRef, "/"), secondURL) {
				t.Fatalf("the new series was written to %s, not into %s", row.WritebackRef, secondURL)
			}
			code, body := fetch(t, srv, row.WritebackRef)
			if code != 200 || !strings.Contains(body, "UID:"+row.UID) || row.UID == old.UID {
				t.Fatalf("the new mentor's series object: %d\n%s", code, body)
			}
			var starts []time.Time
			for _, b := range moved {
				starts = append(starts, b.StartAt)
			}
			want := icaltest.Format(starts...)
			py, js := icaltest.Expand(t, []byte(body), first.AddDate(0, 0, -7), first.AddDate(0, 0, 60))
			if !icaltest.Equal(py, want) || !icaltest.Equal(js, want) {
				t.Errorf("the new series expands to\npython  %v\nical.js %v\nwant    %v\n%s", py, js, want, body)
			}
		})
	})
}
