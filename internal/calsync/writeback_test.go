package calsync_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// book takes the first free slot a day or more ahead through the public
// link, for a mentee of the mentor's own.
func (a *app) book(m mentor) (id string, start, end time.Time) {
	a.t.Helper()
	return a.bookFor(m, "mentee."+m.ID+"@example.org")
}

// bookFor is book for the mentee of address email (a person is the
// mentee of one mentor at a time).
func (a *app) bookFor(m mentor, email string) (id string, start, end time.Time) {
	a.t.Helper()
	link := (*m.BookingURL)[strings.LastIndex(*m.BookingURL, "/")+1:]
	anon := client{t: a.t, base: a.base}
	from := time.Now().UTC().AddDate(0, 0, 1).Truncate(time.Hour)
	var slots struct {
		Slots []struct{ Start, End time.Time }
	}
	q := "?from=" + from.Format(time.RFC3339) + "&to=" + from.AddDate(0, 0, 2).Format(time.RFC3339) + "&tz=UTC"
	if st := anon.do("GET", "/api/v1/book/"+link+"/slots"+strings.ReplaceAll(q, "+", "%2B"), nil, &slots); st != 200 || len(slots.Slots) == 0 {
		a.t.Fatalf("slots: %d %+v", st, slots)
	}
	var b struct {
		ID string `json:"id"`
	}
	st := anon.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{
		"start": slots.Slots[0].Start.Format(time.RFC3339), "name": "Mentee", "email": email, "timezone": "UTC",
	}, &b)
	if st != 201 {
		a.t.Fatalf("book: %d", st)
	}
	return b.ID, slots.Slots[0].Start.UTC(), slots.Slots[0].End.UTC()
}

// fetch GETs an object of the CalDAV server as its owner.
func fetch(t *testing.T, srv *caldavtest.Server, ref string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", strings.TrimSuffix(srv.URL, "/")+ref, nil)
	if srv.Username != "" {
		req.SetBasicAuth(srv.Username, srv.Password)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestWritebackRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			ctx := context.Background()
			m := a.createMentor("Ada")
			if st := m.connect(srv.CalendarURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			id, start, end := a.book(m)
			var b *store.Booking
			eventually(t, "the session in the mentor's calendar", func() bool {
				var err error
				b, err = a.store.Booking(ctx, id)
				return err == nil && b.WritebackRef != ""
			})
			code, body := fetch(t, srv, b.WritebackRef)
			if code != 200 || !strings.Contains(body, "UID:"+b.UID) || strings.Contains(body, "METHOD:") {
				t.Fatalf("written object: %d\n%s", code, body)
			}
			// The mentor's calendar links to the mentor's session page,
			// never to the mentee's manage page (its token is their key).
			unfolded := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n ", ""), "\r\n\t", "")
			if !strings.Contains(unfolded, a.base+"/mentor/sessions/"+id) || strings.Contains(unfolded, "/manage/") {
				t.Fatalf("the written event should link to the mentor's session page, not the manage page:\n%s", body)
			}

			// Our own event syncs back but blocks the time once, as the booking.
			if res := m.sync(); len(res) != 1 || res[0].Status != "ok" {
				t.Fatalf("sync: %+v", res)
			}
			busy := m.busy(start.Add(-time.Hour), end.Add(time.Hour))
			if len(busy) != 1 || busy[0].Source != "booking" || !busy[0].Start.Equal(start) || !busy[0].End.Equal(end) {
				t.Fatalf("busy around the session: %+v", busy)
			}

			if st := a.admin.do("POST", "/api/v1/bookings/"+id+"/cancel", map[string]string{"reason": "ill"}, nil); st != 200 {
				t.Fatalf("cancel: %d", st)
			}
			ref := b.WritebackRef
			eventually(t, "the cancelled session removed", func() bool {
				b, err := a.store.Booking(ctx, id)
				return err == nil && b.WritebackRef == ""
			})
			if code, _ := fetch(t, srv, ref); code != 404 {
				t.Fatalf("cancelled session's object: %d, want 404", code)
			}
		})
	})
}

// TestWritebackFollowsTransfer: a session handed to another mentor leaves
// the former mentor's calendar and appears in the new mentor's, with the
// new organizer and a raised SEQUENCE.
func TestWritebackFollowsTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		a := startApp(t, db, appOptions{allowPrivate: true})
		peers(t, func(t *testing.T, srv *caldavtest.Server) {
			ctx := context.Background()
			former, next := a.createMentor("Ada"), a.createMentor("Barbara")
			secondURL := srv.HomeURL + "barbara/"
			srv.MakeCalendar(t, secondURL, "Barbara", "VEVENT")
			if st := former.connect(srv.CalendarURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect: %d", st)
			}
			if st := next.connect(secondURL, srv.Username, srv.Password, nil); st != 201 {
				t.Fatalf("connect the second calendar: %d", st)
			}
			id, _, _ := a.book(former)
			var b *store.Booking
			eventually(t, "the session in the former mentor's calendar", func() bool {
				var err error
				b, err = a.store.Booking(ctx, id)
				return err == nil && b.WritebackRef != ""
			})
			oldRef := b.WritebackRef
			if st := a.admin.do("POST", "/api/v1/mentees/"+b.MenteeID+"/reassign", map[string]string{"mentor_id": next.ID}, nil); st != 200 {
				t.Fatalf("reassign: %d", st)
			}
			eventually(t, "the session in the new mentor's calendar", func() bool {
				var err error
				b, err = a.store.Booking(ctx, id)
				return err == nil && b.MentorID == next.ID && b.WritebackRef != "" && b.WritebackRef != oldRef
			})
			if code, _ := fetch(t, srv, oldRef); code != 404 {
				t.Fatalf("the former mentor's copy: %d, want 404", code)
			}
			if !strings.HasPrefix(srv.URL+strings.TrimPrefix(b.WritebackRef, "/"), secondURL) {
				t.Fatalf("the session was written to %s, not into %s", b.WritebackRef, secondURL)
			}
			code, body := fetch(t, srv, b.WritebackRef)
			if code != 200 || !strings.Contains(body, "UID:"+b.UID) || !strings.Contains(body, "SEQUENCE:1") ||
				!strings.Contains(body, "barbara@example.org") {
				t.Fatalf("the new mentor's copy: %d\n%s", code, body)
			}
		})
	})
}
