package main

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// slotWindow is a three-day window from tomorrow, as a query string.
func slotWindow(tz string) string {
	from := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
	return "?from=" + from.Format(time.RFC3339) + "&to=" + from.Add(72*time.Hour).Format(time.RFC3339) + "&tz=" + tz
}

// slotStarts lists a link's slot starts in the window.
func slotStarts(t *testing.T, c client, link, window string) []string {
	t.Helper()
	var s slotsAnswer
	if st := c.do("GET", "/api/v1/book/"+link+"/slots"+window, nil, &s); st != 200 {
		t.Fatalf("slots: %d", st)
	}
	out := make([]string, len(s.Slots))
	for i, sl := range s.Slots {
		out[i] = sl.Start
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSlotChangesAcrossProcesses runs two servers on one PostgreSQL
// database: a booking and new hours made through one show in the other's
// slots (served from its memory) within a second.
func TestSlotChangesAcrossProcesses(t *testing.T) {
	db := storetest.Postgres(t)
	env := map[string]string{"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789",
		"RENDEZVOUS_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	one, two := startServe(t, db, env), startServe(t, db, env)
	defer one.stop()
	defer two.stop()
	admin := client{t: t, base: one.base, token: "admin-token-for-the-tests-0123456789"}
	m := createMentor(t, admin, nil)
	link := linkOf(*m.BookingURL)
	window := slotWindow("UTC")
	other := client{t: t, base: two.base}
	before := slotStarts(t, other, link, window)
	if len(before) < 2 || !contains(slotStarts(t, other, link, window), before[0]) {
		t.Fatalf("slots on the second process: %v", before)
	}

	mentee := client{t: t, base: one.base}
	if st := mentee.do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": before[0], "name": "Ana", "email": "ana@example.org"}, nil); st != 201 {
		t.Fatalf("book on the first process: %d", st)
	}
	booked := time.Now()
	eventually(t, time.Second, "the booked slot gone from the second process", func() bool {
		return !contains(slotStarts(t, other, link, window), before[0])
	})
	t.Logf("booking seen by the other process after %s", time.Since(booked).Round(time.Millisecond))

	if st := admin.do("PUT", "/api/v1/mentors/"+m.ID+"/availability", map[string]any{"weekly_hours": []any{}}, nil); st != 200 {
		t.Fatalf("clear hours: %d", st)
	}
	cleared := time.Now()
	eventually(t, time.Second, "no slots on the second process once hours are cleared", func() bool {
		return len(slotStarts(t, other, link, window)) == 0
	})
	t.Logf("new hours seen by the other process after %s", time.Since(cleared).Round(time.Millisecond))
}

// TestSlotAnswersRevalidate: a slot answer carries an ETag and a short
// private max-age; the same ETag gets 304 without a body until a booking
// changes the answer.
func TestSlotAnswersRevalidate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		srv := startServe(t, db, map[string]string{"RENDEZVOUS_RATE_LIMIT": "0", "RENDEZVOUS_ADMIN_TOKEN": "admin-token-for-the-tests-0123456789"})
		defer srv.stop()
		admin := client{t: t, base: srv.base, token: "admin-token-for-the-tests-0123456789"}
		link := linkOf(*createMentor(t, admin, nil).BookingURL)
		url := srv.base + "/api/v1/book/" + link + "/slots" + slotWindow("Europe/Paris")
		get := func(etag string) (*http.Response, string) {
			req, _ := http.NewRequest("GET", url, nil)
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res, string(body)
		}
		first, _ := get("")
		tag := first.Header.Get("ETag")
		if first.StatusCode != 200 || tag == "" || first.Header.Get("Cache-Control") != "private, max-age=10" {
			t.Fatalf("first answer: %d, ETag %q, Cache-Control %q", first.StatusCode, tag, first.Header.Get("Cache-Control"))
		}
		again, body := get(tag)
		if again.StatusCode != 304 || body != "" || again.Header.Get("ETag") != tag {
			t.Fatalf("revalidation: %d %q, ETag %q", again.StatusCode, body, again.Header.Get("ETag"))
		}
		if weak, _ := get("W/" + tag); weak.StatusCode != 304 {
			t.Fatalf("weak revalidation: %d", weak.StatusCode)
		}
		start := slotStarts(t, client{t: t, base: srv.base}, link, slotWindow("Europe/Paris"))[0]
		if st := (client{t: t, base: srv.base}).do("POST", "/api/v1/book/"+link+"/bookings", map[string]string{"start": start, "name": "Ana", "email": "ana@example.org"}, nil); st != 201 {
			t.Fatalf("book: %d", st)
		}
		changed, _ := get(tag)
		if changed.StatusCode != 200 || changed.Header.Get("ETag") == tag {
			t.Fatalf("after a booking: %d, ETag %q (was %q)", changed.StatusCode, changed.Header.Get("ETag"), tag)
		}
	})
}
